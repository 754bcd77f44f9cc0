"""INN117, the cross-file half (a project rule under the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from collections.abc import Iterator

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
    """The cross-file half of INN117 (`ExceptionSwallowedAsSuccess`, whose docs and examples
    cover both halves): the project helpers that its docs say are followed, read from the index.

    Split with the file rule so that no handler is reported twice: this half reports a handler
    given to `step.run` by name only when it is imported from another module (same-file handlers
    are the file rule's), and the helper calls whose result becomes the step's or the run's.
    """

    half_of = "INN117"

    def check(self) -> Iterator[Diagnostic]:
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
                    caused_by=definition.swallows,
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
                    caused_by=definition.swallows,
                )
