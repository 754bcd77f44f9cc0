"""INN105 wait-for-event-no-timeout."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
from inngest_lint.rules._fixes import timedelta_call
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.edits import with_keyword_argument
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

    ## Fix
    Adds `timeout=datetime.timedelta(days=1)` (with `import datetime` when the file has no
    import of it and nothing else is named `datetime`). Unsafe: the call as written cannot run
    (`Step.wait_for_event` in `inngest/_internal/step_lib/step_async.py` declares `timeout`
    without a default), but how long to wait is a business decision; a day is a conservative
    start (long enough for most replies, far below the platform's one-year limit), and the code
    after the wait must handle the `None` a timeout returns (INN106).
    """

    code = "INN105"
    name = "wait-for-event-no-timeout"
    fixable = "unsafe"

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="invoice", trigger=inngest.TriggerEvent(event="app/invoice.created"))
            async def invoice(ctx: inngest.Context) -> None:
                approval = await ctx.step.wait_for_event("wait-approval", event="app/invoice.approved")
                reply = await ctx.step.wait_for_event(
                    "wait-reply",
                    event="app/invoice.reply",
                )
            """,
            """
            import inngest
            import datetime

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="invoice", trigger=inngest.TriggerEvent(event="app/invoice.created"))
            async def invoice(ctx: inngest.Context) -> None:
                approval = await ctx.step.wait_for_event("wait-approval", event="app/invoice.approved", timeout=datetime.timedelta(days=1))
                reply = await ctx.step.wait_for_event(
                    "wait-reply",
                    event="app/invoice.reply",
                    timeout=datetime.timedelta(days=1),
                )
            """,
        ),
    )

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
            fix=self._fix(node),
        )

    def _fix(self, node: cst.Call) -> Fix | None:
        delay = timedelta_call(self.context, 86_400_000)
        if delay is None:
            return None
        value, statements = delay
        added = with_keyword_argument(node, sdk.WAIT_FOR_EVENT_TIMEOUT_KEYWORD, value)
        return self.context.fix("add timeout=1 day", [(node, added)], safe=False, statements=statements)
