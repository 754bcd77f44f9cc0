"""PHASE 2: build the project index from every file's facts, then run the project rules once."""

from __future__ import annotations

from collections.abc import Iterable

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.engine.file_pass import internal_error
from inngest_lint.facts.index import PreviousVersion, ProjectIndex
from inngest_lint.facts.model import FileFacts
from inngest_lint.modules import ImportResolver
from inngest_lint.settings import Settings


def run_project_rules(
    facts: Iterable[FileFacts],
    settings: Settings,
    enabled_codes: frozenset[str],
    debug: bool = False,
    modules: ImportResolver | None = None,
    previous: PreviousVersion | None = None,
) -> tuple[list[Diagnostic], ProjectIndex]:
    """`previous` (the project at `--since REF`) turns on the deploy-safety rules."""
    from inngest_lint.registry import project_rules

    index = ProjectIndex(facts, settings, modules)
    index.previous = previous
    diagnostics: list[Diagnostic] = []
    for rule_class in project_rules():
        if rule_class.code not in enabled_codes:
            continue
        try:
            diagnostics.extend(rule_class(index).check())
        except Exception as error:  # noqa: BLE001 - one rule's bug must not stop the run
            where = index.files[0].path if index.files else "."
            diagnostics.append(internal_error(where, rule_class.code, error, debug))
    return diagnostics, index
