"""A JSON array of findings, stable for tooling (named json_reporter to keep stdlib json importable)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from inngest_lint.diagnostics import Diagnostic, printable
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
        "docs": docs_anchor(diagnostic.code, name),
    }


class JsonReporter(Reporter):
    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0) -> None:
        json.dump([diagnostic_to_dict(d) for d in diagnostics], self.stream, indent=2)
        self.stream.write("\n")
