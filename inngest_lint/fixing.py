"""The fix stage: apply the fixes findings carry, lint again, until nothing more changes.

`fix_paths` runs in memory: each round applies the fixes of the findings a lint reported (only
the selected rules' findings, never one a `noqa` hides, only the codes `fixable`/`unfixable`
admit, unsafe ones only when asked), then lints the project again with the edited texts in
place of the files. Nothing is written until the rounds settle; `write_changes` then writes each
changed file atomically, and `unified_diff` shows the changes instead (`--diff`).

A fix is applied only when every check holds, else it is dropped and reported, and its file
keeps its text:
- each edit still finds the code it replaces (the file did not change under the finding);
- the new text parses (CPython's compiler and libcst) and libcst gives it back byte for byte;
- the next lint finds no finding of any code more often in that file than before (a fix must
  not trade one problem for another), nor the same fix again (an edit that is not idempotent).
Edits of one round never overlap: a fix that touches code another fix of the round edits waits
for the next round, when its finding is reported again against the new text.
"""

from __future__ import annotations

import difflib
import io
import os
import pathlib
import tokenize
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from inngest_lint.diagnostics import Diagnostic, Edit, Fix, display_path, printable
from inngest_lint.engine.parse import compile_error, decode
from inngest_lint.files import read_regular, write_atomically

if TYPE_CHECKING:
    from inngest_lint.api import RunOptions, RunResult
    from inngest_lint.settings import Settings

#: Rounds of fix-then-lint before the fixer stops (ruff stops after 100; our fixes settle in 2).
MAX_ROUNDS = 10

Lint = Callable[[list[str], "Settings", "RunOptions"], "RunResult"]


@dataclass(frozen=True)
class FixPolicy:
    """Which findings' fixes a run applies."""

    unsafe: bool = False
    codes: frozenset[str] | None = None  # None: every code

    @classmethod
    def from_settings(cls, settings: Settings, *, unsafe: bool | None = None) -> FixPolicy:
        """`fixable` (default: all) minus `unfixable`; `unsafe-fixes` unless `unsafe` says."""
        from inngest_lint.registry import catalog, expand_selectors

        codes: set[str] = (
            expand_selectors(list(settings.fixable)) if settings.fixable else {info.code for info in catalog()}
        )
        codes -= expand_selectors(list(settings.unfixable))
        return cls(unsafe=settings.unsafe_fixes if unsafe is None else unsafe, codes=frozenset(codes))

    def admits(self, diagnostic: Diagnostic) -> bool:
        fix = diagnostic.fix
        if fix is None or diagnostic.internal:
            return False
        if self.codes is not None and diagnostic.code not in self.codes:
            return False
        return fix.safe or self.unsafe


@dataclass
class FileChange:
    """One file's text as read and as fixed."""

    path: str
    data: bytes  # the bytes read: the file must still hold them when it is written
    encoding: str
    original: str
    text: str
    fixed: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, description)


@dataclass
class FixReport:
    """What the fix stage did: the lint of the fixed texts, the changes, what was dropped."""

    result: RunResult
    changes: dict[str, FileChange]
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> dict[str, FileChange]:
        return {path: change for path, change in self.changes.items() if change.text != change.original}

    def fixed_count(self) -> int:
        return sum(len(change.fixed) for change in self.changed.values())


class _FixDropped(Exception):
    """A fix that cannot be applied; the message says why."""


