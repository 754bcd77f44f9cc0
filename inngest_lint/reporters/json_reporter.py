"""A JSON array of findings, stable for tooling (named json_reporter to keep stdlib json importable)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from inngest_lint.diagnostics import Diagnostic, Location, display_path, printable
from inngest_lint.reporters.base import Reporter, docs_anchor, rule_name


def diagnostic_to_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    name = rule_name(diagnostic.code)
    return {
        "code": diagnostic.code,
        "name": name,
        "message": printable(diagnostic.message),
        "path": printable(diagnostic.path),
        "line": diagnostic.line,
        "column": diagnostic.column,
        "end_line": diagnostic.end_line,
        "end_column": diagnostic.end_column,
        "severity": diagnostic.severity.value,
        # The rule's documentation (docs/rules.md on GitHub); null for a code no rule has (an
        # internal error's).
        "url": docs_anchor(diagnostic.code, name) if name else None,
        # A cross-file finding reported at its cause (see Diagnostic.caused_by): the affected code.
        "affected": _location(diagnostic.affected) if diagnostic.affected is not None else None,
    }


def _location(location: Location) -> dict[str, Any]:
    return {
        "path": printable(display_path(location.path)),
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
    }


class JsonReporter(Reporter):
    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0, baseline_hidden: int = 0) -> None:
        json.dump([diagnostic_to_dict(d) for d in diagnostics], self.stream, indent=2)
        self.stream.write("\n")
