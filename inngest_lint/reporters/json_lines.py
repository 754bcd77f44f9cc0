"""JSON Lines: one finding per line, the same object as the json format, for streaming tools.

A clean run prints nothing (zero records), so `wc -l` counts findings; `--quiet` and
`--statistics` do not apply, since any other line would not be a record.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.reporters.base import Reporter
from inngest_lint.reporters.json_reporter import diagnostic_to_dict


class JsonLinesReporter(Reporter):
    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0, baseline_hidden: int = 0) -> None:
        for diagnostic in diagnostics:
            # Without indent a record is one line (json escapes a newline inside a value).
            self.stream.write(json.dumps(diagnostic_to_dict(diagnostic), separators=(",", ":")) + "\n")