def fix_paths(targets: list[str], settings: Settings, options: RunOptions, policy: FixPolicy, lint: Lint) -> FixReport:
    """Lint `targets` and apply fixes round by round (see the module doc); nothing is written."""
    result = lint(targets, settings, options)
    report = FixReport(result, {})
    rejected: set[tuple[str, tuple[Edit, ...]]] = set()
    applied: set[tuple[str, tuple[Edit, ...]]] = set()
    named = _Named(targets)
    for _round in range(MAX_ROUNDS):
        chosen = [d for d in result.diagnostics if policy.admits(d) and _key(d) not in rejected]
        for diagnostic in chosen:
            outside = sorted(path for path in _paths(diagnostic) if not named.holds(path))
            if outside:  # pre-commit names the staged files: the others are not the run's to edit
                rejected.add(_key(diagnostic))
                report.problems.append(
                    _dropped(diagnostic, f"it edits {display_path(outside[0])}, which was not named")
                )
        chosen = [d for d in chosen if _key(d) not in rejected]
        again = [d for d in chosen if _key(d) in applied]
        for diagnostic in again:  # the same edit offered after it was made: not idempotent
            rejected.add(_key(diagnostic))
            report.problems.append(_dropped(diagnostic, "applying it again changes the file again"))
        chosen = [d for d in chosen if _key(d) not in applied]
        if not chosen:
            break
        before = {path: (change.text, len(change.fixed)) for path, change in report.changes.items()}
        round_fixes = _apply_round(chosen, report, rejected)
        if not round_fixes:
            break
        overrides = {path: change.text for path, change in report.changes.items() if change.text != change.original}
        fixed_result = lint(targets, settings, replace(options, overrides={**options.overrides, **overrides}))
        regressed = _regressions(
            result, fixed_result, {path for diagnostic in round_fixes for path in _paths(diagnostic)}
        )
        while True:  # a cross-file fix is undone in all its files, not in half of them
            spread = {path for d in round_fixes if _paths(d) & regressed for path in _paths(d)} | regressed
            if spread == regressed:
                break
            regressed = spread
        if regressed:
            for path in regressed:  # back to the text before this round; its fixes are dropped
                change = report.changes[path]
                change.text, kept = before.get(path, (change.original, 0))
                del change.fixed[kept:]
            for diagnostic in round_fixes:
                if _paths(diagnostic) & regressed:
                    rejected.add(_key(diagnostic))
                    report.problems.append(_dropped(diagnostic, "the fixed code has new findings"))
            overrides = {path: c.text for path, c in report.changes.items() if c.text != c.original}
            fixed_result = lint(targets, settings, replace(options, overrides={**options.overrides, **overrides}))
        for diagnostic in round_fixes:
            if _key(diagnostic) not in rejected:
                applied.add(_key(diagnostic))
        result = fixed_result
    else:
        report.problems.append(f"fixes did not settle after {MAX_ROUNDS} rounds; the last round's findings are shown")
    report.result = result
    return report


class _Named:
    """The files a run may edit: the files named on the command line and those below the
    directories named."""

    def __init__(self, targets: list[str]) -> None:
        self.files: set[str] = set()
        self.folders: list[str] = []
        for target in targets:
            resolved = os.path.realpath(target)
            if os.path.isdir(resolved):
                self.folders.append(os.path.join(resolved, ""))
            else:
                self.files.add(resolved)

    def holds(self, path: str) -> bool:
        real = os.path.realpath(path)
        return path in self.files or real in self.files or any(real.startswith(folder) for folder in self.folders)


def _key(diagnostic: Diagnostic) -> tuple[str, tuple[Edit, ...]]:
    assert diagnostic.fix is not None
    return diagnostic.code, diagnostic.fix.edits


def _paths(diagnostic: Diagnostic) -> set[str]:
    assert diagnostic.fix is not None
    return {edit.path for edit in diagnostic.fix.edits}


def _dropped(diagnostic: Diagnostic, reason: str) -> str:
    where = f"{printable(diagnostic.path)}:{diagnostic.line}:{diagnostic.column}"
    description = diagnostic.fix.description if diagnostic.fix is not None else ""
    return f"{where}: {diagnostic.code} fix not applied ({description}): {reason}"


