"""INN105 wait-for-event-no-timeout."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.steps import step_id_context, step_id_display
from inngest_lint.semantic.values import keyword


class WaitForEventNoTimeout(Rule):
    """A `wait_for_event` step without `timeout=`.

    ## What it does
    Flags `ctx.step.wait_for_event(...)` (and `step.wait_for_event` in old `(ctx, step)`
    handlers) called without the `timeout=` keyword.

    ## Why is this bad?
    `timeout` is a required keyword-only parameter of `wait_for_event` in every supported SDK
    version: the call raises `TypeError` when the function reaches it, after the earlier steps
    already ran. A wait also needs a limit by design: when the event never comes, the result
    is `None` after the timeout.

    ## Not flagged
    A call that passes `**options`: the timeout may be in them.
    """

    code = "INN105"
    name = "wait-for-event-no-timeout"

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="invoice", trigger=inngest.TriggerEvent(event="app/invoice.created"))
        async def invoice(ctx: inngest.Context) -> None:
            approval = await ctx.step.wait_for_event(
                "wait-approval",
                event="app/invoice.approved",
                timeout=datetime.timedelta(days=7),
            )
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="invoice", trigger=inngest.TriggerEvent(event="app/invoice.created"))
        async def invoice(ctx: inngest.Context) -> None:
            approval = await ctx.step.wait_for_event(  # error: INN105
                "wait-approval",
                event="app/invoice.approved",
            )
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if context.step_method(node) != sdk.STEP_WAIT_FOR_EVENT:
            return
        if keyword(node, sdk.WAIT_FOR_EVENT_TIMEOUT_KEYWORD) is not None:
            return
        if any(arg.star == "**" for arg in node.args):
            return
        shown = step_id_display(context, node)
        what = f"wait_for_event {shown}" if shown else "wait_for_event"
        self.report(
            node,
            f"{what} has no `timeout=`: it is a "
            f"required keyword (TypeError when the function reaches it); pass e.g. "
            f"timeout=datetime.timedelta(days=1)",
            context=step_id_context(node),
        )
