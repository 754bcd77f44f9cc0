"""INN125 naive-datetime-for-wake-up."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
from inngest_lint.rules._config import has_spread, qualified_call
from inngest_lint.rules._fixes import utc_timezone
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.values import argument, keyword

_DATETIME_CLASS = "datetime.datetime"
#: `datetime(year, month, day, hour, minute, second, microsecond, tzinfo)`: tzinfo's position.
_TZINFO_POSITION = 7
_TZINFO_KEYWORD = "tzinfo"
#: Constructors that return the current UTC time as a naive datetime.
_NAIVE_UTC = frozenset({"datetime.datetime.utcnow", "datetime.datetime.utcfromtimestamp"})
#: Each naive-UTC constructor's method -> the method that builds the same instant, aware, when
#: given `tz=datetime.timezone.utc` as its last argument (`now(tz)`, `fromtimestamp(ts, tz)`).
_AWARE_METHOD = {"utcnow": ("now", 0), "utcfromtimestamp": ("fromtimestamp", 1)}
#: How deep a local name is followed to the value it was assigned.
_MAX_DEPTH = 3


class NaiveDatetimeForWakeUp(Rule):
    """A naive wall-clock or UTC datetime given to `step.sleep_until` or `RetryAfterError`.

    ## What it does
    Flags the `until` of `step.sleep_until` and the `retry_after` of `RetryAfterError` when it
    is (or adds a delta to, or is a local name assigned) `datetime(...)` without `tzinfo`, or
    `datetime.utcnow()` / `utcfromtimestamp(...)`. Not flagged: `datetime.now() + delta` (the
    SDK does the same itself), aware datetimes (`datetime.now(timezone.utc)`,
    `datetime(..., tzinfo=ZoneInfo("Europe/Paris"))`), and values the linter cannot see.

    ## Why is this bad?
    The SDK converts the datetime with `value.astimezone(datetime.timezone.utc)`
    (`transforms.to_iso_utc`, `inngest/_internal/transforms.py`), called by `Step.sleep_until`
    (`inngest/_internal/step_lib/step_async.py`, `step_sync.py`) and for `RetryAfterError`'s
    `retry_after` by `CallResult` (`inngest/_internal/comm_lib/models.py`); the same in 0.3 and
    0.4. `astimezone` reads a naive datetime as the machine's local time. So
    `datetime(2026, 1, 1, 9)` wakes at 09:00 wherever the worker happens to run (and moves when
    it moves), and `utcnow()`, which holds UTC digits without saying so, is shifted by the
    server's UTC offset: on a machine set to UTC-5 the run wakes five hours late.
    `datetime.now() + delta` is safe: local digits read as local time, as the SDK's own
    `Step.sleep` and `RetryAfterError(..., timedelta)` do.

    ## Fix
    `datetime.datetime.utcnow()` becomes `datetime.datetime.now(datetime.timezone.utc)` and
    `utcfromtimestamp(ts)` becomes `fromtimestamp(ts, datetime.timezone.utc)`: the same instant,
    now aware, so `astimezone(datetime.timezone.utc)` in `transforms.to_iso_utc` keeps it as it
    is. Safe when the call is written in the argument itself: the SDK is the only reader of the
    value, and it now gets the instant the code spelled. Unsafe when the call is reached through
    a local name: other code may read that variable, and an aware datetime cannot be compared
    with a naive one (`TypeError`) and formats with `+00:00`.

    A naive `datetime(...)` gets `tzinfo=datetime.timezone.utc`. Unsafe: the author may have
    meant the server's local time or another zone (`zoneinfo.ZoneInfo`); the fix only makes the
    wake-up independent of where the worker runs.

    `timezone` is written as the file imports it (`timezone.utc` after `from datetime import
    timezone`, `datetime.timezone.utc` after `import datetime`); when neither is imported,
    `import datetime` is added, or `from datetime import timezone` when the name `datetime` is
    the class. No fix when those names are taken by something else.
    """

    code = "INN125"
    name = "naive-datetime-for-wake-up"
    fixable = "safe"

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")


        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/remind"))
        async def remind(ctx: inngest.Context) -> None:
            until = datetime.datetime(2027, 1, 1, 9, tzinfo=datetime.timezone.utc)
            await ctx.step.sleep_until("new-year", until)
            await ctx.step.sleep_until("soon", datetime.datetime.now() + datetime.timedelta(hours=1))
        """,
    )
    INVALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")


        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/remind"))
        async def remind(ctx: inngest.Context) -> None:
            await ctx.step.sleep_until("new-year", datetime.datetime(2027, 1, 1, 9))  # error: INN125
        """,
    )

    FIXES = (
        (
            """
            import datetime

            import inngest

            client = inngest.Inngest(app_id="app")


            @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/remind"))
            async def remind(ctx: inngest.Context) -> None:
                await ctx.step.sleep_until("soon", datetime.datetime.utcnow() + datetime.timedelta(hours=1))
                await ctx.step.sleep_until("new-year", datetime.datetime(2027, 1, 1, 9))
            """,
            """
            import datetime

            import inngest

            client = inngest.Inngest(app_id="app")


            @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/remind"))
            async def remind(ctx: inngest.Context) -> None:
                await ctx.step.sleep_until("soon", datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1))
                await ctx.step.sleep_until("new-year", datetime.datetime(2027, 1, 1, 9, tzinfo=datetime.timezone.utc))
            """,
        ),
        (
            """
            from datetime import datetime, timedelta

            from inngest import RetryAfterError


            def check(stamp: float) -> None:
                raise RetryAfterError("rate limited", datetime.utcfromtimestamp(stamp) + timedelta(minutes=5))
            """,
            """
            from datetime import datetime, timedelta

            from inngest import RetryAfterError
            from datetime import timezone


            def check(stamp: float) -> None:
                raise RetryAfterError("rate limited", datetime.fromtimestamp(stamp, timezone.utc) + timedelta(minutes=5))
            """,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if context.step_method(node) == sdk.STEP_SLEEP_UNTIL:
            value = argument(node, 1, sdk.STEP_SLEEP_UNTIL_KEYWORD)
            where = "`step.sleep_until`"
        else:
            name = qualified_call(context, node)
            if name != sdk.RETRY_AFTER_ERROR and name not in sdk.RETRY_AFTER_ERROR_ALIASES:
                return
            if has_spread(node):
                return
            value = argument(node, 1, sdk.RETRY_AFTER_KEYWORD)
            where = "`RetryAfterError`"
        if value is None:
            return
        found = self._naive(value, 0)
        if found is None:
            return
        naive, kind, through_name = found
        shown = snippet(context, naive)
        if kind == "utc":
            advice = (
                f"`{shown}` is UTC without a time zone, and {where} reads a naive datetime as the server's local "
                f"time (`astimezone`), so the wake-up is off by the server's UTC offset; use "
                f"`datetime.datetime.now(datetime.timezone.utc)`"
            )
        else:
            advice = (
                f"`{shown}` has no time zone, and {where} reads a naive datetime as the server's local time "
                f"(`astimezone`), so the wake-up moves with the machine's time zone; pass `tzinfo=` (e.g. "
                f"`datetime.timezone.utc` or a `zoneinfo.ZoneInfo`)"
            )
        fix = self._aware_fix(naive, through_name) if kind == "utc" else self._tzinfo_fix(naive)
        self.report(naive, advice, fix=fix)

    def _naive(self, node: cst.BaseExpression, depth: int) -> tuple[cst.Call, str, bool] | None:
        """The naive constructor `node` evaluates from, with its kind ("wall" or "utc") and
        whether a local name was followed to reach it."""
        if depth > _MAX_DEPTH:
            return None
        # `naive + delta` is naive; `a - b` may be a timedelta (two datetimes), so it is not followed.
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self._naive(node.left, depth + 1) or self._naive(node.right, depth + 1)
        if isinstance(node, cst.Name):
            value = self.context.local_value(node.value)
            found = self._naive(value, depth + 1) if value is not None else None
            return (found[0], found[1], True) if found is not None else None
        if not isinstance(node, cst.Call):
            return None
        name = qualified_call(self.context, node)
        if name in _NAIVE_UTC:
            return node, "utc", False
        if name == _DATETIME_CLASS and not has_spread(node):
            positional = [arg for arg in node.args if arg.keyword is None]
            if len(positional) <= _TZINFO_POSITION and keyword(node, _TZINFO_KEYWORD) is None:
                return node, "wall", False
        return None

    # ------------------------------------------------------------------ fixes
    def _aware_fix(self, call: cst.Call, through_name: bool) -> Fix | None:
        """`X.utcnow()` -> `X.now(tz.utc)`, `X.utcfromtimestamp(ts)` -> `X.fromtimestamp(ts, tz.utc)`."""
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _AWARE_METHOD:
            return None
        method, arity = _AWARE_METHOD[func.attr.value]
        if len(call.args) != arity or any(arg.keyword is not None or arg.star for arg in call.args):
            return None
        utc = utc_timezone(self.context)
        if utc is None:
            return None
        value, statements = utc
        aware = call.with_changes(
            func=func.with_changes(attr=cst.Name(method)), args=_with_last(call.args, cst.Arg(value))
        )
        return self.context.fix(
            f"use `{method}(..., timezone.utc)`, the same instant made aware",
            [(call, aware)],
            safe=not through_name,
            statements=statements,
        )

    def _tzinfo_fix(self, call: cst.Call) -> Fix | None:
        """`datetime(2027, 1, 1, 9)` -> `datetime(2027, 1, 1, 9, tzinfo=datetime.timezone.utc)`."""
        utc = utc_timezone(self.context)
        if utc is None:
            return None
        value, statements = utc
        tzinfo = cst.Arg(
            value,
            keyword=cst.Name(_TZINFO_KEYWORD),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        return self.context.fix(
            "add `tzinfo=timezone.utc`",
            [(call, call.with_changes(args=_with_last(call.args, tzinfo)))],
            safe=False,
            statements=statements,
        )


def _with_last(args: Sequence[cst.Arg], last: cst.Arg) -> list[cst.Arg]:
    """`args` with `last` appended, a comma after the one that ended the list (its own trailing
    comma, if any, moves to the new argument)."""
    if not args:
        return [last]
    *leading, final = args
    comma = final.comma if isinstance(final.comma, cst.Comma) else None
    separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    moved = last.with_changes(comma=comma) if comma is not None else last
    return [*leading, final.with_changes(comma=separator), moved]
