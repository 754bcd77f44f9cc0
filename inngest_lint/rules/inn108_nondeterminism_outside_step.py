"""INN108 nondeterminism-outside-step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint.rules._replay_body import ReplayBodyRule
from inngest_lint.semantic.nondeterminism import nondeterministic_call
from inngest_lint.semantic.replay import (
    Held,
    SideEffects,
    function_label,
    step_spelling,
)
from inngest_lint.semantic.replay_values import value_uses

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext


class NondeterminismOutsideStep(ReplayBodyRule):
    """A clock read, random number or fresh UUID in an Inngest function body, outside a step.

    ## What it does
    Finds `datetime.now()`/`utcnow()`/`today()`, `date.today()`, `time.time()`/`monotonic()`,
    `random.*`, `uuid.uuid1()`/`uuid4()`, `secrets.*` and `os.urandom()` (through any import style
    or alias) called directly in the body of an Inngest function that makes a step call (lambdas
    given to `ctx.group.parallel` count as body), or through a def of the same file whose every
    `return` returns one of these calls (`def now(): return datetime.now(tz)`, followed up to
    three helpers deep; a helper that transforms the value first is not), and flags one only
    when a step call can still
    follow it and its value matters to the workflow. The value is followed through expressions
    (arithmetic, f-strings, method calls, containers), local assignments and chains of them,
    `d[key] = value`, `items.append(value)`, comprehensions, closures and `random.shuffle(items)`.
    It matters when it reaches:
    - a step ID (through a local variable; one written inline is `unstable-step-id`, INN116);
    - a condition or loop that decides which steps run (`if`, `while`, `for`, a comprehension's
      condition, `a if cond else b` around step calls);
    - an HTTP call, event send or database write that a step can still follow (it runs again
      with a new value on every re-entry);
    - a step in a loop that does not recompute it (each iteration's step gets a new value);
    - two uses that different requests make: two steps (arguments, handler, an event payload
      given to `step.send_event`), or a step and the function's return value or a write after
      the last step; uses on two branches of one `if` are never both made.

    Not flagged:
    - code no step can follow (after the last step, in a branch that returns before any step):
      it runs once per attempt, exactly like the body of a function with no step call;
    - a value only logged (`logging`, a logger, `print`, `ctx.logger`) or recorded as a metric
      (`statsd.timing`, `metrics.histogram`, `histogram.observe`, `span.set_attribute`): a
      `time.monotonic()` start time used for a duration, a `uuid4()` trace ID in a log line;
    - a value one step alone consumes, inline or through a variable: `x = now() + d;
      ctx.step.sleep_until("id", x)` is read only when the sleep is first planned, exactly like
      `ctx.step.sleep_until("id", now() + d)`; a timestamp only returned at the end;
    - a value stored into an attribute, or given to a nested def that is neither called nor a
      step handler: where it goes is not known, so the rule stays silent;
    - inside step handlers (their result is memoized), and in helpers outside Inngest functions.

    ## Why is this bad?
    The SDK re-runs the function body from the top for every step (PyPI `inngest`,
    `ExecutionV0.run` in `inngest/_internal/execution_lib/v0.py` calls the handler on every
    request of the run). Each step method asks `ExecutionV0.report_step` for the memo of its step
    ID: a finished step returns its memoized output, and the first step with no memo raises
    `ResponseInterrupt` (`inngest/_internal/step_lib/base.py`) and ends the request. So a value
    computed outside a step is computed again on every request, and each request sees a new one.
    A step uses the value of the one request that executes it (`Step.run` passes its arguments
    to the handler only then; `Step.sleep_until` puts `until` only in the step it reports as new:
    `inngest/_internal/step_lib/step_async.py`, `step_sync.py`). So an order ID generated in
    the body is not the same when `create` runs as when `charge` runs, a branch on the current
    hour can pick a different path halfway through the run, and a step ID built from a fresh
    UUID never finds its memo. Code no step can follow runs once per attempt, like a function
    with no steps.

    ## Use instead
    Make the value in a step: its result is memoized, so every re-entry sees the same one.

    ## Not flagged
    A value that only reaches logs, metrics or the return value: it need not be memoized.
    """

    code = "INN108"
    name = "nondeterminism-outside-step"

    VALID = (
        """
        import uuid

        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
        async def checkout(ctx: inngest.Context) -> None:
            order_id = await ctx.step.run("new-order-id", lambda: str(uuid.uuid4()))
            await ctx.step.run("create-order", create_order, order_id)
            await ctx.step.run("charge", charge, order_id)
        """,
        """
        import datetime
        import logging
        import time
        import uuid

        import inngest

        client = inngest.Inngest(app_id="shop")
        logger = logging.getLogger(__name__)


        @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
        async def checkout(ctx: inngest.Context) -> None:
            started = time.monotonic()
            order_id = await ctx.step.run("new-order-id", lambda: str(uuid.uuid4()))
            await ctx.step.run("create-order", create_order, order_id)
            follow_up = datetime.datetime.now() + datetime.timedelta(days=1)
            await ctx.step.sleep_until("wait-a-day", follow_up)
            await ctx.step.run("follow-up", follow_up_order, order_id)
            # Only logged: a duration and a trace ID do not matter to the workflow.
            logger.info("checkout %s took %.1fs (trace %s)", order_id, time.monotonic() - started, uuid.uuid4())


        @client.create_function(fn_id="stamp", trigger=inngest.TriggerEvent(event="shop/ping"))
        def stamp(ctx: inngest.ContextSync) -> dict:
            # No step call: the body runs once per attempt.
            return {"at": datetime.datetime.now().isoformat()}
        """,
    )
    INVALID = (
        """
        import uuid

        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
        async def checkout(ctx: inngest.Context) -> None:
            # A new ID on each request: the step "charge" sees another one than "create-order".
            order_id = str(uuid.uuid4())  # error: INN108
            await ctx.step.run("create-order", create_order, order_id)
            await ctx.step.run("charge", charge, order_id)
        """,
    )

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
                f'it in a step (`{step}.run("<id>", ...)`) so the value is memoized',
                context=qualified,
            ),
        )
