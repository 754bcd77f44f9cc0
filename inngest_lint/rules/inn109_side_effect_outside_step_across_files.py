"""INN109, the cross-file half (a project rule sharing the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._project_helpers import (
    called_helpers,
    helper_effect,
    helper_named,
)
from inngest_lint.rules.base import ProjectRule


class SideEffectOutsideStepAcrossFiles(ProjectRule):
    """The project half of side-effect-outside-step: a project helper called from the re-run
    body of an Inngest function that makes steps, where a step call can still follow the call
    (code no step can follow runs once per attempt), whose own body makes a certain side effect.

    Reported at the body's call site, naming the helper and its first side effect. The file
    rule judges only calls written in the body, so the two never report the same call. The
    helper's effect is one the file rule would report in a body, found by the same code in the
    helper's own body (not its nested defs or lambdas, not its `except` handlers); a `send` on an
    Inngest client imported from another module counts too. Helpers are followed one level.
    """

    companion = True
    code = "INN109"

    def check(self):  # type: ignore[no-untyped-def]
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
                )
