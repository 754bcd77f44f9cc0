"""`--output-format full` (as ruff's): each finding with its source line(s), the span underlined,
the severity, the rule's name, the fix when the rule has one, and the link to its documentation.

    app/jobs.py:9:28: INN101 [error] step ID 'process' is the same on every iteration ...
      |
    9 |         await ctx.step.run("process", work, item)
      |                            ^^^^^^^^^ step-id-reused-in-loop
      |
      = docs: https://github.com/inngest-lint/inngest-lint/blob/main/docs/rules.md#inn101-...

The first line is the concise line, so `grep` and problem matchers still find every finding. A
source line that cannot be read (a file deleted since, stdin, INN901's unreadable file) is left out
and the rest is printed. Colour (ANSI) only on a terminal, as most tools decide it: `NO_COLOR`
(non-empty) turns it off, then `FORCE_COLOR` (non-empty) turns it on even through a pipe, then
`TERM=dumb` turns it off; otherwise it follows whether the stream is a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TextIO

from inngest_lint.diagnostics import Diagnostic, Severity, printable
from inngest_lint.reporters._source import SourceIndex, span
from inngest_lint.reporters.base import rule_name, rule_url
from inngest_lint.reporters.text import TextReporter, concise_line

#: A span over more lines than this shows its first lines only, then `...`.
MAX_SPAN_LINES = 6

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_YELLOW = "\x1b[33m"
_BLUE = "\x1b[34m"


def use_colour(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour `stream` (see the module docstring for the order of the switches)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def fix_hint(diagnostic: Diagnostic) -> str:
    """What the finding's fix does, as ruff's `help:` line ("" when the code determines none):
    `--fix` applies a safe one, an unsafe one needs `--unsafe-fixes` too."""
    fix = diagnostic.fix
    if fix is None:
        return ""
    return fix.description if fix.safe else f"{fix.description} (unsafe: with --unsafe-fixes)"


class FullReporter(TextReporter):
    def __init__(self, stream: TextIO, *, quiet: bool = False, statistics: bool = False) -> None:
        super().__init__(stream, quiet=quiet, statistics=statistics)
        self.colour = use_colour(stream)
        self.sources = SourceIndex()

    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0, baseline_hidden: int = 0) -> None:
        self.sources = SourceIndex()  # each report reads the files as they are now
        super().report(diagnostics, files_linted=files_linted, baseline_hidden=baseline_hidden)

    def _paint(self, text: str, *styles: str) -> str:
        return f"{''.join(styles)}{text}{_RESET}" if self.colour and text else text

    def render(self, diagnostic: Diagnostic) -> str:
        level = _RED if diagnostic.severity is Severity.ERROR else _YELLOW
        if self.colour:
            where = f"{printable(diagnostic.path)}:{diagnostic.line}:{diagnostic.column}"
            head = (
                f"{self._paint(where, _BOLD)}: {self._paint(diagnostic.code, _BOLD, level)} "
                f"{self._paint(f'[{diagnostic.severity.value}]', level)} {printable(diagnostic.message)}"
            )
        else:
            head = concise_line(diagnostic)
        lines = [head]
        lines += self._snippet(diagnostic, level)
        notes: list[tuple[str, str]] = []
        hint = fix_hint(diagnostic)
        if hint:
            notes.append(("fix", hint))
        if not diagnostic.internal and rule_name(diagnostic.code):
            notes.append(("docs", rule_url(diagnostic.code)))
        line, _, end_line, _ = span(diagnostic)
        indent = " " * (len(str(min(end_line, line + MAX_SPAN_LINES - 1))) + 1)  # under the gutter's bar
        for label, text in notes:
            lines.append(f"{indent}{self._paint('=', _BLUE, _BOLD)} {self._paint(label + ':', _BOLD)} {text}")
        return "\n".join(lines) + "\n\n"

    def _snippet(self, diagnostic: Diagnostic, level: str) -> list[str]:
        """The span's source lines with carets under the span, labelled with the rule's name."""
        line, column, end_line, end_column = span(diagnostic)
        shown = list(range(line, min(end_line, line + MAX_SPAN_LINES - 1) + 1))
        texts = [self.sources.line_text(diagnostic.path, number).rstrip("\r\n") for number in shown]
        if not any(texts):
            return []
        width = len(str(shown[-1]))
        gutter = self._paint(" " * width + " |", _BLUE, _BOLD)
        out = [gutter]
        label = rule_name(diagnostic.code) or diagnostic.code
        for number, text in zip(shown, texts):
            start = column if number == line else len(text) - len(text.lstrip()) + 1
            end = end_column if number == end_line else len(text) + 1
            end = max(end, start + 1)
            # Tabs stay tabs under the text, so the carets line up in any tab width.
            pad = "".join("\t" if char == "\t" else " " for char in text[: start - 1])
            carets = "^" * (end - start)
            out.append(f"{self._paint(str(number).rjust(width) + ' |', _BLUE, _BOLD)} {printable(text)}")
            marker = f"{carets} {label}" if number == shown[-1] else carets
            out.append(f"{gutter} {pad}{self._paint(marker, _BOLD, level)}")
        if end_line > shown[-1]:
            out.append(f"{self._paint(' ' * width + ' ...', _BLUE, _BOLD)}")
        out.append(gutter)
        return out
