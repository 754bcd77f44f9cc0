"""INN104, the cross-file half (a project rule under the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._project_helpers import (
    called_helpers,
    helper_named,
    imported_step_handlers,
)
from inngest_lint.rules.base import ProjectRule


class NestedStepAcrossFiles(ProjectRule):
    """The cross-file half of INN104 (`NestedStep`, whose docs and examples cover both halves):
    the project helpers that its docs say are followed, read from the project index.

    Split with the file rule so that no call is reported twice: an imported `step.run` handler
    is this half's (at the `step.run`), and so is a helper called from a step handler unless the
    handler is a lambda calling a def of the same file, which the file rule follows itself.
    """

    half_of = "INN104"

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        for function in index.functions:
            for step_run, definition in imported_step_handlers(index, function):
                if definition.step_call is None:
                    continue
                yield Diagnostic.at(
                    step_run.location,
                    self.code,
                    f"step '{step_run.step_id}' runs '{definition.symbol}', which makes a step call itself "
                    f"({self.shown(definition.step_call)}): nested steps are not supported and fail the run with a "
                    f"non-retriable error; call that step from the function body instead",
                    context=step_run.step_id,
                    related=(definition.step_call,),
                    caused_by=definition.step_call,
                )
            for helper in called_helpers(index, function):
                call, definition = helper.call, helper.definition
                if not call.in_step_handler or definition.step_call is None:
                    continue
                if call.lambda_body and helper.module == function.module and "." not in call.label:
                    continue  # `lambda: helper(ctx)` with a def of the same file: the file rule's
                yield Diagnostic.at(
                    call.location,
                    self.code,
                    f"a step handler in Inngest function '{function.handler_name}' calls "
                    f"{helper_named(call, definition, self.shown(definition.location))}, which makes a step call "
                    f"({self.shown(definition.step_call)}): "
                    f"nested steps are not supported and fail the run with a non-retriable error; call that "
                    f"step from the function body instead",
                    context=call.label,
                    related=(definition.step_call,),
                    caused_by=definition.step_call,
                )
