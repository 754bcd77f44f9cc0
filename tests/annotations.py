"""Inline expectations in fixture files, compared as sets.

`# error: INN101` on a line expects INN101 there; several codes are comma-separated;
`# error+1: INN102` (or `-1`) targets a nearby line; `# error: INN401 "leadId"` also requires the
message to contain the quoted text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_ANNOTATION = re.compile(r"#\s*error(?P<offset>[+-]\d+)?:\s*(?P<body>[^#]*)")
_ITEM = re.compile(r'(?P<code>INN\d{3})(?:\s+"(?P<text>[^"]*)")?')


@dataclass(frozen=True)
class Expected:
    path: str
    line: int
    code: str
    text: str | None = None


def parse_annotations(source: str, path: str) -> list[Expected]:
    expected: list[Expected] = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = _ANNOTATION.search(line)
        if not match:
            continue
        target = number + int(match.group("offset") or 0)
        for item in _ITEM.finditer(match.group("body")):
            expected.append(Expected(path, target, item.group("code"), item.group("text")))
    return expected


def annotations_in_tree(root: Path) -> list[Expected]:
    expected: list[Expected] = []
    for file in sorted(root.rglob("*.py")):
        expected.extend(parse_annotations(file.read_text(encoding="utf-8"), str(file.resolve())))
    return expected


def compare(expected: list[Expected], found: list[tuple[str, int, str, str]], codes: set[str] | None) -> list[str]:
    """Differences between expectations and (path, line, code, message) findings, as text."""
    problems: list[str] = []
    want = {(e.path, e.line, e.code) for e in expected}
    got = {(path, line, code) for path, line, code, _ in found if codes is None or code in codes}
    for path, line, code in sorted(want - got):
        problems.append(f"missing {code} at {path}:{line}")
    for path, line, code in sorted(got - want):
        messages = [m for p, ln, c, m in found if (p, ln, c) == (path, line, code)]
        problems.append(f"unexpected {code} at {path}:{line}: {messages[0]}")
    for item in expected:
        if item.text is None:
            continue
        messages = [m for p, ln, c, m in found if (p, ln, c) == (item.path, item.line, item.code)]
        if messages and not any(item.text in message for message in messages):
            problems.append(f"{item.code} at {item.path}:{item.line}: message lacks {item.text!r}: {messages}")
    return problems
