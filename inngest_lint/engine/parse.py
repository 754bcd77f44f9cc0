"""Bytes to text to a libcst Module, turning every failure into a diagnostic.

A binary file (NUL bytes) or one that cannot be decoded is INN901; a syntax error is INN900 at
its line; a file nested deeply enough to exhaust libcst's recursion is INN900 too. None of these
stop the run.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from inngest_lint.diagnostics import Diagnostic

SYNTAX_ERROR = "INN900"
UNREADABLE_FILE = "INN901"


@dataclass
class Decoded:
    text: str | None
    problem: Diagnostic | None


def read_bytes(path: str) -> tuple[bytes | None, Diagnostic | None]:
    try:
        with open(path, "rb") as handle:
            return handle.read(), None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return None, Diagnostic(path, 1, 1, UNREADABLE_FILE, f"cannot read file: {reason}")


def decode(path: str, data: bytes) -> Decoded:
    """Decode as Python does (PEP 263 coding cookie, default UTF-8)."""
    if b"\x00" in data:
        return Decoded(None, Diagnostic(path, 1, 1, UNREADABLE_FILE, "binary file (contains NUL bytes); not linted"))
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        detail = error.reason if isinstance(error, UnicodeDecodeError) else str(error)
        return Decoded(None, Diagnostic(path, 1, 1, UNREADABLE_FILE, f"cannot decode file: {detail}"))
    if text.startswith("\ufeff"):
        text = text[1:]
    return Decoded(text, None)


#: Above this depth of nested expressions, libcst's native parser becomes super-linear (a
#: 1,000-term `a + b + ...` chain takes about a second, 4,000 terms fifteen) and eventually
#: overflows its stack, which kills the process. Real code stays far below it.
MAX_EXPRESSION_DEPTH = 400
_BRACKETS = re.compile(r"[()\[\]{}]")


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "([{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def too_complex(path: str, text: str) -> Diagnostic | None:
    """Screen out inputs that would crash or stall libcst, using Python's own parser.

    Only files with a very long line or deep brackets pay for the check.
    """
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest < 2000 and _bracket_depth(text) < 100:
        return None
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        line = max(1, error.lineno or 1)
        column = max(1, error.offset or 1)
        return Diagnostic(path, line, column, SYNTAX_ERROR, f"syntax error: {error.msg}")
    except (RecursionError, MemoryError, ValueError):
        return Diagnostic(path, 1, 1, SYNTAX_ERROR, "file is nested too deeply to parse; not linted")
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > MAX_EXPRESSION_DEPTH:
                line = getattr(node, "lineno", 1)
                return Diagnostic(
                    path, line, 1, SYNTAX_ERROR,
                    f"expression nested more than {MAX_EXPRESSION_DEPTH} levels deep; too complex to lint",
                )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def parse(path: str, text: str):  # type: ignore[no-untyped-def]
    """(module, None) or (None, INN900 diagnostic)."""
    import libcst as cst

    screened = too_complex(path, text)
    if screened is not None:
        return None, screened
    try:
        return cst.parse_module(text), None
    except cst.ParserSyntaxError as error:
        message = " ".join(str(error.message).split()) or "invalid syntax"
        line = max(1, error.raw_line)
        column = max(1, error.raw_column + 1)
        return None, Diagnostic(path, line, column, SYNTAX_ERROR, f"syntax error: {message}")
    except RecursionError:
        return None, Diagnostic(path, 1, 1, SYNTAX_ERROR, "file is nested too deeply to parse; not linted")
    except (ValueError, TypeError, MemoryError) as error:
        return None, Diagnostic(path, 1, 1, SYNTAX_ERROR, f"cannot parse file: {error}")
