"""INN404 expression-syntax-error."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint import cel
from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._expressions import expressions, location_in
from inngest_lint.rules.base import ProjectRule


class ExpressionSyntaxError(ProjectRule):
    """A CEL expression (`if_exp`, `expression`, `key`...) that does not parse.

    ## What it does
    Parses every string Inngest evaluates as CEL: `wait_for_event(if_exp=)`,
    `TriggerEvent(expression=)`, `Cancel(if_exp=)`, `Batch(key=, if_exp=)`, the `key=` of
    `Concurrency`, `Debounce`, `Throttle`, `RateLimit` and `Singleton`, `Priority(run=)` and
    `idempotency=`, and reports syntax errors at the offending character: unbalanced quotes or
    parentheses, `=` for `==`, `and`/`or` for `&&`/`||`, `&&&`.

    ## Why is this bad?
    The SDK does not validate expressions. A broken one is rejected when the app syncs, or fails
    at run time so that a wait never matches or a function never triggers.
    """

    code = "INN404"
    name = "expression-syntax-error"

    VALID = (
        """
        import datetime
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/a"))
        async def f(ctx: inngest.Context) -> None:
            await ctx.step.wait_for_event(
                "w",
                event="app/b",
                if_exp="async.data.id == event.data.id",
                timeout=datetime.timedelta(hours=1),
            )
        """,
        """
        import datetime
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/a", expression="event.data.n > 1"))
        async def f(ctx: inngest.Context) -> None:
            await ctx.step.wait_for_event("w", event="app/b", if_exp="async.data.id == event.data.id",
                                          timeout=datetime.timedelta(hours=1))
        """,
    )
    INVALID = (
        """
        import datetime
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/a"))
        async def f(ctx: inngest.Context) -> None:
            await ctx.step.wait_for_event(
                "w",
                event="app/b",
                if_exp="async.data.id = event.data.id",  # error: INN404
                timeout=datetime.timedelta(hours=1),
            )
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        for expression in expressions(self.index):
            error = cel.check_syntax(expression.cel.text)
            if error is None:
                continue
            yield self.diagnostic(
                location_in(expression.cel, error.offset),
                f"{expression.cel.option} is not valid CEL: {error.message} "
                f"(at character {error.offset + 1} of {expression.cel.text!r})",
            )
