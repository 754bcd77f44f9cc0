"""INN501 large-step-return."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.rules.base import ProjectRule


class LargeStepReturn(ProjectRule):
    """A step handler or function that returns something likely unbounded.

    ## What it does
    Flags `step.run` calls whose handler (a lambda, a nested or module-level def, a def imported
    from another module of the project, or `functools.partial(handler, ...)`) returns a likely
    unbounded value, and Inngest functions that return one: DB-API `fetchall()`, ORM `.all()`,
    `list(queryset)`, `Model.objects.filter(...)`, `get_all()`/`find_all()`/`scan()` style calls,
    `collection.find({...})`, a whole HTTP response body (`response.content`/`.text` of a
    request), file `.read()`, `pandas.read_*()` frames, or a comprehension over one of these.
    A bound anywhere in the chain (`.first()`, `.limit(n)`, `[:n]`, `fetchmany(n)`) makes it
    silent. The names are configurable with `large-return-calls` and `large-return-attributes`.

    ## Why is this bad?
    Step output is limited to 4 MB and is stored in the run's state (32 MB in all). A query that
    returns a few rows in development returns the whole table in production, and the step fails
    every retry.

    ## Use instead
    Store the data and return a reference and a count, or return a bounded page.
    """

    code = "INN501"
    name = "large-step-return"
    options = ("large-return-calls", "large-return-attributes")
    severity = Severity.WARNING

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        def everything(cursor) -> dict:
            cursor.execute("SELECT * FROM orders")
            rows = cursor.fetchall()
            return {"batch_id": store_batch(rows), "count": len(rows)}

        @client.create_function(fn_id="report", trigger=inngest.TriggerEvent(event="app/report"))
        def report(ctx) -> None:
            ctx.step.run("all", everything, ctx.event.data["cursor"])
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        def recent(cursor) -> list:
            cursor.execute("SELECT id FROM orders ORDER BY id DESC")
            return cursor.fetchmany(100)

        @client.create_function(fn_id="report", trigger=inngest.TriggerEvent(event="app/report"))
        def report(ctx) -> None:
            ctx.step.run("recent", recent, ctx.event.data["cursor"])
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        def everything(cursor) -> list:
            cursor.execute("SELECT * FROM orders")
            return cursor.fetchall()

        @client.create_function(fn_id="report", trigger=inngest.TriggerEvent(event="app/report"))
        def report(ctx) -> None:
            ctx.step.run("all", everything, ctx.event.data["cursor"])  # error: INN501
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        for function in index.functions:
            for step_run in function.step_runs:
                returns = step_run.local_returns
                if not returns and step_run.handler.kind == "symbol":
                    definition = index.definition_for(step_run.handler)
                    returns = definition.returns if definition is not None else ()
                if not returns:
                    continue
                first = returns[0]
                handler = (
                    f"'{step_run.handler_label}'" if step_run.handler_label not in ("", "lambda") else "its lambda"
                )
                yield self.diagnostic(
                    step_run.location,
                    f"step '{step_run.step_id}' returns {first.reason} from {handler} "
                    f"({self.shown(first.location)}), which can exceed the 4 MB step output limit; store the "
                    f"data and return a reference and a count",
                    context=step_run.step_id,
                    related=(first.location,),
                    caused_by=first.location,
                )
            for large in function.returns:
                yield self.diagnostic(
                    large.location,
                    f"Inngest function '{function.handler_name}' returns {large.reason}, which can exceed "
                    f"Inngest's output limits; return a reference and a count instead",
                )
