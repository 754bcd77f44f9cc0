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
        for codes in (self.file_codes, self.lines.get(line)):
            if codes is None:
                continue
            if codes == ALL or code in codes or name in codes:
                return True
        return False

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


def parse_noqa(source: str) -> NoqaMap:
    if "noqa" not in source.lower():
        return NoqaMap()
    lines: dict[int, frozenset[str]] = {}
    file_codes: frozenset[str] | None = None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = []
        for number, text in enumerate(source.splitlines(), start=1):
            if "#" in text:
                tokens.append(
                    tokenize.TokenInfo(tokenize.COMMENT, text[text.index("#") :], (number, 0), (number, 0), text)
                )
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
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
