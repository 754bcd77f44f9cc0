"""INN104, the cross-file half (a project rule sharing the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._project_helpers import (
    called_helpers,
    helper_named,
    imported_step_handlers,
)
from inngest_lint.rules.base import ProjectRule


class NestedStepAcrossFiles(ProjectRule):
    """The project half of nested-step: a step handler that reaches a step call through a
    project helper, which the file rule cannot see.

    - a `step.run` handler imported from another module that makes a step call itself (through
      a context or step parameter): reported at the `step.run`;
    - a step handler defined in the function (a lambda or nested def) that calls a project
      helper making a step call, in any module: reported at the helper call. A lambda whose
      whole body calls a def of the same file is the file rule's (it follows that def).

    Helpers are followed one level: a helper that calls another helper is not read through.
    """

    companion = True
    code = "INN104"

    def check(self):  # type: ignore[no-untyped-def]
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
                )
