"""INN501 large-step-return."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inngest_lint.diagnostics import Diagnostic, Location, Severity, shortened
from inngest_lint.facts.model import ReturnedValue
from inngest_lint.rules._project_helpers import CallGraph, returned_large
from inngest_lint.rules.base import ProjectRule

if TYPE_CHECKING:
    from inngest_lint.facts.index import ProjectIndex

#: Methods whose result is unbounded by name, before the `large-return-calls` setting adds more.
DEFAULT_LARGE_CALLS = frozenset(
    {"fetchall", "get_all", "find_all", "scan", "readlines", "read_text", "read_bytes", "iter_all", "list_all"}
)
#: What each kind of returned value is, in a message (after the code; see `RETURN_KINDS`).
#: A method the large calls name is shown alone; "call" and "attribute" are unbounded only when
#: the settings name them.
_WHAT: dict[str, str] = {
    "response-body": " (a whole response body)",
    "attribute": " (a whole response body)",
    "data-frame": " (a whole data frame)",
    "query-set": " (a whole query set)",
    "all-rows": " (every row)",
    "filtered-query-set": " (an unbounded query set)",
    "cursor": " (an unbounded cursor)",
    "file-read": " (a whole file or body)",
}
_METHOD_KINDS = frozenset({"call", "all-rows", "filtered-query-set", "cursor", "file-read"})
#: How much of the returned code a message shows.
_SHOWN = 60


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
    silent. A handler that returns another function's result (`lambda: load(cursor)`,
    `return wrap(cursor)`, `Page(items=load(cursor)).model_dump()` with `Page` a class of the
    project) is followed through the project's functions, up to `follow-depth` calls deep, and
    the message names the chain; a result passed to another function (`summarize(load(c))`) or
    to a class from outside the project is not. The names are configurable with
    `large-return-calls` (method names, and plain
    function calls by name or qualified name: `load_all`, `reports.export.everything`) and
    `large-return-attributes`.

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

    def __init__(self, index: ProjectIndex) -> None:
        super().__init__(index)
        self.large_calls = DEFAULT_LARGE_CALLS | frozenset(self.settings.large_return_calls)
        self.large_attributes = frozenset(self.settings.large_return_attributes)

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        graph = CallGraph(index)
        for function in index.functions:
            for step_run in function.step_runs:
                returns = self.unbounded(step_run.local_returns)
                returned_calls = step_run.returned_calls
                if not returns and step_run.handler.kind == "symbol":
                    definition = index.definition_for(step_run.handler)
                    returns = self.unbounded(definition.returns) if definition is not None else []
                    returned_calls = definition.returned_calls if definition is not None else ()
                handler = (
                    f"'{step_run.handler_label}'" if step_run.handler_label not in ("", "lambda") else "its lambda"
                )
                if returns:
                    first = returns[0]
                    how = f"{first.reason} from {handler} ({self.shown(first.location)})"
                else:
                    chain = returned_large(graph, returned_calls, self.shown, self.unbounded)
                    if chain is None:
                        continue
                    text, first = chain
                    how = f"{text} {first.reason} ({self.shown(first.location)}), from {handler}"
                yield self.diagnostic(
                    step_run.location,
                    f"step '{step_run.step_id}' returns {how}, which can exceed the 4 MB step output limit; store "
                    f"the data and return a reference and a count",
                    context=step_run.step_id,
                    related=(first.location,),
                    caused_by=first.location,
                )
            for large in self.unbounded(function.returns):
                yield self.diagnostic(
                    large.location,
                    f"Inngest function '{function.handler_name}' returns {large.reason}, which can exceed "
                    f"Inngest's output limits; return a reference and a count instead",
                )

    def unbounded(self, returned: Sequence[ReturnedValue]) -> list[_Unbounded]:
        """The return statements whose value is likely unbounded, each with the first of its
        parts the settings judge so (a returned list or dict records one part per item)."""
        found: list[_Unbounded] = []
        for value in returned:
            if found and found[-1].location == value.location:
                continue  # this statement is judged already
            reason = self.reason(value)
            if reason is not None:
                found.append(_Unbounded(reason, value.location))
        return found

    def reason(self, value: ReturnedValue) -> str | None:
        """How a message names an unbounded value (`` `rows.all()` (every row) ``), else None."""
        if value.kind in _METHOD_KINDS and value.name in self.large_calls:
            what = ""
        elif value.kind in ("call", "function-call") and self._declared(value):
            what = " (declared in large-return-calls)"
        elif value.kind in ("call", "function-call") or (
            value.kind == "attribute" and value.name not in self.large_attributes
        ):
            return None
        else:
            what = _WHAT[value.kind]
        return "a comprehension over " * value.comprehensions + f"`{shortened(value.code, _SHOWN)}`{what}"

    def _declared(self, value: ReturnedValue) -> bool:
        """A call the `large-return-calls` setting names by its qualified name
        (`reports.export.everything`), or a plain function call by its name (`load_all`)."""
        declared = self.settings.large_return_calls
        return bool(declared) and (
            value.qualified in declared or (value.kind == "function-call" and value.name in declared)
        )


@dataclass(frozen=True)
class _Unbounded:
    """One return statement judged unbounded: the message's words for it, and where it is."""

    reason: str
    location: Location
