"""Baselines: adopt inngest-lint on existing code by recording today's findings and failing only
on new ones.

`inngest-lint --write-baseline inngest-lint-baseline.json .` records the current findings;
`inngest-lint --baseline inngest-lint-baseline.json .` then reports only findings that are not
in it. A finding is recorded by what it is, not where it is:

    (path relative to the project root, code, enclosing Inngest function, identity)

where the function is its `fn_id` (or handler name) and the identity is the rule's
`Diagnostic.context` (the step ID, the event name, the argument...) or, for rules that give
none, the message with every number replaced by `#` (messages cite lines: "first used at
line 12"). No line numbers, so the baseline survives edits above a finding; the same key twice
is a count (a multiset), so with two identical findings baselined once, one is reported.

The file is JSON with a `version`, entries sorted and one field per line, so regenerating it
after fixing one finding is a one-entry diff.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.facts.model import InngestFunction
from inngest_lint.files import write_atomically

BASELINE_VERSION = 1
_NUMBER = re.compile(r"\d+")


class BaselineError(Exception):
    """The baseline file is missing, unreadable or not a baseline: the CLI exits 2."""


@dataclass(frozen=True, order=True)
class BaselineKey:
    """What identifies a finding across edits: no line or column."""

    path: str
    code: str
    function: str
    identity: str


# ---------------------------------------------------------------------- keys for findings
def _relative(path: str, root: Path | None) -> str:
    """Project-relative POSIX path (absolute POSIX when the file is outside the root)."""
    resolved = Path(path).resolve() if path not in ("-", "") else Path(path)
    if root is not None:
        try:
            return resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return resolved.as_posix()


def _function_label(function: InngestFunction, index: Any) -> str:
    """The function's literal `fn_id` when the index can settle it, else its handler's name."""
    strings = getattr(index, "strings", None)
    ids = strings(function.fn_id) if strings is not None else None
    if ids and len(ids) == 1:
        return str(next(iter(ids)))
    return function.handler_name or function.symbol


def _known_lines(function: InngestFunction) -> list[int]:
    """Every line the facts place inside the function: decorator arguments and body alike."""
    locations = [function.location]
    locations += [trigger.location for trigger in (*function.triggers, *function.cancel_events)]
    locations += [cel.location for cel in function.cel]
    locations += [wait.location for wait in function.waits]
    locations += [invoke.location for invoke in function.invokes]
    locations += [run.location for run in function.step_runs]
    locations += [returned.location for returned in function.returns]
    # Helper calls in the body, where the facts record them.
    locations += [call.location for call in getattr(function, "body_calls", ())]
    lines: list[int] = []
    for location in locations:
        lines.append(location.line)
        lines.append(max(location.end_line, location.line))
    return lines


class _FunctionFinder:
    """Finds the Inngest function a line belongs to, from the facts in the project index.

    Facts record where a function's handler is named and where its triggers, steps and returns
    are, not where its decorator starts or its body ends; so a function's span is approximated
    by the lines its facts cover, and a line outside every span goes to the nearest function
    above it unless a module-level definition, client, serve call or list lies in between.
    A wrong guess only makes the key less stable across edits (the finding is reported again);
    it never hides a finding.
    """

    def __init__(self, index: Any) -> None:
        self.index = index
        self.spans: dict[str, list[tuple[int, int, InngestFunction]]] = {}
        self.boundaries: dict[str, list[int]] = {}
        for function in getattr(index, "functions", None) or ():
            lines = _known_lines(function)
            key = _resolved(function.path)
            self.spans.setdefault(key, []).append((min(lines), max(lines), function))
        for facts in getattr(index, "files", None) or ():
            key = _resolved(facts.path)
            marks = [d.location.line for d in facts.definitions if d.kind != "inngest-function"]
            marks += [client.location.line for client in facts.clients]
            marks += [serve.location.line for serve in facts.serves]
            marks += [function_list.location.line for function_list in facts.lists]
            self.boundaries[key] = sorted(marks)

    def label(self, path: str, line: int) -> str:
        key = _resolved(path)
        spans = self.spans.get(key, [])
        inside = [(start, end, fn) for start, end, fn in spans if start <= line <= end]
        if inside:
            _start, _end, function = max(inside, key=lambda span: (span[0], -span[1]))
            return _function_label(function, self.index)
        above = [(start, end, fn) for start, end, fn in spans if end < line]
        if not above:
            return ""
        _start, end, function = max(above, key=lambda span: span[1])
        if any(end < mark <= line for mark in self.boundaries.get(key, ())):
            return ""
        return _function_label(function, self.index)


def _resolved(path: str) -> str:
    try:
        return os.path.normcase(str(Path(path).resolve()))
    except (OSError, RuntimeError):
        return path


def _identity(diagnostic: Diagnostic) -> str:
    if diagnostic.context:
        return diagnostic.context
    return _NUMBER.sub("#", diagnostic.message)


def finding_keys(diagnostics: Sequence[Diagnostic], index: Any, root: Path | None) -> list[BaselineKey]:
    """One key per diagnostic, in order."""
    finder = _FunctionFinder(index)
    return [
        BaselineKey(_relative(d.path, root), d.code, finder.label(d.path, d.line), _identity(d)) for d in diagnostics
    ]


# ---------------------------------------------------------------------- the file
def _entries(keys: Iterable[BaselineKey]) -> list[dict[str, Any]]:
    counts = Counter(keys)
    return [
        {"path": key.path, "code": key.code, "function": key.function, "identity": key.identity, "count": count}
        for key, count in sorted(counts.items())
    ]


def write_baseline(target: Path, diagnostics: Sequence[Diagnostic], index: Any, root: Path | None) -> int:
    """Record `diagnostics` (internal errors excluded) in `target`; return how many were written.

    The old baseline is replaced only by a complete new one (see `_replace_atomically`): a full
    disk or a crash half-way leaves it as it was, where writing in place left it truncated.
    """
    recorded = [d for d in diagnostics if not d.internal]
    document = {
        "version": BASELINE_VERSION,
        "tool": "inngest-lint",
        "findings": _entries(finding_keys(recorded, index, root)),
    }
    try:
        _replace_atomically(target, document)
    except (OSError, ValueError, TypeError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise BaselineError(f"{target}: cannot write the baseline: {reason}") from error
    return len(recorded)


def _replace_atomically(target: Path, document: dict[str, Any]) -> None:
    """Serialize `document` whole, then replace `target` with it (`files.write_atomically`:
    flushed to disk, the old file's mode kept, a symlinked baseline written through the link).

    Lone surrogates (a path that is not UTF-8) are written with `backslashreplace`: they can
    only sit inside a JSON string, where the escape written (`\\udcff`) is JSON's own and reads
    back as the same key.
    """
    text = io.StringIO()
    json.dump(document, text, indent=2, ensure_ascii=False)
    text.write("\n")
    write_atomically(target, text.getvalue().encode("utf-8", "backslashreplace"))


def load_baseline(source: Path) -> Counter[BaselineKey]:
    """The recorded findings as a multiset; BaselineError says precisely what is wrong."""
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise BaselineError(f"{source}: baseline file not found (create it with --write-baseline {source})") from error
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"{source}: cannot read the baseline: {error}") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"{source}: not a valid baseline (invalid JSON at line {error.lineno}: {error.msg}); "
            f"regenerate it with --write-baseline"
        ) from error
    if not isinstance(document, dict) or "findings" not in document:
        raise BaselineError(
            f"{source}: not an inngest-lint baseline (no 'findings'); regenerate it with --write-baseline"
        )
    version = document.get("version")
    if version != BASELINE_VERSION:
        raise BaselineError(
            f"{source}: baseline version {version!r} is not supported (expected {BASELINE_VERSION}); "
            f"regenerate it with --write-baseline"
        )
    findings = document["findings"]
    if not isinstance(findings, list):
        raise BaselineError(f"{source}: 'findings' must be a list")
    counts: Counter[BaselineKey] = Counter()
    for position, entry in enumerate(findings):
        if not isinstance(entry, dict):
            raise BaselineError(f"{source}: finding #{position + 1} must be an object")
        fields = []
        for name in ("path", "code", "function", "identity"):
            value = entry.get(name)
            if not isinstance(value, str):
                raise BaselineError(f"{source}: finding #{position + 1} needs a string '{name}'")
            fields.append(value)
        count = entry.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise BaselineError(f"{source}: finding #{position + 1} has an invalid 'count' {count!r}")
        counts[BaselineKey(*fields)] += count
    return counts


def new_findings(
    diagnostics: Sequence[Diagnostic], baseline: Counter[BaselineKey], index: Any, root: Path | None
) -> list[Diagnostic]:
    """The diagnostics the baseline does not account for, in their original order.

    Each baselined key absorbs up to its count of matching findings, earliest first; internal
    errors are never absorbed (they were never recorded).
    """
    remaining = Counter(baseline)
    kept: list[Diagnostic] = []
    for diagnostic, key in zip(diagnostics, finding_keys(diagnostics, index, root)):
        if not diagnostic.internal and remaining[key] > 0:
            remaining[key] -= 1
            continue
        kept.append(diagnostic)
    return kept


def baseline_root(targets: Sequence[str], stdin_filename: str | None = None) -> Path | None:
    """The project root paths in a baseline are relative to: found from the first target."""
    from inngest_lint.discovery import find_project_root

    first = targets[0] if targets else "."
    start = Path(stdin_filename) if first == "-" and stdin_filename else Path(first)
    if not start.exists():
        start = Path.cwd()
    return find_project_root(start) or Path.cwd().resolve()


@dataclass
class BaselinePlan:
    """What one run does with baselines: hide the findings one records (`--baseline`), record
    the run's findings (`--write-baseline`), or neither. Paths in a baseline are relative to
    `root`, the project root of the run's first target."""

    root: Path | None
    known: Counter[BaselineKey] | None = None
    write_to: Path | None = None

    @classmethod
    def for_run(
        cls,
        targets: Sequence[str],
        stdin_filename: str | None,
        baseline_path: Path | None,
        write_path: Path | None,
    ) -> BaselinePlan:
        """Raises BaselineError when the baseline to read is missing or malformed."""
        known = load_baseline(baseline_path) if baseline_path is not None else None
        return cls(baseline_root(targets, stdin_filename), known, write_path)

    def hide_known(self, diagnostics: Sequence[Diagnostic], index: Any) -> list[Diagnostic]:
        """The findings the baseline does not account for (all of them without a baseline)."""
        if self.known is None:
            return list(diagnostics)
        return new_findings(diagnostics, self.known, index, self.root)

    def record(self, diagnostics: Sequence[Diagnostic], index: Any) -> int:
        """Write the baseline; how many findings it holds. Raises BaselineError."""
        assert self.write_to is not None
        return write_baseline(self.write_to, diagnostics, index, self.root)
