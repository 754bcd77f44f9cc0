"""INN107, the cross-file half (a project rule sharing the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Location
from inngest_lint.facts.model import Definition
from inngest_lint.rules._project_helpers import CallGraph, Hop
from inngest_lint.rules.base import ProjectRule


def _sleeps(definition: Definition) -> tuple[str, Location] | None:
    if definition.sleep and definition.sleep_location is not None:
        return f"calls `{definition.sleep}()`", definition.sleep_location
    return None


class SleepInFunctionAcrossFiles(ProjectRule):
    """The project half of sleep-in-function: a project helper called from an Inngest
    function's body (outside a step) that sleeps, or calls a helper that does, up to
    `follow-depth` calls deep across modules. Reported at the body's call site, naming the chain.
    """

    half_of = "INN107"

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        graph = CallGraph(index)
        for function in index.functions:
            for call in function.body_calls:
                if call.in_step_handler:
                    continue  # a back-off inside a step is the handler's business
                target = graph.resolve(call.callee)
                if target is None:
                    continue
                definition, module, _ = target
                chain = graph.follow(Hop(call.label, definition, module), _sleeps, "sleep")
                if chain is None:
                    continue
                repeats = (
                    " and runs again on every re-entry (the body re-runs for each step)"
                    if function.makes_step_call and call.precedes_step
                    else ""
                )
                yield self.diagnostic(
                    call.location,
                    f"{chain.text(self.shown, call.label)}, in Inngest function '{function.handler_name}' outside a "
                    f"step: it holds the worker for the whole wait{repeats}; "
                    f'use `ctx.step.sleep("<id>", timedelta(...))` so Inngest waits durably',
                    context=call.label,
                    related=(chain.location,),
                )
