"""INN104, the cross-file half (a project rule sharing the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._project import shown
from inngest_lint.rules.base import ProjectRule


class NestedStepAcrossFiles(ProjectRule):
    """The cross-file half of nested-step: a `step.run` handler imported from another module
    of the project that itself makes a step call (through a context or step parameter)."""

    companion = True
    code = "INN104"
    name = "nested-step"

    def check(self):  # type: ignore[no-untyped-def]
        index = self.index
        for function in index.functions:
            for step_run in function.step_runs:
                if step_run.handler.kind != "symbol":
                    continue
                resolved = index.resolve(step_run.handler.value)
                if resolved.kind != "definition" or resolved.module == function.module:
                    continue  # same-file handlers are the file rule's
                definition = resolved.value
                if definition.step_call is None:
                    continue
                yield Diagnostic.at(
                    step_run.location,
                    self.code,
                    f"step '{step_run.step_id}' runs '{definition.symbol}', which makes a step call itself "
                    f"({shown(definition.step_call)}): nested steps are not supported and fail the run with a "
                    f"non-retriable error; call that step from the function body instead",
                    context=step_run.step_id,
                    related=(definition.step_call,),
                )
