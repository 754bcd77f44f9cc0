"""Which findings a run reports: the enabled rules, severity overrides, per-file ignores, `noqa`.

One home for "is this finding shown": the command line, the language server, the flake8 plugin
and the graph all ask here, so a code selected in one is selected in all.
"""

from __future__ import annotations

import fnmatch
from dataclasses import replace
from pathlib import Path

from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.engine.parse import SYNTAX_ERROR, UNREADABLE_FILE
from inngest_lint.settings import Settings
from inngest_lint.suppression import NoqaMap

#: Reported whatever the selection says (unless ignored by code): a file that cannot be read or
#: parsed was not checked, and a run must not pass silently over it.
ALWAYS_ON = frozenset({SYNTAX_ERROR, UNREADABLE_FILE})


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

    def shown(self, diagnostic: Diagnostic, noqa: NoqaMap | None) -> Diagnostic | None:
        """The finding as reported (its severity settled), or None when the run hides it."""
        if diagnostic.code not in self.codes and not diagnostic.internal:
            return None
        rule = self.rules.get(diagnostic.code)
        name = rule.name if rule else ""
        # A syntax error is never suppressed by a comment (as in ruff): a `# noqa` on a broken
        # file's first line would otherwise make it pass.
        if (
            noqa is not None
            and not diagnostic.internal
            and diagnostic.code != SYNTAX_ERROR
            and noqa.suppresses(diagnostic.line, diagnostic.code, name)
        ):
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
