"""Bytes to text to a libcst Module, turning every failure into a diagnostic.

A binary file (NUL bytes) or one that cannot be decoded is INN901; a syntax error is INN900 at
its line; a file nested deeply enough to exhaust libcst's recursion is INN900 too. None of these
stop the run.

Only regular files are read, and never past `max-file-size`: a FIFO named `x.py` would block the
run forever waiting for a writer, a symlink to `/dev/zero` or `/dev/urandom` never ends, and a
`/proc` file says it is empty and then gives more. So the file is opened without blocking, its
type and size are checked on the open descriptor (no window for a swap between a check and the
open), and the read itself stops one byte past the limit.
"""

from __future__ import annotations

import ast
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass

from inngest_lint.diagnostics import Diagnostic

SYNTAX_ERROR = "INN900"
UNREADABLE_FILE = "INN901"


@dataclass
class Decoded:
    text: str | None
    problem: Diagnostic | None


#: O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer (it changes nothing
#: for a regular file); O_NOCTTY: opening a terminal device must not make it this process's own.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegularFile(OSError):
    """What is at a path is not a regular file (a FIFO, a device, a socket, a directory)."""

    def __init__(self, mode: int) -> None:
        self.mode = mode
        super().__init__(f"not a regular file ({file_kind(mode)})")


class OverLimit(OSError):
    """A file holds more bytes than the caller will read; `size` is what is known of it."""

    def __init__(self, size: int, exact: bool) -> None:
        self.size = size
        self.exact = exact
        super().__init__(f"file is over {size} bytes")


def file_kind(mode: int) -> str:
    return next((kind for test, kind in _KINDS if test(mode)), "an unknown kind of file")


def human_size(size: int) -> str:
    """`1.5 MB`, `12.0 KB`, `64 bytes`: a limit of a few KB must not read as `0.0 MB`."""
    if size >= 1024 * 1024:
        return f"{size / 1048576:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} byte{'s' if size != 1 else ''}"


def too_large(path: str, size: int, limit: int, exact: bool = True) -> Diagnostic:
    """INN901 for a file over `max-file-size` (the command line, the engine and flake8 agree)."""
    amount = human_size(size) if exact else f"more than {human_size(limit)}"
    return Diagnostic(
        path, 1, 1, UNREADABLE_FILE,
        f"file is {amount}, over max-file-size ({human_size(limit)}); not linted (raise max-file-size to lint it)",
    )


def read_regular(path: str, limit: int = 0, *, truncate: bool = False) -> bytes:
    """The bytes of the regular file at `path` (symlinks followed), at most `limit` of them.

    Raises NotRegularFile for anything else, OverLimit when the file holds more than `limit`
    bytes (unless `truncate`: then its first `limit` bytes), and OSError when it cannot be
    opened or read. `limit` 0 reads it all: a regular file always ends.
    """
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(info.st_mode)
        if limit and info.st_size > limit and not truncate:
            raise OverLimit(info.st_size, exact=True)
        # The size said may be wrong (a /proc file says 0, a file may grow while it is read):
        # read up to one byte past the limit, and no further.
        budget = limit + (0 if truncate else 1) if limit else None
        parts: list[bytes] = []
        total = 0
        while budget is None or total < budget:
            chunk = os.read(descriptor, _CHUNK if budget is None else min(_CHUNK, budget - total))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
    finally:
        os.close(descriptor)
    if limit and total > limit:
        raise OverLimit(total, exact=False)
    return b"".join(parts)


def read_bytes(path: str, limit: int = 0) -> tuple[bytes | None, Diagnostic | None]:
    """(bytes, None), or (None, INN901) for what is not a regular file, is over `limit` bytes
    (`max-file-size`; 0: no limit) or cannot be read."""
    try:
        return read_regular(path, limit), None
    except NotRegularFile as error:
        return None, Diagnostic(path, 1, 1, UNREADABLE_FILE, f"{error}; not linted")
    except OverLimit as error:
        return None, too_large(path, error.size, limit, exact=error.exact)
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
