"""GitLab Code Quality JSON: the report a merge request shows as new and fixed issues.

GitLab compares the report of a merge request with the one of its target branch by
`fingerprint`, so the fingerprint must survive edits above a finding (see `_source`: it hashes
the path, code, the rule's stable context or message, and the flagged line's text, never the line
number) and be unique within a report. Paths are relative to the repository root, as GitLab
resolves them, even when the linter runs in a sub-directory.

Severities: an error is `major`, a warning `minor`; an internal error (a rule crashed) is `info`,
listed so that it is seen, but not a quality issue of the code. The description starts with the
rule code, because GitLab's widget shows the description and not `check_name`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from inngest_lint.diagnostics import Diagnostic, Severity, printable
from inngest_lint.reporters._source import SourceIndex, span
from inngest_lint.reporters.base import Reporter


def gitlab_severity(diagnostic: Diagnostic) -> str:
    if diagnostic.internal:
        return "info"
    return "minor" if diagnostic.severity is Severity.WARNING else "major"


class GitlabReporter(Reporter):
    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0, baseline_hidden: int = 0) -> None:
        json.dump(self.issues(diagnostics), self.stream, indent=2)
        self.stream.write("\n")

    def issues(self, diagnostics: Sequence[Diagnostic]) -> list[dict[str, Any]]:
        sources = SourceIndex()
        return [
            {
                "description": f"{diagnostic.code} {printable(diagnostic.message)}",
                "check_name": diagnostic.code,
                "fingerprint": fingerprint,
                "severity": gitlab_severity(diagnostic),
                "location": {
                    "path": sources.display_path(diagnostic.path),
                    "lines": {"begin": span(diagnostic)[0]},
                },
            }
            for diagnostic, fingerprint in zip(diagnostics, sources.fingerprints(diagnostics))
        ]
