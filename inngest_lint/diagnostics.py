"""The Diagnostic record every rule produces and every reporter formats.

Positions are 1-based lines and 1-based columns (flake8 convention), already converted by the
engine: rules report CST nodes or fact locations, never raw offsets.
"""

from __future__ import annotations

import enum
import os
import re
from dataclasses import dataclass, field

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def display_path(path: str) -> str:
    """A path as every output shows it: relative to the working directory, unless that climbs
    out of it (`../..`), when the absolute path reads better."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else relative


def shortened(text: str, limit: int | None) -> str:
    """`text`, or its first `limit - 3` characters and `...` when it is longer than `limit`
    (`None`: whole): how a message quotes code or a user's string."""
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def printable(text: str) -> str:
    """`text` fit for any output: each lone surrogate as a backslash escape.

    A file name that is not valid UTF-8 (`b'bad\\xff.py'` on Linux) reaches Python with the
    undecodable byte as a lone surrogate (PEP 383), which a strict UTF-8 stream, JSON parser or
    XML writer rejects; a message naming such a file carries it too. Every format shows the
    byte the same way, `bad\\xff.py` (what `os.fsencode(name).decode('utf-8', 'backslashreplace')`
    gives): ASCII, so no console
    encoding fails on it, and lossless, so two names that differ only there stay apart (U+FFFD
    would merge them). Other lone surrogates (possible in Windows file names) become `\\uXXXX`.
    Any other text is returned as it is.
    """
    if text.isascii() or not _LONE_SURROGATE.search(text):
        return text
    return _LONE_SURROGATE.sub(_escape_surrogate, text)


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte `code - 0xDC00`
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


class Severity(str, enum.Enum):
    """How a finding affects the exit code: errors always fail; warnings only past --max-warnings."""

    ERROR = "error"
    WARNING = "warning"

    def __reduce_ex__(self, protocol: object) -> tuple[type, tuple[str]]:
        """Pickle by value (`Severity("error")`): the results cache's unpickler resolves only
        record classes, and the default enum reduction goes through `getattr`."""
        return Severity, (self.value,)


@dataclass(frozen=True, order=True)
class Location:
    """A span in a file: 1-based line, 1-based column, end exclusive column."""

    path: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        if self.end_line == 0:
            object.__setattr__(self, "end_line", self.line)
        if self.end_column == 0:
            object.__setattr__(self, "end_column", self.column)


#: How sure a fix is. A safe fix keeps what the code means (or only makes it do what it plainly
#: meant to); an unsafe one may change behaviour or needs a human's review (ruff's model).
SAFE, UNSAFE = "safe", "unsafe"
APPLICABILITIES = (SAFE, UNSAFE)


@dataclass(frozen=True)
class Edit:
    """Replace the code from (line, column) to (end_line, end_column) of `path` by `replacement`.

    Positions as `Location`'s (1-based, end exclusive; an insertion has start == end).
    `original` is the code the edit replaces, as it was read: the fixer applies an edit only to a
    text that still holds exactly that code there. A rule never writes these: it gives libcst
    nodes to `FileContext.fix`, which renders the replaced node's code with libcst.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    original: str
    replacement: str


@dataclass(frozen=True)
class Fix:
    """The edits that resolve one finding, all applied or none (they may span files)."""

    description: str
    applicability: str  # SAFE or UNSAFE
    edits: tuple[Edit, ...]
    # Fixes with the same non-empty key are alternatives (rename the send, or rename the
    # trigger): a run applies the one of the lowest rule code and drops the others.
    exclusive: str = ""

    @property
    def safe(self) -> bool:
        return self.applicability == SAFE


@dataclass(frozen=True)
class Diagnostic:
    """One finding. Rules and the engine store absolute paths; `lint_paths` makes `path` relative
    to the current directory before handing findings to reporters (`related` stays absolute)."""

    path: str
    line: int
    column: int
    code: str
    message: str
    end_line: int = 0
    end_column: int = 0
    severity: Severity = Severity.ERROR
    # Stable identity beyond the line number (function id, step id...), for baselines.
    context: str = ""
    # Extra locations a message refers to (the first duplicate, the near-miss trigger...).
    related: tuple[Location, ...] = field(default=())
    # An internal error (a rule crashed on this file): the run exits 2, not 1.
    internal: bool = False
    # A cross-file finding's cause, when a project rule can name it: the line in another file
    # whose change brings the finding (the serve() call that does not list an unserved function,
    # the renamed trigger a send nearly matches). A run that names only the cause's file (a
    # pre-commit hook given the staged files) reports the finding there; see `api._Run.report`.
    caused_by: Location | None = None
    # Set on a finding reported at its cause: where the affected code is (the finding's own place).
    affected: Location | None = None
    # The edit that resolves it, when the code determines one (`--fix`, editor quick fixes).
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    @classmethod
    def at(
        cls,
        location: Location,
        code: str,
        message: str,
        *,
        context: str = "",
        related: tuple[Location, ...] = (),
        caused_by: Location | None = None,
        fix: Fix | None = None,
    ) -> Diagnostic:
        return cls(
            path=location.path,
            line=location.line,
            column=location.column,
            end_line=location.end_line,
            end_column=location.end_column,
            code=code,
            message=message,
            context=context,
            related=related,
            caused_by=caused_by,
            fix=fix,
        )
