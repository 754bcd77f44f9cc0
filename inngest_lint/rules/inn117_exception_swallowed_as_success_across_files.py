"""INN117, the cross-file half (a project rule sharing the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from inngest_lint import sdk
from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._project_helpers import (
    called_helpers,
    helper_named,
    imported_step_handlers,
)
from inngest_lint.rules.base import ProjectRule

NON_RETRIABLE_NAME = sdk.NON_RETRIABLE_ERROR.rsplit(".", 1)[-1]


class ExceptionSwallowedAsSuccessAcrossFiles(ProjectRule):
    """The project half of exception-swallowed-as-success: a project helper whose broad
    `except` returns instead of raising, when the helper's result becomes the step's or the
    run's result.

    - `step.run("x", helper)` with a helper imported from another module (same-file handlers
      are the file rule's): reported at the `step.run`;
    - a call whose value a step handler defined in the function, or the function itself,
      returns (`lambda: helper(...)`, `return helper(...)`, `return await helper(...)`):
      reported at the call.

    A helper called for its effect alone (`notify_slack(...)` as a statement) or whose result
    the caller inspects (`profile = fetch(...)`, then a check) is not reported: a best-effort
    helper that logs and returns a fallback is a deliberate pattern there, and the caller may
    still fail the step on the fallback. Helpers are followed one level.
    """

    companion = True
    code = "INN117"

    def check(self):  # type: ignore[no-untyped-def]
        index = self.index
        advice = f"re-raise in the helper, or raise {NON_RETRIABLE_NAME} when retrying cannot help"
        for function in index.functions:
            for step_run, definition in imported_step_handlers(index, function):
                if definition.swallows is None or definition.kind not in ("def", "async def"):
                    continue
                yield Diagnostic.at(
                    step_run.location,
                    self.code,
                    f"step '{step_run.step_id}' runs '{definition.symbol}', whose `{definition.swallows_as}` "
                    f"({self.shown(definition.swallows)}) catches every exception and returns instead of raising: the "
                    f"step is recorded as succeeded with that fallback and is never retried; {advice}",
                    context=step_run.step_id,
                    related=(definition.swallows,),
                )
            for helper in called_helpers(index, function):
                call, definition = helper.call, helper.definition
                if not call.returned or definition.swallows is None:
                    continue
                if call.in_step_handler:
                    outcome = (
                        "this step handler returns its result, so the step is recorded as succeeded with "
                        "that fallback and is never retried"
                    )
                else:
                    outcome = (
                        f"Inngest function '{function.handler_name}' returns its result, so the run is recorded "
                        f"as succeeded and retries and on_failure never happen"
                    )
                yield Diagnostic.at(
                    call.location,
                    self.code,
                    f"{helper_named(call, definition, self.shown(definition.swallows))} catches every exception "
                    f"(`{definition.swallows_as}`) and returns instead of raising, and {outcome}; {advice}",
                    context=call.label,
                    related=(definition.swallows,),
                )
