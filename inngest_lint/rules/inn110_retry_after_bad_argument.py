"""INN110 retry-after-bad-argument."""

from __future__ import annotations

import re

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
from inngest_lint.rules._config import (
    duration,
    has_spread,
    is_string_expression,
    number,
    qualified_call,
    shown_string,
    string_value,
    timedelta_hint,
)
from inngest_lint.rules._fixes import timedelta_call
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.values import argument

_UNITS_MS = {
    "ms": 1,
    "msec": 1,
    "millisecond": 1,
    "milliseconds": 1,
    "s": 1000,
    "sec": 1000,
    "secs": 1000,
    "second": 1000,
    "seconds": 1000,
    "m": 60_000,
    "min": 60_000,
    "mins": 60_000,
    "minute": 60_000,
    "minutes": 60_000,
    "h": 3_600_000,
    "hr": 3_600_000,
    "hrs": 3_600_000,
    "hour": 3_600_000,
    "hours": 3_600_000,
    "d": 86_400_000,
    "day": 86_400_000,
    "days": 86_400_000,
    "w": 604_800_000,
    "week": 604_800_000,
    "weeks": 604_800_000,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)", re.IGNORECASE)


def parse_duration_text(text: str) -> float | None:
    """Milliseconds of a duration string such as "5m", "30s", "1h30m", "2 minutes"; else None."""
    compact = text.strip()
    if not compact or len(compact) > 40:
        return None
    position = 0
    total = 0.0
    for match in _DURATION_PART.finditer(compact):
        if compact[position : match.start()].strip(" ,"):
            return None
        unit = _UNITS_MS.get(match.group(2).lower())
        if unit is None:
            return None
        total += float(match.group(1)) * unit
        position = match.end()
    if position == 0 or compact[position:].strip():
        return None
    return total


