"""flake8-style lines: `path:line:col: CODE [severity] message`, then a summary line; with
`--statistics`, only a table of counts per code (as ruff's).

The severity sits after the code, in brackets, where ruff puts its `[*]` fix marker: the
`path:line:col: CODE` prefix stays what flake8-style tooling (editors' problem matchers, reviewdog's
`%f:%l:%c: %m`) parses, and a person sees at once which findings fail the run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from inngest_lint.diagnostics import Diagnostic, Severity, printable
from inngest_lint.reporters.base import Reporter, rule_name


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def concise_line(diagnostic: Diagnostic) -> str:
    """One finding as one line, without its newline."""
    return (
        f"{printable(diagnostic.path)}:{diagnostic.line}:{diagnostic.column}: {diagnostic.code} "
        f"[{diagnostic.severity.value}] {printable(diagnostic.message)}"
    )


def summary_line(diagnostics: Sequence[Diagnostic], files_linted: int, baseline_hidden: int) -> str:
    """`Found 3 findings (2 errors, 1 warning) in 2 files; 7 files checked.`, or `All checks passed
    (7 files checked).`; then how many findings the baseline hid, if any."""
    checked = f"{plural(files_linted, 'file')} checked"
    hidden = f" {plural(baseline_hidden, 'finding')} hidden by the baseline." if baseline_hidden else ""
    if not diagnostics:
        return f"All checks passed ({checked}).{hidden}"
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = len(diagnostics) - errors
    with_findings = len({d.path for d in diagnostics})
    return (
        f"Found {plural(len(diagnostics), 'finding')} ({plural(errors, 'error')}, {plural(warnings, 'warning')}) "
        f"in {plural(with_findings, 'file')}; {checked}.{hidden}"
    )


def statistics_table(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """Only the table, as ruff's --statistics: one line per code, most frequent first."""
    counts = Counter(d.code for d in diagnostics)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        severity = next(d.severity.value for d in diagnostics if d.code == code)
        lines.append(f"{count:>5}  {code}  {rule_name(code)} [{severity}]")
    return lines


class TextReporter(Reporter):
    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0, baseline_hidden: int = 0) -> None:
        write = self.stream.write
        if self.statistics and diagnostics:
            for line in statistics_table(diagnostics):
                write(line + "\n")
            return
        for diagnostic in diagnostics:
            write(self.render(diagnostic))
        if not self.quiet:
            write(summary_line(diagnostics, files_linted, baseline_hidden) + "\n")

    def render(self, diagnostic: Diagnostic) -> str:
        """One finding as printed, newline included."""
        return concise_line(diagnostic) + "\n"
