"""INN114, the cross-file half (a project rule under the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._project_helpers import imported_step_handlers
from inngest_lint.rules.base import ProjectRule


class AsyncCallbackInSyncStepAcrossFiles(ProjectRule):
    """The cross-file half of INN114 (`AsyncCallbackInSyncStep`, whose docs and examples cover
    both halves): a callback imported from another module of the project, read from the index;
    the file rule judges the callbacks defined in the same file."""

    half_of = "INN114"

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        for function in index.functions:
            if function.is_async:
                continue
            for step_run, definition in imported_step_handlers(index, function):
                if definition.kind != "async def" or definition.decorated:
                    continue
                yield Diagnostic.at(
                    step_run.location,
                    self.code,
                    f"step '{step_run.step_id}' runs async def '{definition.symbol}' ({self.shown(definition.location)}) "
                    f"with the sync step API of the plain def function '{function.handler_name}': it returns a "
                    f"coroutine that cannot be serialized; make the callback a plain def or the function async",
                    context=step_run.step_id,
                    caused_by=definition.location,
                )
