"""What the CI formats (SARIF, GitHub, GitLab) need beyond a diagnostic: where the repository
starts, each finding's path relative to it, the text of its line, and a fingerprint.

Code hosts resolve paths against the repository root, not against the directory the linter ran
in, so a run from `services/api/` must still say `services/api/app.py`. The root is the nearest
directory above the working directory that holds `.git` (a directory, or a file in worktrees and
submodules); without one, the working directory stands in.

Fingerprints let GitHub and GitLab recognise "the same finding" across pushes. They must not
move when lines are inserted above a finding, so they hash what identifies it (repository path,
code, the rule's stable `context` or else its message, and the whitespace-normalized text of the
flagged line) and never its line number. Identical findings in one file (two copies of the same
line) are told apart by their order of appearance, which insertions above them do not change.
"""

from __future__ import annotations

import hashlib
import io
import os
import tokenize
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from inngest_lint.diagnostics import Diagnostic, Location, printable
from inngest_lint.discovery import find_git_top
from inngest_lint.files import read_regular

FINGERPRINT_VERSION = "v1"
#: The most of one file read for the text of flagged lines. libcst needs hundreds of bytes of
#: memory per source byte, so no file this large is ever parsed.
SOURCE_READ_LIMIT = 16 * 1024 * 1024


def repository_root(start: Path) -> Path:
    """The nearest directory at or above `start` holding `.git`, else `start` itself."""
    return find_git_top(start) or start


def normalized_line(text: str) -> str:
    """A line with every run of whitespace collapsed, so re-indenting keeps a fingerprint."""
    return " ".join(text.split())


class SourceIndex:
    """Paths and line text for one report: a reporter builds one per `report()` call.

    Files are read lazily, once each, only when a fingerprint needs a line; a file that cannot be
    read (deleted since the run, binary, undecodable) yields empty lines rather than an error,
    because a report must be written even for the INN901 finding that says so.
    """

    def __init__(self, working_directory: Path | None = None) -> None:
        self.working_directory = (working_directory or Path.cwd()).absolute()
        self.root = repository_root(self.working_directory)
        self._lines: dict[str, list[str]] = {}

    def absolute(self, path: str) -> Path:
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = self.working_directory / candidate
        return Path(os.path.normpath(candidate))

    def relative(self, path: str) -> str | None:
        """The POSIX path relative to the repository root, or None for a file outside it."""
        absolute = self.absolute(path)
        try:
            relative = os.path.relpath(absolute, self.root)
        except ValueError:  # another drive on Windows
            return None
        if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
            return None
        return Path(relative).as_posix()

    def display_path(self, path: str) -> str:
        """The repository-relative POSIX path, else the absolute POSIX path, fit to print
        (an undecodable byte of a file name as `\\xNN`, see `printable`)."""
        relative = self.relative(path)
        return printable(relative if relative is not None else self.absolute(path).as_posix())

    def relative_uri(self, path: str) -> str | None:
        """A URI reference relative to the repository root (percent-encoded), or None.

        The name's own bytes are encoded, so a name that is not UTF-8 (`bad%FF.py`) still
        names the file."""
        relative = self.relative(path)
        return quote(_path_bytes(relative), safe="/") if relative is not None else None

    def absolute_uri(self, path: str) -> str:
        return file_uri(self.absolute(path))

    def root_uri(self) -> str:
        """The root as a `file:` URI ending in `/`, as SARIF requires of a base URI."""
        uri = file_uri(self.root)
        return uri if uri.endswith("/") else uri + "/"

    def line_text(self, path: str, line: int) -> str:
        lines = self._lines.get(path)
        if lines is None:
            lines = self._read(path)
            self._lines[path] = lines
        return lines[line - 1] if 1 <= line <= len(lines) else ""

    def _read(self, path: str) -> list[str]:
        # Regular files only, and a bounded read: a finding may be the INN901 that says a named
        # path is a FIFO (reading it would wait forever), a device (/dev/zero never ends) or a
        # file over max-file-size. A file longer than SOURCE_READ_LIMIT keeps its whole lines
        # within it, which is every line a lintable file can have.
        try:
            data = read_regular(str(self.absolute(path)), SOURCE_READ_LIMIT, truncate=True)
        except OSError:
            return []
        if len(data) == SOURCE_READ_LIMIT:
            data = data[: data.rfind(b"\n") + 1]
        try:
            # As tokenize.open does: a BOM and a PEP 263 coding line are honoured, as Python does,
            # with universal newlines; split on "\n" only, because str.splitlines() also breaks at
            # form feeds and other characters that do not end a line for the parser.
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            return io.TextIOWrapper(io.BytesIO(data), encoding, newline=None).read().split("\n")
        except (SyntaxError, LookupError, UnicodeDecodeError, ValueError):
            return []

    def fingerprints(self, diagnostics: Sequence[Diagnostic]) -> list[str]:
        """One fingerprint per diagnostic, in order (see the module docstring for what goes in)."""
        seen: Counter[tuple[str, ...]] = Counter()
        fingerprints: list[str] = []
        for diagnostic in diagnostics:
            identity = (
                FINGERPRINT_VERSION,
                self.display_path(diagnostic.path),
                diagnostic.code,
                diagnostic.context or diagnostic.message,
                normalized_line(self.line_text(diagnostic.path, diagnostic.line)),
            )
            occurrence = seen[identity]
            seen[identity] += 1
            material = "\0".join((*identity, str(occurrence)))
            fingerprints.append(hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest())
        return fingerprints


def _path_bytes(path: str) -> bytes:
    """The bytes a path names on disk (surrogate escapes back to their bytes)."""
    try:
        return os.fsencode(path)
    except UnicodeError:
        return path.encode("utf-8", "surrogatepass")


def file_uri(path: Path) -> str:
    """`path.as_uri()`, which encodes the path's bytes on POSIX; elsewhere a name with a lone
    surrogate cannot be encoded, and its bytes are quoted here instead."""
    try:
        return path.as_uri()
    except UnicodeError:
        return "file:///" + quote(_path_bytes(path.as_posix().lstrip("/")), safe="/:")


def span(diagnostic: Diagnostic | Location) -> tuple[int, int, int, int]:
    """(line, column, end_line, end_column), 1-based, end column exclusive, always well ordered.

    A zero end (a diagnostic built without one, as internal errors are) means "the start", and
    an end before the start is clamped to it: the formats here reject both.
    """
    line = max(diagnostic.line, 1)
    column = max(diagnostic.column, 1)
    end_line = max(diagnostic.end_line, line)
    if diagnostic.end_column <= 0 or (end_line == line and diagnostic.end_column < column):
        end_column = column
    else:
        end_column = diagnostic.end_column
    return line, column, end_line, end_column