def _apply_round(
    chosen: list[Diagnostic], report: FixReport, rejected: set[tuple[str, tuple[Edit, ...]]]
) -> list[Diagnostic]:
    """Apply the non-overlapping fixes among `chosen` to the texts in `report`; the applied ones."""
    taken: dict[str, list[tuple[int, int]]] = {}
    planned: dict[str, list[tuple[int, int, str]]] = {}
    accepted: list[Diagnostic] = []
    exclusive: set[str] = set()
    for diagnostic in sorted(chosen, key=_precedence):
        fix = diagnostic.fix
        assert fix is not None
        if fix.exclusive and fix.exclusive in exclusive:
            continue  # an alternative to a fix already taken: its finding goes with that fix
        try:
            spans = _spans(fix, report)
        except _FixDropped as reason:
            rejected.add(_key(diagnostic))
            report.problems.append(_dropped(diagnostic, str(reason)))
            continue
        if any(_overlaps(span, taken.get(path, ())) for path, span in spans):
            continue  # the next round, against the new text
        if fix.exclusive:
            exclusive.add(fix.exclusive)
        for (path, (start, end)), edit in zip(spans, fix.edits):
            taken.setdefault(path, []).append((start, end))
            planned.setdefault(path, []).append((start, end, edit.replacement))
        accepted.append(diagnostic)
    # Each file's edits, last first, then the checks; a file that fails drops its fixes.
    failed: dict[str, str] = {}
    new_texts: dict[str, str] = {}
    for path, edits in planned.items():
        text = report.changes[path].text
        for start, end, replacement in sorted(edits, reverse=True):
            text = text[:start] + replacement + text[end:]
        problem = _broken(path, text, report.changes[path].encoding)
        if problem is not None:
            failed[path] = problem
        else:
            new_texts[path] = text
    if failed:
        # Drop the fixes that touch a failed file (all of a cross-file fix, not half of it) and
        # plan the round again without them.
        remaining: list[Diagnostic] = []
        for diagnostic in accepted:
            broken = [failed[path] for path in sorted(_paths(diagnostic)) if path in failed]
            if broken:
                rejected.add(_key(diagnostic))
                report.problems.append(_dropped(diagnostic, broken[0]))
            else:
                remaining.append(diagnostic)
        return _apply_round(remaining, report, rejected) if remaining else []
    for path, text in new_texts.items():
        report.changes[path].text = text
    for diagnostic in accepted:
        assert diagnostic.fix is not None
        for path in _paths(diagnostic):
            report.changes[path].fixed.append((diagnostic.line, diagnostic.code, diagnostic.fix.description))
    return accepted


def _precedence(diagnostic: Diagnostic) -> tuple[str, str, int, int]:
    """Alternatives first by rule code; then in file order."""
    assert diagnostic.fix is not None
    edit = diagnostic.fix.edits[0]
    return diagnostic.code if diagnostic.fix.exclusive else "", edit.path, edit.line, edit.column


def _spans(fix: Fix, report: FixReport) -> list[tuple[str, tuple[int, int]]]:
    """(path, (start, end)) of each edit in the current texts; _FixDropped when an edit's code
    is not there."""
    spans: list[tuple[str, tuple[int, int]]] = []
    for edit in fix.edits:
        change = _change_for(edit.path, report)
        start = _offset(change.text, edit.line, edit.column)
        end = _offset(change.text, edit.end_line, edit.end_column)
        if start is None or end is None or change.text[start:end] != edit.original:
            raise _FixDropped(f"{display_path(edit.path)} changed since it was linted")
        spans.append((edit.path, (start, end)))
    own: dict[str, list[tuple[int, int]]] = {}
    for path, span in spans:
        if _overlaps(span, own.get(path, ())):
            raise _FixDropped("its edits overlap")
        own.setdefault(path, []).append(span)
    return spans


def _overlaps(span: tuple[int, int], others: Iterable[tuple[int, int]]) -> bool:
    start, end = span
    for other_start, other_end in others:
        if start < other_end and other_start < end:
            return True
        if start == end == other_start == other_end or (start == end and other_start < start < other_end):
            return True  # two insertions at one place: their order would be a guess
        if other_start == other_end and start < other_start < end:
            return True
    return False


def _change_for(path: str, report: FixReport) -> FileChange:
    change = report.changes.get(path)
    if change is None:
        try:
            data = read_regular(path)
        except OSError as error:
            raise _FixDropped(f"cannot read {display_path(path)}: {error.strerror or type(error).__name__}") from error
        decoded = decode(path, data)
        if decoded.text is None:
            raise _FixDropped(f"cannot decode {display_path(path)}")
        change = FileChange(path, data, _encoding(data), decoded.text, decoded.text)
        report.changes[path] = change
    return change


def _encoding(data: bytes) -> str:
    """The file's encoding as Python reads it (`utf-8-sig` when it starts with a BOM)."""
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError:
        return "utf-8"


def _offset(text: str, line: int, column: int) -> int | None:
    """The index of a 1-based line and column in `text` (line breaks as libcst counts them)."""
    index = 0
    for _ in range(line - 1):
        newline = _next_line_break(text, index)
        if newline is None:
            return None
        index = newline
    found = index + column - 1
    return found if found <= len(text) else None


