"""`# noqa` comments: per line (`# noqa`, `# noqa: INN101,INN102`, or rule names) and per file
(`# inngest-lint: noqa`, `# inngest-lint: noqa: INN501`).

Comments are found with `tokenize`, so a `# noqa` inside a string literal is not a suppression.
The map is plain data (picklable) so project-rule findings computed in phase 2 honour the noqa
comments of the file they land in.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

LINE_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9_\-]+(?:[\s,]+[A-Za-z0-9_\-]+)*))?", re.IGNORECASE)
FILE_NOQA = re.compile(
    r"#\s*inngest-lint:\s*noqa(?::\s*(?P<codes>[A-Za-z0-9_\-]+(?:[\s,]+[A-Za-z0-9_\-]+)*))?", re.IGNORECASE
)

ALL = frozenset({"*"})


@dataclass(frozen=True)
class NoqaMap:
    """line -> codes suppressed there ({"*"} = all); file_codes for the file-level comment."""

    lines: dict[int, frozenset[str]] = field(default_factory=dict)
    file_codes: frozenset[str] | None = None

    def suppresses(self, line: int, code: str, name: str) -> bool:
        return bool(self.matches(line, code, name))

    def matches(self, line: int, code: str, name: str) -> list[tuple[int, str]]:
        """What hides a finding of `code` (rule `name`) on `line`: (the comment's line, or 0 for
        the file-level comment; the code, name or "*" that matched)."""
        found: list[tuple[int, str]] = []
        for where, codes in ((0, self.file_codes), (line, self.lines.get(line))):
            if codes is None:
                continue
            if codes == ALL:
                found.append((where, "*"))
            elif code in codes:
                found.append((where, code))
            elif name and name in codes:
                found.append((where, name))
        return found

    def comment_lines(self) -> dict[int, frozenset[str]]:
        return self.lines


def _codes(text: str | None) -> frozenset[str]:
    if not text:
        return ALL
    return frozenset(
        part.strip().upper() if part.strip().upper().startswith("INN") else part.strip().lower()
        for part in re.split(r"[\s,]+", text)
        if part.strip()
    )


def _comments(source: str) -> list[tokenize.TokenInfo]:
    """The comment tokens of `source`; for a file that does not tokenize, every `#` to the end
    of its line (a broken file's noqa comments still count)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = []
        for number, text in enumerate(source.splitlines(), start=1):
            if "#" in text:
                start = text.index("#")
                tokens.append(
                    tokenize.TokenInfo(tokenize.COMMENT, text[start:], (number, start), (number, start), text)
                )
    return [token for token in tokens if token.type == tokenize.COMMENT]


def parse_noqa(source: str) -> NoqaMap:
    if "noqa" not in source.lower():
        return NoqaMap()
    lines: dict[int, frozenset[str]] = {}
    file_codes: frozenset[str] | None = None
    for token in _comments(source):
        file_match = FILE_NOQA.search(token.string)
        if file_match:
            codes = _codes(file_match.group("codes"))
            file_codes = (
                codes
                if file_codes is None or codes == ALL
                else (file_codes if file_codes == ALL else file_codes | codes)
            )
            continue
        match = LINE_NOQA.search(token.string)
        if match:
            lines[token.start[0]] = _codes(match.group("codes"))
    return NoqaMap(lines, file_codes)


@dataclass(frozen=True)
class NoqaCode:
    """One code (or rule name) written in a noqa comment, normalized as `NoqaMap` holds it, with
    the exact span of its text: 1-based line, 1-based start column, exclusive end column."""

    code: str
    line: int
    column: int
    end_column: int


@dataclass(frozen=True)
class NoqaComment:
    """A noqa comment as written: per line or per file (`# inngest-lint: noqa`), its codes (none
    for a bare comment), and the span of the `noqa` directive itself."""

    file_level: bool
    line: int
    column: int
    end_column: int
    codes: tuple[NoqaCode, ...]


_CODE = re.compile(r"[A-Za-z0-9_\-]+")


def noqa_comments(source: str) -> list[NoqaComment]:
    """Every noqa comment of `source`, with where each of its codes is written (for
    unused-noqa, INN902, whose removal fix needs the exact text of each code)."""
    if "noqa" not in source.lower():
        return []
    found: list[NoqaComment] = []
    for token in _comments(source):
        line, offset = token.start
        match = FILE_NOQA.search(token.string) or LINE_NOQA.search(token.string)
        if match is None:
            continue
        codes: list[NoqaCode] = []
        if match.group("codes"):
            base = offset + match.start("codes")
            for code in _CODE.finditer(match.group("codes")):
                (normalized,) = _codes(code.group())
                codes.append(NoqaCode(normalized, line, base + code.start() + 1, base + code.end() + 1))
        found.append(
            NoqaComment(
                file_level=match.re is FILE_NOQA,
                line=line,
                column=offset + match.start() + 1,
                end_column=offset + match.end() + 1,
                codes=tuple(codes),
            )
        )
    return found
