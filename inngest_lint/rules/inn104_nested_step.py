"""INN104 nested-step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.steps import (
    called_def,
    resolve_local_def,
    step_id_context,
    step_label,
    step_run_handler,
    unwrap_partial,
)

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext


@dataclass
class _StepCall:
    """A step call seen during the walk, with the scopes that decide whether it is nested."""

    call: cst.Call
    # ids of the innermost scope nodes up to and including the first `def` (lambdas in between).
    scopes: tuple[int, ...]


class NestedStep(Rule):
    """A step call inside the callback of `step.run`.

    ## What it does
    Flags a step call (`ctx.step.run`, `sleep`, `wait_for_event`, `send_event`, `invoke`, ...)
    made inside a `step.run` handler: a lambda given to `step.run`, a nested `def`, or a `def`
    in the same file given to `step.run` by name, through `functools.partial`, or called by a
    lambda that is the handler.

    Project helpers are followed across files through the project call graph, up to
    `follow-depth` calls deep (default 4; cycles cut): a `def` imported from another module and
    given to `step.run` is reported at the `step.run` when it makes a step call or calls a
    helper that does, and a step handler defined in the function (a lambda or nested def) that
    calls a project helper reaching a step call (through a context or step parameter, e.g.
    `helper(ctx)`) is reported at that call, naming the chain. Helpers listed in
    `side-effect-free-functions` are not followed.

    ## Why is this bad?
    Steps cannot be nested. The SDK detects a step inside a running step and fails the whole run
    with the non-retriable error "Nested steps are not supported"; with step targeting it shows
    up instead as `StepUnexpectedError`. The outer step's work is lost either way.

    ## Use instead
    Make each step a call in the function body, one after the other.

    ## Not flagged
    Step calls in lambdas given to `ctx.group.parallel` (that is how parallel steps are planned),
    step calls in the function body next to `step.run`, and helpers that make steps called from
    the function body. Helpers called from a step handler are followed through the project call
    graph, up to `follow-depth` calls deep (default 4; cycles cut).
    """

    code = "INN104"
    name = "nested-step"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="order", trigger=inngest.TriggerEvent(event="app/order"))
        async def order(ctx: inngest.Context) -> None:
            receipt = await ctx.step.run("charge", charge, ctx.event.data["order_id"])
            await ctx.step.send_event("notify", inngest.Event(name="app/charged"))
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="order", trigger=inngest.TriggerEvent(event="app/order"))
        async def order(ctx: inngest.Context) -> None:
            receipt = await ctx.step.run("charge", charge, ctx.event.data["order_id"])
            await ctx.step.run("email", send_receipt, receipt)
            await ctx.group.parallel(
                (
                    lambda: ctx.step.run("warehouse", notify_warehouse),
                    lambda: ctx.step.run("crm", update_crm),
                )
            )
        """,
        {
            "app/billing.py": """
                import inngest

                async def charge_and_notify(ctx: inngest.Context, order_id: str) -> dict:
                    await ctx.step.send_event("notify", inngest.Event(name="app/charged"))
                    return {"order_id": order_id}
            """,
            "app/jobs.py": """
                import inngest
                from app.billing import charge_and_notify

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="order", trigger=inngest.TriggerEvent(event="app/order"))
                async def order(ctx: inngest.Context) -> None:
                    # Called from the body, the helper's step is an ordinary step.
                    await charge_and_notify(ctx, ctx.event.data["order_id"])
            """,
        },
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="order", trigger=inngest.TriggerEvent(event="app/order"))
        async def order(ctx: inngest.Context) -> None:
            async def charge_and_notify() -> dict:
                receipt = await charge(ctx.event.data["order_id"])
                await ctx.step.send_event("notify", inngest.Event(name="app/charged"))  # error: INN104
                return receipt

            await ctx.step.run("charge", charge_and_notify)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="order", trigger=inngest.TriggerEvent(event="app/order"))
        async def order(ctx: inngest.Context) -> None:
            async def charge_and_email() -> None:
                receipt = await charge(ctx.event.data["order_id"])
                await ctx.step.run("email", send_receipt, receipt)  # error: INN104

            await ctx.step.run("charge", charge_and_email)
        """,
        {
            "app/billing.py": """
                import inngest

                async def charge_and_notify(ctx: inngest.Context, order_id: str) -> dict:
                    await ctx.step.send_event("notify", inngest.Event(name="app/charged"))
                    return {"order_id": order_id}
            """,
            "app/jobs.py": """
                import inngest
                from app.billing import charge_and_notify

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="order", trigger=inngest.TriggerEvent(event="app/order"))
                async def order(ctx: inngest.Context) -> None:
                    order_id = ctx.event.data["order_id"]
                    await ctx.step.run("charge", lambda: charge_and_notify(ctx, order_id))  # error: INN104
            """,
        },
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # id(handler scope node) -> the `step.run` call that runs it
        self._handlers: dict[int, cst.Call] = {}
        self._step_calls: list[_StepCall] = []

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        method = context.step_method(node)
        if method is None:
            return
        if method == sdk.STEP_RUN:
            self._note_handler(node)
        scopes: list[int] = []
        for frame in reversed(context.frames):
            if frame.kind in ("class", "module"):
                break
            scopes.append(id(frame.node))
            if frame.kind == "def":
                break
        if scopes:
            self._step_calls.append(_StepCall(node, tuple(scopes)))

    def _note_handler(self, call: cst.Call) -> None:
        handler = step_run_handler(call)
        if handler is None:
            return
        handler = unwrap_partial(self.context, handler)
        if isinstance(handler, cst.Lambda):
            self._handlers.setdefault(id(handler), call)
            helper = called_def(self.context, handler)
            if helper is not None:
                self._handlers.setdefault(id(helper), call)
            return
        definition = resolve_local_def(self.context, handler)
        if definition is not None:
            self._handlers.setdefault(id(definition), call)
        # A handler imported from another module is checked in phase 2 (NestedStepAcrossFiles).

    def finish(self) -> None:
        """Handlers may be defined after the `step.run` that names them, so decide at the end."""
        for step_call in self._step_calls:
            outer = next((self._handlers[s] for s in step_call.scopes if s in self._handlers), None)
            if outer is None:
                continue
            self.report(
                step_call.call,
                f"{step_label(self.context, step_call.call)} is called inside the handler of "
                f"{step_label(self.context, outer)}: nested steps are "
                f"not supported and fail the run with a non-retriable error; call it from the function "
                f"body instead",
                context=step_id_context(step_call.call),
            )
