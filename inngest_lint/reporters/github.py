"""GitHub Actions workflow commands (`::error ...::message`), then the plain flake8 lines.

Each finding becomes an annotation on the pull request's diff. GitHub shows only a handful of
annotations per step (10 of each level at the time of writing), so the text report follows in the
log for the rest; it honours `--quiet` and `--statistics` as the text format does.

Annotation paths are relative to the repository root, which is what GitHub matches them against,
even when the linter runs in a sub-directory; the plain lines keep the paths the user typed.
Escaping follows GitHub's toolkit: `%`, CR and LF in the message; those and `:` and `,` in
property values, so a message or path can neither end the command early nor inject another one.
The plain lines are not escaped (they are for people), so they are fenced with
`::stop-commands::` and GitHub runs no command in them: a file whose name holds a newline and
then `::add-mask::...`, added by a pull request, must not reach the runner. The fence token is
a hash of the fenced text, which that text cannot contain.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

from inngest_lint.diagnostics import Diagnostic, Severity, printable
from inngest_lint.reporters._source import SourceIndex, span
from inngest_lint.reporters.base import Reporter
from inngest_lint.reporters.text import TextReporter


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(diagnostic: Diagnostic, path: str) -> str:
    """One `::error`/`::warning` line. Columns are sent only for single-line spans: GitHub
    rejects `col`/`endColumn` on an annotation that covers several lines."""
    level = "warning" if diagnostic.severity is Severity.WARNING else "error"
    line, column, end_line, end_column = span(diagnostic)
    properties = [("file", path), ("line", str(line))]
    if end_line == line:
        properties += [("col", str(column)), ("endLine", str(end_line)), ("endColumn", str(end_column))]
    else:
        properties.append(("endLine", str(end_line)))
    properties.append(("title", diagnostic.code))
    rendered = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{level} {rendered}::{escape_data(printable(diagnostic.message))}"


class GithubReporter(Reporter):
    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0, baseline_hidden: int = 0) -> None:
        sources = SourceIndex()
        for diagnostic in diagnostics:
            self.stream.write(workflow_command(diagnostic, sources.display_path(diagnostic.path)) + "\n")
        plain = io.StringIO()
        TextReporter(plain, quiet=self.quiet, statistics=self.statistics).report(
            diagnostics, files_linted=files_linted, baseline_hidden=baseline_hidden
        )
        text = plain.getvalue()
        if diagnostics:
            token = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            text = f"::stop-commands::{token}\n{text}::{token}::\n"
        self.stream.write(text)
