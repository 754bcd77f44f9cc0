"""INN608 sleep-too-long."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules._config import (
    NOW_CALLS,
    Duration,
    describe_duration,
    duration,
    qualified_call,
    resolve,
    timedelta_of,
)
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.values import argument, keyword


class SleepTooLong(Rule):
    """A sleep or a wait longer than the platform allows.

    ## What it does
    Flags `step.sleep` with a duration, `step.sleep_until` with `now() + timedelta(...)`, and a
    `step.wait_for_event(timeout=...)` or `Cancel(timeout=...)`, whose literal duration (an int
    of milliseconds or a `timedelta` of literals) is longer than one year, the platform maximum.
    The setting `max-sleep` (e.g. `max-sleep = "7d"` for the free plan's limit) lowers it.

    ## Why is this bad?
    Inngest caps sleeps and waits at one year (seven days on the free plan). A longer one does
    not wait as long as the code says: the run fails or the timeout fires early, usually long
    after the code shipped.

    ## Use instead
    Sleep in steps of at most the limit, or schedule the work with an event later.
    """

    code = "INN608"
    name = "sleep-too-long"
    options = ("max-sleep",)

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="billing")

        @client.create_function(fn_id="renewal", trigger=inngest.TriggerEvent(event="billing/subscribed"))
        async def renewal(ctx: inngest.Context) -> None:
            await ctx.step.sleep("renewal-reminder", datetime.timedelta(days=330))
            await ctx.step.run("remind", send_renewal_reminder)
        """,
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="billing")

        @client.create_function(
            fn_id="renewal",
            trigger=inngest.TriggerEvent(event="billing/subscribed"),
            cancel=[inngest.Cancel(event="billing/cancelled", timeout=datetime.timedelta(days=365))],
        )
        async def renewal(ctx: inngest.Context) -> None:
            await ctx.step.sleep("reminder", datetime.timedelta(days=330))
            await ctx.step.wait_for_event("renewed", event="billing/renewed", timeout=datetime.timedelta(weeks=2))
        """,
    )
    INVALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="billing")

        @client.create_function(fn_id="renewal", trigger=inngest.TriggerEvent(event="billing/subscribed"))
        async def renewal(ctx: inngest.Context) -> None:
            await ctx.step.sleep("renewal-reminder", datetime.timedelta(days=400))  # error: INN608
            await ctx.step.run("remind", send_renewal_reminder)
        """,
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="billing")

        @client.create_function(fn_id="renewal", trigger=inngest.TriggerEvent(event="billing/subscribed"))
        async def renewal(ctx: inngest.Context) -> None:
            await ctx.step.sleep("reminder", datetime.timedelta(days=400))  # error: INN608
            await ctx.step.sleep_until(
                "anniversary", datetime.datetime.now() + datetime.timedelta(weeks=60)  # error: INN608
            )
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        owner = qualified_call(context, node)
        if owner == sdk.CANCEL_CLASS:
            self._check(keyword(node, sdk.CANCEL_TIMEOUT_KEYWORD), "Cancel timeout")
            return
        method = context.step_method(node)
        if method == sdk.STEP_SLEEP:
            self._check(argument(node, 1, sdk.STEP_SLEEP_DURATION_KEYWORD), "step.sleep")
        elif method == sdk.STEP_WAIT_FOR_EVENT:
            self._check(keyword(node, sdk.WAIT_FOR_EVENT_TIMEOUT_KEYWORD), "step.wait_for_event timeout")
        elif method == sdk.STEP_SLEEP_UNTIL:
            self._check_until(argument(node, 1, sdk.STEP_SLEEP_UNTIL_KEYWORD))

    def _check(self, value: cst.BaseExpression | None, label: str) -> None:
        if value is None:
            return
        written = duration(self.context, value)
        if written is not None:
            self._report_if_too_long(value, label, written)

    def _check_until(self, value: cst.BaseExpression | None) -> None:
        """`datetime.now() + timedelta(...)` (either order): the offset is the sleep."""
        if value is None:
            return
        expression = resolve(self.context, value)
        if not isinstance(expression, cst.BinaryOperation) or not isinstance(expression.operator, cst.Add):
            return
        for base, offset in ((expression.left, expression.right), (expression.right, expression.left)):
            if self._is_now(base):
                delta = timedelta_of(self.context, offset)
                if delta is not None:
                    written = Duration(delta.total_seconds() * 1000, "timedelta")
                    self._report_if_too_long(value, "step.sleep_until", written)
                return

    def _is_now(self, node: cst.BaseExpression) -> bool:
        node = resolve(self.context, node)
        return isinstance(node, cst.Call) and qualified_call(self.context, node) in NOW_CALLS

    def _report_if_too_long(self, value: cst.BaseExpression, label: str, written: Duration) -> None:
        limit_seconds = self.context.settings.max_sleep_seconds
        if written.seconds <= limit_seconds:
            return
        if limit_seconds == sdk.MAX_SLEEP_SECONDS:
            limit = "the platform maximum of 1 year"
        else:
            limit = f"the max-sleep setting ({describe_duration(limit_seconds * 1000)})"
        self.report(
            value,
            f"{label} of {describe_duration(written.milliseconds)} is longer than {limit}: the run fails or "
            "the wait ends early; split it or schedule the work with a later event",
            context=label,
        )
