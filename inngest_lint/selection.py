"""Which findings a run reports: the enabled rules, severity overrides, per-file ignores, `noqa`.

One home for "is this finding shown": the command line, the language server, the flake8 plugin
and the graph all ask here, so a code selected in one is selected in all.
"""

from __future__ import annotations

import fnmatch
from dataclasses import replace
from pathlib import Path

from inngest_lint.diagnostics import SAFE, Diagnostic, Edit, Fix, Severity
from inngest_lint.engine.parse import SYNTAX_ERROR, UNREADABLE_FILE
from inngest_lint.settings import Settings
from inngest_lint.suppression import NoqaCode, NoqaComment, NoqaMap, noqa_comments

#: Reported whatever the selection says (unless ignored by code): a file that cannot be read or
#: parsed was not checked, and a run must not pass silently over it.
ALWAYS_ON = frozenset({SYNTAX_ERROR, UNREADABLE_FILE})
#: unused-noqa: judged after every other finding of a file is settled (see Selection.unused_noqa).
UNUSED_NOQA = "INN902"
UNUSED_NOQA_NAME = "unused-noqa"


def enabled_codes(settings: Settings) -> frozenset[str]:
    """The codes a run checks: `select` (else the defaults), plus `extend-select`, minus `ignore`."""
    from inngest_lint.registry import catalog, expand_selectors

    if settings.select:
        codes = expand_selectors(list(settings.select))
    else:
        codes = {info.code for info in catalog() if info.default_enabled}
    codes |= expand_selectors(list(settings.extend_select))
    codes -= expand_selectors(list(settings.ignore))
    ignored_meta = expand_selectors(list(settings.ignore)) & ALWAYS_ON
    return frozenset(codes | (ALWAYS_ON - ignored_meta))


def severity_overrides(settings: Settings) -> dict[str, Severity]:
    """Code -> severity from the `severity` table (selectors expanded)."""
    from inngest_lint.registry import expand_selector

    overrides: dict[str, Severity] = {}
    for selector, level in settings.severity:
        for code in expand_selector(selector):
            overrides[code] = Severity(level)
    return overrides


