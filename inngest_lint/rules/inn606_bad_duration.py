"""INN606 bad-duration."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules._config import (
    Duration,
    describe_duration,
    duration,
    qualified_call,
    timedelta_hint,
)
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.values import argument, keyword


class BadDuration(Rule):
    """A configuration duration under one second or not a whole number of seconds.

    ## What it does
    Checks durations written in the source (an int of milliseconds, arithmetic on literals, or
    `datetime.timedelta(...)` of literals) in `Debounce(period=, timeout=)`, `Throttle(period=)`,
    `RateLimit(period=)`, `Batch(timeout=)`, `Cancel(timeout=)`, `Timeouts(start=, finish=)`,
    `step.wait_for_event(timeout=)` and `step.invoke(timeout=)`: each must be at least 1000 ms
    and a whole number of seconds. Also flags `step.sleep(step_id, n)` with an int below 1000,
    which sleeps `n` milliseconds and is usually meant as seconds.

    ## Why is this bad?
    An int duration is milliseconds. The SDK converts these settings to a duration string and
    raises `FunctionConfigInvalidError` for anything under a second or with a fraction of a
    second: for function options when the app syncs (so no function of the app is registered),
    for `wait_for_event`/`invoke` when the step runs. `step.sleep("wait", 5)` is accepted but
    sleeps 5 milliseconds.
    """

    code = "INN606"
    name = "bad-duration"

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(
            fn_id="sync",
            trigger=inngest.TriggerEvent(event="app/sync"),
            debounce=inngest.Debounce(period=datetime.timedelta(seconds=5)),
        )
        async def sync(ctx: inngest.Context) -> None:
            await ctx.step.sleep("cool-down", datetime.timedelta(seconds=30))
        """,
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(
            fn_id="sync",
            trigger=inngest.TriggerEvent(event="app/sync"),
            debounce=inngest.Debounce(period=5 * 60 * 1000, timeout=datetime.timedelta(minutes=10)),
            throttle=inngest.Throttle(limit=5, period=datetime.timedelta(seconds=1)),
        )
        async def sync(ctx: inngest.Context) -> None:
            await ctx.step.sleep("pause", 250_000)
            await ctx.step.sleep("blink", datetime.timedelta(milliseconds=200))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(
            fn_id="sync",
            trigger=inngest.TriggerEvent(event="app/sync"),
            debounce=inngest.Debounce(period=500),  # error: INN606
        )
        async def sync(ctx: inngest.Context) -> None:
            await ctx.step.sleep("cool-down", 30)  # error: INN606
        """,
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(
            fn_id="sync",
            trigger=inngest.TriggerEvent(event="app/sync"),
            debounce=inngest.Debounce(period=500),  # error: INN606
            batch_events=inngest.Batch(max_size=50, timeout=datetime.timedelta(seconds=2.5)),  # error: INN606
        )
        async def sync(ctx: inngest.Context) -> None:
            await ctx.step.sleep("cool-down", 30)  # error: INN606
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        owner = qualified_call(context, node)
        if owner is not None and owner in sdk.DURATION_ARGUMENTS:
            self._check_config(node, owner.rsplit(".", 1)[-1], sdk.DURATION_ARGUMENTS[owner])
            return
        method = context.step_method(node)
        if method is None:
            return
        if method in sdk.DURATION_ARGUMENTS:
            self._check_config(node, f"step.{method}", sdk.DURATION_ARGUMENTS[method])
        elif method == sdk.STEP_SLEEP:
            self._check_sleep(node)

    def _check_config(self, node: cst.Call, label: str, keywords: frozenset[str]) -> None:
        for name in sorted(keywords):
            value = keyword(node, name)
            if value is None:
                continue
            written = duration(self.context, value)
            if written is None:
                continue
            problem = _config_problem(written)
            if problem is None:
                continue
            self.report(
                value,
                f"{label}({name}={snippet(self.context, value, 40)}) is {problem}: the SDK rejects durations "
                f"under 1 second or with a fraction of a second; {_fix(written)}",
                context=f"{label}.{name}",
            )

    def _check_sleep(self, node: cst.Call) -> None:
        value = argument(node, 1, sdk.STEP_SLEEP_DURATION_KEYWORD)
        if value is None:
            return
        written = duration(self.context, value)
        if written is None or written.kind != "int" or not 0 < written.milliseconds < sdk.MIN_CONFIG_DURATION_MS:
            return
        count = int(written.milliseconds)
        self.report(
            value,
            f"step.sleep({count}) sleeps {count} millisecond{'s' if count != 1 else ''} (an int duration is "
            f"milliseconds); if you meant seconds, write datetime.timedelta(seconds={count})",
            context=str(count),
        )


def _config_problem(written: Duration) -> str | None:
    milliseconds = written.milliseconds
    unit = " ms" if written.kind == "int" else ""
    if milliseconds < sdk.MIN_CONFIG_DURATION_MS:
        shown = f"{milliseconds:g}{unit}" if written.kind == "int" else describe_duration(milliseconds)
        return f"{shown}, under 1 second"
    if milliseconds % 1000:
        return f"{describe_duration(milliseconds)}, not a whole number of seconds"
    return None


def _fix(written: Duration) -> str:
    milliseconds = written.milliseconds
    if written.kind == "int" and milliseconds < sdk.MIN_CONFIG_DURATION_MS and milliseconds > 0:
        hint = timedelta_hint(milliseconds * 1000)
        return f"an int is milliseconds; if you meant {milliseconds:g} seconds, write {hint}"
    rounded = max(1000.0, round(milliseconds / 1000) * 1000)
    return f"use whole seconds, e.g. {timedelta_hint(rounded)}"