def _next_line_break(text: str, start: int) -> int | None:
    """The index after the line break that ends the line starting at `start`."""
    cr = text.find("\r", start)
    lf = text.find("\n", start)
    if cr < 0 and lf < 0:
        return None
    if cr >= 0 and (lf < 0 or cr < lf):
        return cr + 2 if text.startswith("\r\n", cr) else cr + 1
    return lf + 1


def _broken(path: str, text: str, encoding: str) -> str | None:
    """Why `text` must not replace the file, or None."""
    error = compile_error(path, text)
    if error is not None:
        return f"the fixed code does not compile ({error.message}, line {error.line})"
    import libcst as cst

    try:
        module = cst.parse_module(text)
    except Exception as error:  # noqa: BLE001 - any parser failure means: do not write
        return f"libcst cannot parse the fixed code ({type(error).__name__})"
    if module.code != text:
        return "libcst does not give the fixed code back unchanged"
    try:
        text.encode(encoding)
    except (UnicodeError, LookupError):
        return f"the fixed code cannot be written in the file's encoding ({encoding})"
    return None


def _regressions(before: RunResult, after: RunResult, paths: set[str]) -> set[str]:
    """The edited files in which some code is reported more often after the round."""

    def counts(result: RunResult) -> dict[str, Counter[str]]:
        found: dict[str, Counter[str]] = {}
        for diagnostic in result.diagnostics:
            found.setdefault(os.path.abspath(diagnostic.path), Counter())[diagnostic.code] += 1
        return found

    old, new = counts(before), counts(after)
    regressed: set[str] = set()
    for path in paths:
        key = os.path.abspath(path)
        grown = new.get(key, Counter()) - old.get(key, Counter())
        if grown:
            regressed.add(path)
    return regressed


# ---------------------------------------------------------------------------------- output
def unified_diff(report: FixReport) -> str:
    """The changes as one unified diff (`--diff`), files in path order."""
    parts: list[str] = []
    for path, change in sorted(report.changed.items()):
        shown = printable(display_path(path))
        parts.extend(
            difflib.unified_diff(
                change.original.splitlines(keepends=True),
                change.text.splitlines(keepends=True),
                fromfile=f"a/{shown}",
                tofile=f"b/{shown}",
            )
        )
        if parts and not parts[-1].endswith(("\n", "\r")):
            parts[-1] += "\n\\ No newline at end of file\n"
    return "".join(parts)


def fixed_lines(report: FixReport) -> list[str]:
    """`--show-fixes`: one line per applied fix, by file."""
    lines: list[str] = []
    for path, change in sorted(report.changed.items()):
        for line, code, description in sorted(change.fixed):
            lines.append(f"{printable(display_path(path))}:{line}: {code} {printable(description)}")
    return lines


# ---------------------------------------------------------------------------------- writing
def write_changes(report: FixReport) -> list[str]:
    """Write every changed file atomically; the problems (files left alone), one line each."""
    problems: list[str] = []
    for path, change in sorted(report.changed.items()):
        problem = write_fixed_file(change)
        if problem is not None:
            problems.append(f"{printable(display_path(path))}: not fixed: {problem}")
    return problems


def write_fixed_file(change: FileChange) -> str | None:
    """Write `change.text` over its file, or say why not: it changed since it was read, it is
    read-only, or writing failed. Encoding (and BOM), line endings and mode are kept."""
    target = os.path.realpath(change.path)  # a symlink keeps pointing at the fixed file
    try:
        current = read_regular(target)
    except OSError as error:
        return f"cannot read it again: {error.strerror or type(error).__name__}"
    if current != change.data:
        return "it changed on disk since it was read; run again"
    if not os.access(target, os.W_OK):
        return "it is read-only"
    try:
        data = change.text.encode(change.encoding)
    except (UnicodeError, LookupError):
        return f"the fixed code cannot be written in the file's encoding ({change.encoding})"
    try:
        write_atomically(pathlib.Path(target), data, durable=True, follow_symlinks=True)
    except OSError as error:
        return f"cannot write it: {error.strerror or type(error).__name__}"
    return None