class RetryAfterBadArgument(Rule):
    """`RetryAfterError` given a string delay, swapped arguments, or a missing argument.

    ## What it does
    Flags `RetryAfterError(message, retry_after)` calls whose `retry_after` (the second
    positional argument or the `retry_after=` keyword) is a string such as `"5m"`, whose
    arguments are swapped (`RetryAfterError("5m", "API timeout")`), or that leave out
    `retry_after` or the message. The class is found by its qualified name through every import
    style, including the mistaken `from inngest.errors import RetryAfterError`.

    ## Why is this bad?
    `retry_after` takes int milliseconds, a `datetime.timedelta` or a `datetime.datetime`. A
    string is kept as it is and breaks when the SDK reports the error, so instead of retrying
    later the run fails with an unrelated error. Both arguments are required (`message` has no
    default), so leaving one out raises `TypeError` exactly when the code was trying to
    schedule a retry.

    ## Fix
    Swapped arguments are swapped back, and a string delay written as a literal (`"5m"`,
    `"30s"`, `"1h30m"`) becomes the `datetime.timedelta` it spells (`import datetime` is added
    when the file has no import of it and nothing else is named `datetime`). Safe: the call as
    written can only fail (`RetryAfterError.__init__` in `inngest/_internal/errors.py` accepts
    int milliseconds, a timedelta or a datetime, and the SDK breaks on a string when it reports
    the error), and the fixed call asks for exactly the delay the string spells. A delay held in a
    variable, or a string that is not a plain duration, is left for a human.
    """

    code = "INN110"
    name = "retry-after-bad-argument"
    fixable = "safe"

    VALID = (
        """
        import datetime

        import httpx
        import inngest


        async def fetch(url: str) -> dict:
            try:
                async with httpx.AsyncClient(timeout=30) as http:
                    return (await http.get(url)).json()
            except httpx.TimeoutException:
                raise inngest.RetryAfterError("External API timeout", datetime.timedelta(minutes=5))
        """,
        """
        import datetime

        from inngest import RetryAfterError


        def charge(response, reset_at: datetime.datetime) -> None:
            if response.status_code == 429:
                raise RetryAfterError("rate limited", retry_after=reset_at)
            if response.status_code == 503:
                raise RetryAfterError(message="unavailable", retry_after=30_000)
        """,
    )
    INVALID = (
        """
        import httpx
        import inngest


        async def fetch(url: str) -> dict:
            try:
                async with httpx.AsyncClient(timeout=30) as http:
                    return (await http.get(url)).json()
            except httpx.TimeoutException:
                raise inngest.RetryAfterError("5m", "External API timeout")  # error: INN110
        """,
        """
        from inngest import RetryAfterError


        def charge(response) -> None:
            if response.status_code == 429:
                raise RetryAfterError("rate limited", retry_after="30s")  # error: INN110
        """,
    )

    FIXES = (
        (
            """
            import inngest


            def fetch() -> None:
                raise inngest.RetryAfterError("5m", "External API timeout")
            """,
            """
            import inngest
            import datetime


            def fetch() -> None:
                raise inngest.RetryAfterError("External API timeout", datetime.timedelta(minutes=5))
            """,
        ),
        (
            """
            from datetime import timedelta

            from inngest import RetryAfterError


            def charge(response) -> None:
                if response.status_code == 429:
                    raise RetryAfterError("rate limited", retry_after="30s")
                raise RetryAfterError(30_000, "unavailable")
            """,
            """
            from datetime import timedelta

            from inngest import RetryAfterError


            def charge(response) -> None:
                if response.status_code == 429:
                    raise RetryAfterError("rate limited", retry_after=timedelta(seconds=30))
                raise RetryAfterError("unavailable", 30_000)
            """,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = qualified_call(self.context, node)
        if name != sdk.RETRY_AFTER_ERROR and name not in sdk.RETRY_AFTER_ERROR_ALIASES:
            return
        if has_spread(node):
            return
        message = argument(node, 0, sdk.RETRY_AFTER_MESSAGE_KEYWORD)
        retry_after = argument(node, 1, sdk.RETRY_AFTER_KEYWORD)
        if retry_after is None:
            self._missing_retry_after(node, message)
            return
        if message is None:
            self.report(
                node,
                "RetryAfterError is missing its message: `message` is the first argument and has no "
                "default, so raising it fails with TypeError; pass a message first",
            )
            return
        self._check_retry_after(node, message, retry_after)

    def _missing_retry_after(self, node: cst.Call, message: cst.BaseExpression | None) -> None:
        if message is None:
            self.report(
                node,
                "RetryAfterError() needs a message and retry_after (int milliseconds, a timedelta or a "
                "datetime); raising it fails with TypeError",
            )
            return
        delay = self._delay_of(message)
        if delay is not None:
            self.report(
                node,
                "RetryAfterError is given only a delay: the first argument is the message and "
                f'retry_after comes second; write RetryAfterError("<message>", {delay})',
            )
            return
        self.report(
            node,
            "RetryAfterError is missing retry_after (int milliseconds, a timedelta or a datetime): "
            "raising it fails with TypeError; add e.g. retry_after=datetime.timedelta(minutes=5)",
        )

    def _check_retry_after(self, node: cst.Call, message: cst.BaseExpression, retry_after: cst.BaseExpression) -> None:
        context = self.context
        if is_string_expression(context, retry_after):
            text = string_value(context, retry_after)
            message_delay = self._delay_of(message)
            if message_delay is not None and text is not None:
                self.report(
                    node,
                    "RetryAfterError arguments are swapped: the message comes first and retry_after "
                    "second (int milliseconds, a timedelta or a datetime); write "
                    f"RetryAfterError({shown_string(text)}, {message_delay})",
                    fix=self._swap_fix(message, retry_after),
                )
                return
            shown = shown_string(text) if text is not None else "a string"
            milliseconds = parse_duration_text(text) if text is not None else None
            hint = timedelta_hint(milliseconds) if milliseconds else "datetime.timedelta(...)"
            self.report(
                retry_after,
                f"RetryAfterError retry_after is {'the string ' if text is not None else ''}{shown}: it takes "
                f"int milliseconds, a timedelta or a datetime, and a string breaks the retry; write {hint}",
                fix=self._delay_fix(retry_after),
            )
            return
        value = number(context, retry_after)
        if isinstance(value, float):
            self.report(
                node,
                f"RetryAfterError retry_after is the float {value:g}: it takes int milliseconds, a timedelta "
                "or a datetime; write an int or a datetime.timedelta",
            )

    def _delay_of(self, node: cst.BaseExpression) -> str | None:
        """How to write `node` as retry_after when it looks like a delay, else None."""
        context = self.context
        text = string_value(context, node)
        if text is not None:
            milliseconds = parse_duration_text(text)
            return timedelta_hint(milliseconds) if milliseconds else None
        written = duration(context, node)
        if written is not None:
            return snippet(context, node, None)
        return None

    # ------------------------------------------------------------------ fixes
    def _as_delay(
        self, node: cst.BaseExpression
    ) -> tuple[cst.BaseExpression, tuple[cst.SimpleStatementLine, ...]] | None:
        """`node` (a literal duration string or a literal int or timedelta) written as a
        retry_after value, with the statements that needs; None when it is not certain."""
        text = literal_string(node)
        if text is not None:
            milliseconds = parse_duration_text(text)
            return timedelta_call(self.context, milliseconds) if milliseconds else None
        if isinstance(node, (cst.Integer, cst.Call)) and duration(self.context, node) is not None:
            return node, ()  # already a delay: it only moves
        return None

    def _swap_fix(self, message: cst.BaseExpression, retry_after: cst.BaseExpression) -> Fix | None:
        delay = self._as_delay(message)
        if delay is None or literal_string(retry_after) is None:
            return None
        value, statements = delay
        return self.context.fix(
            "swap the RetryAfterError arguments", [(message, retry_after), (retry_after, value)], statements=statements
        )

    def _delay_fix(self, retry_after: cst.BaseExpression) -> Fix | None:
        text = literal_string(retry_after)
        if text is None:
            return None
        delay = self._as_delay(retry_after)
        if delay is None:
            return None
        value, statements = delay
        return self.context.fix(
            f"write {shown_string(text)} as a timedelta", [(retry_after, value)], statements=statements
        )
