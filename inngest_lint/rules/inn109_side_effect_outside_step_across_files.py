"""INN109, the cross-file half (a project rule under the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._project_helpers import (
    called_helpers,
    helper_effect,
    helper_named,
)
from inngest_lint.rules.base import ProjectRule


class SideEffectOutsideStepAcrossFiles(ProjectRule):
    """The cross-file half of INN109 (`SideEffectOutsideStep`, whose docs and examples cover
    both halves): the project helpers that its docs say are followed, read from the project index.

    The file rule judges only calls written in the body and this half only calls of project
    helpers, so the two never report the same call.
    """

    half_of = "INN109"

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        for function in index.functions:
            if not function.makes_step_call:
                continue  # the body runs once per attempt
            for helper in called_helpers(index, function):
                call = helper.call
                if call.in_step_handler or not call.precedes_step:
                    continue  # memoized, or no step call can follow it: it runs once per attempt
                effect = helper_effect(index, helper.definition)
                if effect is None:
                    continue
                description, location = effect
                yield Diagnostic.at(
                    call.location,
                    self.code,
                    f"{helper_named(call, helper.definition, self.shown(location))} makes {description}, and "
                    f"Inngest function '{function.handler_name}' calls it outside a step, so it repeats on every "
                    f"re-entry (the body re-runs for each step); call it inside a `step.run` handler instead",
                    context=call.label,
                    related=(location,),
                    caused_by=location,
                )