class Selection:
    """Decides, finding by finding, what a run reports and at which severity."""

    def __init__(self, settings: Settings, codes: frozenset[str], base: Path) -> None:
        from inngest_lint.registry import expand_selectors, info_by_code

        self.codes = codes
        self.base = base  # per-file-ignores globs are relative to it
        self.rules = info_by_code()
        self.overrides = severity_overrides(settings)
        self.per_file = [
            (pattern, frozenset(expand_selectors(list(selectors)))) for pattern, selectors in settings.per_file_ignores
        ]
        # (path, comment line or 0 for the file-level comment, code or name or "*"): the noqa
        # entries that hid a finding, for unused-noqa (INN902).
        self.used_noqa: set[tuple[str, int, str]] = set()

    def shown(self, diagnostic: Diagnostic, noqa: NoqaMap | None) -> Diagnostic | None:
        """The finding as reported (its severity settled), or None when the run hides it."""
        if diagnostic.code not in self.codes and not diagnostic.internal:
            return None
        rule = self.rules.get(diagnostic.code)
        name = rule.name if rule else ""
        # A syntax error is never suppressed by a comment (as in ruff): a `# noqa` on a broken
        # file's first line would otherwise make it pass.
        if noqa is not None and not diagnostic.internal and diagnostic.code != SYNTAX_ERROR:
            hits = noqa.matches(diagnostic.line, diagnostic.code, name)
            if hits:
                self.used_noqa.update((diagnostic.path, line, token) for line, token in hits)
                return None
        if self._per_file_ignored(diagnostic):
            return None
        severity = self.overrides.get(diagnostic.code, rule.severity if rule else Severity.ERROR)
        return replace(diagnostic, severity=severity)

    def _per_file_ignored(self, diagnostic: Diagnostic) -> bool:
        if not self.per_file:
            return False
        try:
            relative = Path(diagnostic.path).resolve().relative_to(self.base).as_posix()
        except ValueError:
            relative = Path(diagnostic.path).as_posix()
        for pattern, codes in self.per_file:
            if diagnostic.code in codes and (
                fnmatch.fnmatch(relative, pattern)
                or fnmatch.fnmatch(Path(relative).name, pattern)
                or fnmatch.fnmatch(relative, pattern.rstrip("/") + "/*")
            ):
                return True
        return False

    def note_cause_noqa(self, diagnostic: Diagnostic, noqa: NoqaMap | None) -> None:
        """A `# noqa` on the line that causes a cross-file finding hides it where it is reported
        at that line (see `api._Run.report`): it is in use even in a run that reports the finding
        at its own place."""
        cause = diagnostic.caused_by
        if noqa is None or cause is None or diagnostic.code not in self.codes:
            return
        rule = self.rules.get(diagnostic.code)
        for line, token in noqa.matches(cause.line, diagnostic.code, rule.name if rule else ""):
            if line:
                self.used_noqa.add((cause.path, line, token))

    def unused_noqa(self, path: str, source: str) -> list[Diagnostic]:
        """unused-noqa (INN902) in one file: each code of a noqa comment that names no rule, or
        names an enabled rule and hid none of its findings in this run. Codes of other tools
        (`E501`) and bare comments are left alone (a bare `# noqa` is read by other tools too; a
        bare `# inngest-lint: noqa` turns every rule off in its file, this one included), and so
        is a rule this run does not check: whether it would hide something is unknown.

        Call after every finding of the file went through `shown`. Each finding's span is
        exactly the code's text, which is what its removal fix will delete (with its separator).
        """
        names = {info.name: code for code, info in self.rules.items()}
        findings: list[Diagnostic] = []
        lines = source.splitlines()
        for comment in noqa_comments(source):
            where = 0 if comment.file_level else comment.line
            scope = "in this file" if comment.file_level else "on this line"
            directive = "`# inngest-lint: noqa`" if comment.file_level else "`# noqa`"
            for written in comment.codes:
                code = written.code
                ours = code.startswith("INN") or code in names
                if not ours or code == UNUSED_NOQA or code == UNUSED_NOQA_NAME:
                    continue
                known = code in self.rules or code in names
                if not known:
                    message = (
                        f"unknown rule '{code}' in {directive}: no inngest-lint rule has this code or name; remove it"
                    )
                else:
                    rule_code = code if code in self.rules else names[code]
                    if rule_code not in self.codes or (path, where, code) in self.used_noqa:
                        continue
                    message = f"{directive} for {code} suppresses nothing {scope}; remove it"
                findings.append(
                    Diagnostic(
                        path,
                        written.line,
                        written.column,
                        UNUSED_NOQA,
                        message,
                        end_column=written.end_column,
                        context=code,
                        fix=_removal(path, lines, comment, written),
                    )
                )
        return findings


def _removal(path: str, lines: list[str], comment: NoqaComment, written: NoqaCode) -> Fix | None:
    """The edit that removes one code from its noqa comment: the whole directive (and the blank
    before it) when the code is its only one, else the code and the separator that joins it to a
    neighbour (`# noqa: E501, INN999` -> `# noqa: E501`). Safe, as ruff's RUF100 fix: the code
    suppresses nothing, so no finding changes. Codes are removed one per fix; the fix loop takes
    the next one in its next round."""
    if not 0 < comment.line <= len(lines):
        return None
    text = lines[comment.line - 1]
    if len(comment.codes) == 1:
        start = comment.column - 1
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        start_column, end_column = start + 1, comment.end_column
        if text[:start].strip() == "" and text[comment.end_column - 1 :].strip() == "":
            start_column = comment.column  # a comment alone on its line keeps its indentation
    else:
        codes = comment.codes
        position = codes.index(written)
        if position + 1 < len(codes):
            start_column, end_column = written.column, codes[position + 1].column
        else:
            start_column, end_column = codes[position - 1].end_column, written.end_column
    original = text[start_column - 1 : end_column - 1]
    edit = Edit(path, comment.line, start_column, comment.line, end_column, original, "")
    return Fix(f"remove {written.code} from the noqa comment", SAFE, (edit,))
