"""INN108 nondeterminism-outside-step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint.rules._nondeterminism import nondeterministic_call
from inngest_lint.rules._replay import Held, ReplayBodyRule, SideEffects, function_label, step_spelling
from inngest_lint.rules._replay_values import value_uses

if TYPE_CHECKING:
    from inngest_lint.engine.context import FileContext


class NondeterminismOutsideStep(ReplayBodyRule):
    """A clock read, random number or fresh UUID in an Inngest function body, outside a step.

    ## What it does
    Flags `datetime.now()`/`utcnow()`/`today()`, `date.today()`, `time.time()`, `random.*`,
    `uuid.uuid1()`/`uuid4()`, `secrets.*` and `os.urandom()` (through any import style or alias)
    called directly in the body of an Inngest function that makes at least one step call.
    Lambdas given to `ctx.group.parallel` count as body: they are called on every re-entry to
    plan the parallel steps.

    Not flagged:
    - inside step handlers (their result is memoized);
    - a function with no step call: its body runs once per attempt;
    - a value computed right inside the arguments of a step call, such as
      `ctx.step.sleep_until("wait", datetime.now() + delay)` or `ctx.step.run("x", fn, uuid4())`:
      only the run that executes that step uses it (a step ID built this way is
      `unstable-step-id`, INN116);
    - helpers outside Inngest functions and nested defs (whether and when they run is not known).

    A value used only for logging is flagged too: keep the rule simple, and prefer `ctx.logger`
    with a value returned from a step.

    ## Why is this bad?
    Inngest re-runs the function body from the top once per step, returning memoized results for
    the steps already done. A value computed outside a step is computed again on each re-entry,
    so it differs between the runs that execute different steps: an order ID generated in the
    body is not the same when `create` runs as when `charge` runs, and a branch on the current
    hour can pick a different path halfway through the run.

    ## Example
    ```python
    @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
    async def checkout(ctx: inngest.Context) -> None:
        order_id = str(uuid.uuid4())
        await ctx.step.run("create-order", create_order, order_id)
        await ctx.step.run("charge", charge, order_id)
    ```

    ## Use instead
    ```python
    @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
    async def checkout(ctx: inngest.Context) -> None:
        order_id = await ctx.step.run("new-order-id", lambda: str(uuid.uuid4()))
        await ctx.step.run("create-order", create_order, order_id)
        await ctx.step.run("charge", charge, order_id)
    ```
    """

    code = "INN108"
    name = "nondeterminism-outside-step"

    VALID = [
        """
        import datetime
        import uuid

        import inngest

        client = inngest.Inngest(app_id="shop")


        @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
        async def checkout(ctx: inngest.Context) -> None:
            order_id = await ctx.step.run("new-order-id", lambda: str(uuid.uuid4()))
            await ctx.step.run("create-order", create_order, order_id)
            await ctx.step.sleep_until("wait-a-day", datetime.datetime.now() + datetime.timedelta(days=1))


        @client.create_function(fn_id="stamp", trigger=inngest.TriggerEvent(event="shop/ping"))
        def stamp(ctx: inngest.ContextSync) -> dict:
            # No step call: the body runs once per attempt.
            return {"at": datetime.datetime.now().isoformat()}
        """,
    ]
    INVALID = [
        """
        import uuid

        import inngest

        client = inngest.Inngest(app_id="shop")


        @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
        async def checkout(ctx: inngest.Context) -> None:
            order_id = str(uuid.uuid4())  # error: INN108
            await ctx.step.run("create-order", create_order, order_id)
            await ctx.step.run("charge", charge, order_id)
        """,
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.effects = SideEffects(context)

    def visit_Call(self, node: cst.Call) -> None:
        self._check(node)
        self.body.visit_Call(node)

    def leave_Call(self, node: cst.Call) -> None:
        self.body.leave_Call(node)

    def _check(self, node: cst.Call) -> None:
        if self.body.in_step_arguments():
            return
        state = self.body.state()
        if state is None:
            return
        qualified = nondeterministic_call(self.context, node)
        if qualified is None or not self.body.can_precede_step(state, node):
            return  # no step call can follow it: it runs once per attempt
        reason = value_uses(self.context, state.node, state.order, self.effects).hazard(node)
        if reason is None:
            return  # its value reaches nothing that differs between requests
        step = step_spelling(state.info)
        self.body.hold(
            state,
            Held(
                node,
                f"`{qualified}()` in Inngest function {function_label(state.info)} runs outside a step, so "
                f"its value changes on every re-entry (the body re-runs for each step), and {reason}; compute "
                f"it in a step (`{step}.run(\"<id>\", ...)`) so the value is memoized",
                context=qualified,
            ),
        )
