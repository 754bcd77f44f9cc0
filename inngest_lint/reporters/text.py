"""flake8-style lines: `path:line:col: CODE message`, then a summary line; with `--statistics`, only
a table of counts per code (as ruff's)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from inngest_lint.diagnostics import Diagnostic, printable
from inngest_lint.reporters.base import Reporter, rule_name


class TextReporter(Reporter):
    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0, baseline_hidden: int = 0) -> None:
        write = self.stream.write
        if self.statistics and diagnostics:
            # Only the table, as ruff's --statistics: one line per code, most frequent first.
            counts = Counter(d.code for d in diagnostics)
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                severity = next(d.severity.value for d in diagnostics if d.code == code)
                write(f"{count:>5}  {code}  {rule_name(code)} [{severity}]\n")
            return
        for diagnostic in diagnostics:
            write(
                f"{printable(diagnostic.path)}:{diagnostic.line}:{diagnostic.column}: {diagnostic.code} "
                f"{printable(diagnostic.message)}\n"
            )
        if not self.quiet:
            errors = sum(1 for d in diagnostics if d.severity.value == "error")
            warnings = len(diagnostics) - errors
            if diagnostics:
                write(
                    f"Found {len(diagnostics)} finding{'s' if len(diagnostics) != 1 else ''} "
                    f"({errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}) "
                    f"in {files_linted} file{'s' if files_linted != 1 else ''}.\n"
                )
            else:
                write(f"All checks passed ({files_linted} file{'s' if files_linted != 1 else ''}).\n")
