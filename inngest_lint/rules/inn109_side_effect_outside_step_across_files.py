"""INN109, the cross-file half (a project rule under the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Location
from inngest_lint.facts.model import Definition
from inngest_lint.rules._project_helpers import CallGraph, Hop, helper_effect
from inngest_lint.rules.base import ProjectRule


class SideEffectOutsideStepAcrossFiles(ProjectRule):
    """The cross-file half of INN109 (`SideEffectOutsideStep`, whose docs and examples cover
    both halves): the project helpers that its docs say are followed, read from the project index.

    A helper called from the re-run body (where a step call can still follow the call) counts
    when it, or a helper it calls (up to `follow-depth` calls deep, across modules), makes a
    certain side effect in its own body; a call of a function declared in `io-functions` counts
    at any depth. Reported at the body's call site, naming the chain. The file rule judges only
    calls written in the body and this half only calls of project helpers, so the two never
    report the same call.
    """

    half_of = "INN109"

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        graph = CallGraph(index)

        def effect(definition: Definition) -> tuple[str, Location] | None:
            found = helper_effect(index, definition)
            return (f"makes {found[0]}", found[1]) if found is not None else None

        for function in index.functions:
            if not function.makes_step_call:
                continue  # the body runs once per attempt
            for call in function.body_calls:
                if call.in_step_handler or not call.precedes_step:
                    continue  # memoized, or no step call can follow it: it runs once per attempt
                declared = graph.declared_io(call.callee)
                if declared is not None:
                    text = f"'{call.label}' (declared in io-functions as {declared}) does I/O"
                    related: tuple[Location, ...] = ()
                else:
                    target = graph.resolve(call.callee)
                    if target is None:
                        continue
                    definition, module, _ = target
                    chain = graph.follow(Hop(call.label, definition, module), effect, "effect", io=True)
                    if chain is None:
                        continue
                    text = chain.text(self.shown, call.label)
                    related = (chain.location,)
                yield Diagnostic.at(
                    call.location,
                    self.code,
                    f"{text}, and Inngest function '{function.handler_name}' calls it outside a step, so it repeats "
                    f"on every re-entry (the body re-runs for each step); call it inside a `step.run` handler instead",
                    context=call.label,
                    related=related,
                    caused_by=related[0] if related else None,
                )
