"""`inngest-lint server`: the linter as a language server (LSP over stdio, pygls 2).

Why a server rather than "run the CLI on save": the findings that matter most are cross-file
(INN201 "not served" depends on the module that calls `serve()`), so an editor needs the whole
project's facts, with the buffers the user has not saved yet standing in for the files on disk.
The server keeps the open documents, lints a project through `lint_paths` with
`RunOptions(overrides=...)`, and after every lint publishes for every open document of that
project: editing the `serve()` module updates the findings shown in the other files.

How a lint happens:
- A document's *project* is the directory `find_project_root` finds (pyproject.toml,
  inngest-lint.toml or .git upward), else the workspace folder holding it, else its own
  directory with no walk (a loose script: only the open files there are linted).
- `LintScheduler` debounces per project (300 ms after a change; at once on open, save and
  close) and coalesces: while a lint runs, a new request marks it stale, and a stale result is
  dropped and the project linted again, so the editor never shows findings for text it no
  longer has.
- `run_lint_job` runs in one worker thread, off the event loop, so hover and code actions stay
  responsive during a long lint. One thread, because the engine is not promised thread-safe
  and one lint at a time bounds memory. It never raises: a failure becomes a message for
  `window/logMessage`, and the previous findings stay.
- Settings are read again for every lint (`load_settings(project root)`), so an edit to the
  configuration counts from the next lint on.

Hover on a finding shows its rule's documentation. Code actions offer each finding's fix (the
safe one preferred; a fix that also edits another file, as INN201's import, edits it too),
"Suppress INNxxx on this line" (`# noqa: CODE`, merged into an existing `# noqa: ...`), and, when
asked for `source.fixAll` (a "fix on save" setting), "Fix all inngest-lint findings": the
document's safe fixes as one edit.

Deliberately not here: files that are not open are linted as context but their findings are not
published (an editor shows the buffers the user looks at); no watching of unopened files
(`workspace/didChangeWatchedFiles`), no pull diagnostics. stdout carries the protocol, so
`serve_stdio` sends anything else that prints to stderr.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import sys
import tokenize
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer
from pygls.workspace import PositionCodec, TextDocument

from inngest_lint import __version__
from inngest_lint.api import RunOptions, lint_paths
from inngest_lint.config import CONFIG_FILE_NAMES, load_settings
from inngest_lint.diagnostics import Diagnostic, Edit, Fix, Location, Severity, printable
from inngest_lint.discovery import PYTHON_SUFFIXES, Excluder, excluded_below, find_project_root
from inngest_lint.reporters._source import file_uri, span
from inngest_lint.reporters.base import docs_anchor
from inngest_lint.selection import ALWAYS_ON
from inngest_lint.suppression import FILE_NOQA, LINE_NOQA

SOURCE = "inngest-lint"
CHANGE_DEBOUNCE_SECONDS = 0.3
PYTHON_LANGUAGE_IDS = frozenset({"python"})
SUPPRESS_COMMENT = "  # noqa: {code}"
# Python's own line breaks (as libcst and the tokenizer count lines), not str.splitlines(),
# which also breaks at \x0c, \x1c and \u2028 and would shift every line after one.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
}


# --------------------------------------------------------------------------------------------
# Inputs and outputs of one lint (plain data: built on the event loop, used in the worker).


@dataclass(frozen=True)
class ProjectKey:
    """What is linted together. `walk=False` is a loose file outside any project: lint only
    the open files of that directory instead of walking, say, a home directory."""

    root: Path
    walk: bool = True


@dataclass(frozen=True)
class DocumentSnapshot:
    uri: str
    path: Path  # resolved, as the engine names files
    text: str
    version: int | None


@dataclass(frozen=True)
class LintJob:
    project: ProjectKey
    documents: tuple[DocumentSnapshot, ...]


@dataclass
class LintOutcome:
    """Findings per linted file; `linted` says which files a lint covered, so a failed run
    never clears findings it did not recompute."""

    by_path: dict[Path, list[Diagnostic]] = field(default_factory=dict)
    linted: set[Path] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def split_lines(text: str) -> list[str]:
    """The lines of `text` with their line breaks, as Python (and LSP) count lines."""
    return _LINES.findall(text)


def _line_content(line: str) -> str:
    return line.rstrip("\r\n")


def _engine_path(reported: str) -> Path:
    """The absolute path of a finding: `lint_paths` shows paths relative to the working
    directory when they are below it, and this process never changes directory."""
    return Path(os.path.normpath(os.path.join(os.getcwd(), reported)))


def is_excluded(path: Path, project: ProjectKey, excluder: Excluder) -> bool:
    """Whether the configuration or the default excludes (`.venv`, `site-packages`, `build`...)
    exclude a file, as a directory walk would: only the folders below the project root count.

    Not `RunOptions(force_exclude=True)`: it also tests the folders above the root, so every
    file of a project kept under, say, `~/build/` would silently show nothing. A loose file has
    no root to stop at: all its folders count, which is what keeps a library file opened from
    `site-packages` (go to definition) free of findings.
    """
    return excluded_below(path, excluder, project.root if project.walk else None)


def run_lint_job(job: LintJob) -> LintOutcome:
    """Lint one project with the open buffers standing in for the files on disk. Never raises.

    A buffer whose file does not exist yet (a new file, not saved) cannot be named as a path,
    so it is linted as stdin under its future name, with the other buffers as overrides.
    """
    outcome = LintOutcome()
    try:
        settings = load_settings(job.project.root)
    except Exception as error:  # noqa: BLE001 - a ConfigError is the user's to fix: say it, keep findings
        outcome.problems.append(f"inngest-lint: {error}")
        return outcome
    excluder = Excluder(Path(settings.root).resolve(), (*settings.exclude, *settings.extend_exclude))
    wanted: list[DocumentSnapshot] = []
    for document in job.documents:
        if is_excluded(document.path, job.project, excluder):
            outcome.linted.add(document.path)  # shows nothing, like the files a lint run skips
        else:
            wanted.append(document)
    overrides = {str(document.path): document.text for document in job.documents}
    base = RunOptions(
        project_root=job.project.root if job.project.walk else None,
        isolated=not job.project.walk,
        overrides=overrides,
    )
    runs: list[tuple[list[str], RunOptions, list[Path]]] = []
    on_disk = [document.path for document in wanted if document.path.is_file()]
    if on_disk:
        runs.append(([str(path) for path in on_disk], base, on_disk))
    for document in wanted:
        if document.path.is_file():
            continue
        others = {path: text for path, text in overrides.items() if path != str(document.path)}
        unsaved = replace(base, stdin_text=document.text, stdin_filename=str(document.path), overrides=others)
        runs.append((["-"], unsaved, [document.path]))
    for paths, options, covered in runs:
        try:
            result = lint_paths(paths, settings, options)
        except Exception as error:  # noqa: BLE001 - last resort: a log line, never a dead server
            details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            outcome.problems.append(
                f"inngest-lint: internal error while linting {job.project.root}: "
                f"{type(error).__name__}: {error}\n{details}"
            )
            continue
        outcome.linted.update(covered)
        outcome.problems.extend(f"inngest-lint: {message}" for message in result.errors)
        for diagnostic in result.diagnostics:
            outcome.by_path.setdefault(_engine_path(diagnostic.path), []).append(diagnostic)
    return outcome


# --------------------------------------------------------------------------------------------
# Diagnostic -> LSP.


def rule_name(code: str) -> str:
    from inngest_lint.registry import info_by_code

    info = info_by_code().get(code)
    return info.name if info else ""


def _position(lines: Sequence[str], codec: PositionCodec, line: int, column: int) -> types.Position:
    """1-based line and code-point column -> 0-based LSP position in the client's units
    (UTF-16 unless the client chose otherwise): an emoji before a finding counts twice."""
    return codec.position_to_client_units(lines, types.Position(line=max(line - 1, 0), character=max(column - 1, 0)))


def lsp_range(where: Diagnostic | Location, lines: Sequence[str], codec: PositionCodec) -> types.Range:
    line, column, end_line, end_column = span(where)
    if not lines:  # a file with no open buffer: code-point columns (the codec would clamp to 0:0)
        return types.Range(
            start=types.Position(line=line - 1, character=column - 1),
            end=types.Position(line=end_line - 1, character=end_column - 1),
        )
    return types.Range(start=_position(lines, codec, line, column), end=_position(lines, codec, end_line, end_column))


def to_lsp_diagnostic(
    diagnostic: Diagnostic,
    lines: Sequence[str],
    codec: PositionCodec,
    related_lines: Mapping[Path, Sequence[str]] | None = None,
) -> types.Diagnostic:
    """One finding as an LSP diagnostic: code, docs link, severity and the rule name in `data`.

    Related locations in other files are converted with those files' open buffers when there
    are some (`related_lines`), else with code-point columns (exact for ASCII lines).
    """
    name = rule_name(diagnostic.code)
    related: list[types.DiagnosticRelatedInformation] = []
    for location in diagnostic.related:
        path = _engine_path(location.path)
        other_lines = (related_lines or {}).get(path, ())
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=_file_uri(path), range=lsp_range(location, other_lines, codec)),
                message="affected code" if location == diagnostic.affected else "related location",
            )
        )
    return types.Diagnostic(
        range=lsp_range(diagnostic, lines, codec),
        message=printable(diagnostic.message),
        severity=_SEVERITIES.get(diagnostic.severity, types.DiagnosticSeverity.Error),
        code=diagnostic.code,
        code_description=types.CodeDescription(href=docs_anchor(diagnostic.code, name)),
        source=SOURCE,
        related_information=related or None,
        data={"rule": name},
    )


def _file_uri(path: Path) -> str:
    """pygls' URI for a path, or, for a file name that is not UTF-8 (which pygls cannot quote),
    the URI of its bytes: one such file must not stop the project's diagnostics."""
    try:
        return uris.from_fs_path(str(path)) or str(path)
    except UnicodeError:
        return file_uri(path) if path.is_absolute() else str(path)


def _contains(span_range: types.Range, position: types.Position) -> bool:
    start, end = span_range.start, span_range.end
    after_start = (position.line, position.character) >= (start.line, start.character)
    before_end = (position.line, position.character) <= (end.line, end.character)
    return after_start and before_end


def _overlaps(first: types.Range, second: types.Range) -> bool:
    return (first.start.line, first.start.character) <= (second.end.line, second.end.character) and (
        second.start.line,
        second.start.character,
    ) <= (first.end.line, first.end.character)


# --------------------------------------------------------------------------------------------
# Code actions: suppress with a noqa comment, and the seam for fixes.


@dataclass(frozen=True)
class _LineEnd:
    """What the end of one line holds: its comment token (if any)."""

    comment: tokenize.TokenInfo | None


def _line_end(source: str, line_number: int) -> _LineEnd | None:
    """The comment on 1-based `line_number`, or None when a comment cannot go at its end.

    A comment cannot go there when the line ends inside a token that spans lines (a triple-
    quoted string, an f-string across lines: the text would land inside the string) or after a
    backslash continuation (a comment after it is a syntax error), or when the file does not
    tokenize (nothing certain can be said).
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    fstring_start = getattr(tokenize, "FSTRING_START", None)
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    open_fstrings: list[int] = []
    comment: tokenize.TokenInfo | None = None
    for token in tokens:
        if token.type == fstring_start:
            open_fstrings.append(token.start[0])
        elif token.type == fstring_end and open_fstrings:
            if open_fstrings.pop() <= line_number < token.end[0]:
                return None
        if token.start[0] <= line_number < token.end[0] and token.type not in (tokenize.NEWLINE, tokenize.NL):
            return None
        if token.type == tokenize.COMMENT and token.start[0] == line_number:
            comment = token
    lines = split_lines(source)
    if line_number > len(lines):
        return None
    if comment is None and _line_content(lines[line_number - 1]).rstrip().endswith("\\"):
        return None
    return _LineEnd(comment)


def suppress_edit(source: str, line_index: int, code: str, codec: PositionCodec) -> types.TextEdit | None:
    """The edit that suppresses `code` on 0-based `line_index`, or None when it cannot be done
    safely (see `_line_end`) or the line already suppresses it.

    An existing `# noqa: X` gets `, CODE` added (`# noqa: X, CODE`); otherwise `  # noqa: CODE`
    goes at the end of the line, after any other comment (the suppression parser finds
    `# noqa` anywhere in a comment).
    """
    lines = split_lines(source)
    line_number = line_index + 1
    end = _line_end(source, line_number)
    if end is None:
        return None
    content = _line_content(lines[line_index])
    if end.comment is not None:
        if FILE_NOQA.search(end.comment.string):
            return None  # the parser reads this comment as file-level only: a line noqa here would not count
        match = LINE_NOQA.search(end.comment.string)
        if match is not None:
            codes = match.group("codes")
            if codes is None or code.upper() in {part.upper() for part in re.split(r"[\s,]+", codes)}:
                return None  # a bare noqa comment, or one naming the code, already suppresses it
            column = end.comment.start[1] + match.end("codes")
            position = codec.position_to_client_units(lines, types.Position(line=line_index, character=column))
            return types.TextEdit(range=types.Range(start=position, end=position), new_text=f", {code}")
    kept = len(content.rstrip())
    start = codec.position_to_client_units(lines, types.Position(line=line_index, character=kept))
    stop = codec.position_to_client_units(lines, types.Position(line=line_index, character=len(content)))
    return types.TextEdit(range=types.Range(start=start, end=stop), new_text=SUPPRESS_COMMENT.format(code=code))


#: The code action kind of "Fix all inngest-lint findings" (as ruff's `source.fixAll.ruff`).
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.inngest-lint"

#: Lines of another file for a fix that edits it (an open buffer, else the file on disk).
LinesOf = Callable[[str], "list[str] | None"]


def _text_at(lines: Sequence[str], edit: Edit) -> str | None:
    """The text `edit` replaces, read from `lines` (1-based lines, code-point columns)."""
    if not (1 <= edit.line <= len(lines) + 1 and 1 <= edit.end_line <= len(lines) + 1):
        return None
    text = "".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    start = starts[edit.line - 1] + edit.column - 1
    end = starts[edit.end_line - 1] + edit.end_column - 1
    return text[start:end] if 0 <= start <= end <= len(text) else None


def fix_edits(
    fix: Fix, path: str, uri: str, lines: Sequence[str], codec: PositionCodec, lines_of: LinesOf | None = None
) -> dict[str, list[types.TextEdit]] | None:
    """The fix's edits by document URI, or None when any edit no longer finds the code it
    replaces (the buffer changed) or edits a file whose text cannot be read."""
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in fix.edits:
        if edit.path == path:
            target_uri, target_lines = uri, list(lines)
        else:
            other = lines_of(edit.path) if lines_of is not None else None
            if other is None:
                return None
            target_uri, target_lines = file_uri(Path(edit.path)), other
        if _text_at(target_lines, edit) != edit.original:
            return None
        changes.setdefault(target_uri, []).append(
            types.TextEdit(
                range=types.Range(
                    start=_position(target_lines, codec, edit.line, edit.column),
                    end=_position(target_lines, codec, edit.end_line, edit.end_column),
                ),
                new_text=edit.replacement,
            )
        )
    return changes


def fix_actions(
    diagnostic: Diagnostic,
    lsp_diagnostic: types.Diagnostic,
    uri: str,
    lines: Sequence[str],
    codec: PositionCodec,
    *,
    path: str | None = None,
    lines_of: LinesOf | None = None,
) -> list[types.CodeAction]:
    """The quick fix for the fix a finding carries: titled by what it does, marked unsafe when
    it is, and preferred when it is safe (an editor's "auto fix" picks it). `lines` must be the
    text that was linted: the caller offers fixes only while the buffer is still that version.
    A fix that also edits another file (INN201's import) takes that file's text from `lines_of`.
    """
    fix = diagnostic.fix
    if fix is None:
        return []
    changes = fix_edits(fix, path or diagnostic.path, uri, lines, codec, lines_of)
    if not changes:
        return []
    description = fix.description[:1].upper() + fix.description[1:]
    title = f"{description} ({diagnostic.code})" if fix.safe else f"{description} ({diagnostic.code}, unsafe)"
    return [
        types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[lsp_diagnostic],
            is_preferred=fix.safe,
            edit=types.WorkspaceEdit(changes=changes),
        )
    ]


def fix_all_action(
    findings: Sequence[tuple[types.Diagnostic, Diagnostic]],
    path: str,
    uri: str,
    lines: Sequence[str],
    codec: PositionCodec,
) -> types.CodeAction | None:
    """The "Fix all inngest-lint findings" source action: the safe fixes of the document's
    findings that edit only this document, without overlaps (the first in document order wins;
    the next lint offers the rest again), as one edit."""
    edits: list[types.TextEdit] = []
    taken: list[tuple[int, int, int, int]] = []
    fixed: list[types.Diagnostic] = []
    for shown, diagnostic in sorted(findings, key=lambda item: (item[1].line, item[1].column)):
        fix = diagnostic.fix
        if fix is None or not fix.safe or any(edit.path != path for edit in fix.edits):
            continue
        spans = [(edit.line, edit.column, edit.end_line, edit.end_column) for edit in fix.edits]
        if any(_spans_overlap(span, other) for span in spans for other in taken):
            continue
        changes = fix_edits(fix, path, uri, lines, codec)
        if not changes:
            continue
        taken.extend(spans)
        edits.extend(changes[uri])
        fixed.append(shown)
    if not edits:
        return None
    return types.CodeAction(
        title="Fix all inngest-lint findings",
        kind=FIX_ALL_KIND,
        diagnostics=fixed,
        edit=types.WorkspaceEdit(changes={uri: edits}),
    )


def _spans_overlap(first: tuple[int, int, int, int], second: tuple[int, int, int, int]) -> bool:
    start, end = first[:2], first[2:]
    other_start, other_end = second[:2], second[2:]
    if start == end or other_start == other_end:  # an insertion: at the same place, or inside
        return other_start <= start <= other_end or start <= other_start <= end
    return start < other_end and other_start < end


def _kind_wanted(kind: str, only: Sequence[str] | None) -> bool:
    """LSP code action kinds are hierarchical: `only=["quickfix"]` admits `quickfix.x`."""
    if not only:
        return True
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


# --------------------------------------------------------------------------------------------
# The server.


@dataclass
class PublishedFile:
    """What was last published for a document: hover and code actions read it."""

    version: int | None
    lines: list[str]
    findings: list[tuple[types.Diagnostic, Diagnostic]]


class LintScheduler:
    """Per-project debounce and coalescing of lints (see the module docstring)."""

    def __init__(self, server: InngestLanguageServer) -> None:
        self.server = server
        # One worker: lints never overlap, whatever the number of projects.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inngest-lint")
        self.timers: dict[ProjectKey, asyncio.TimerHandle] = {}
        self.running: dict[ProjectKey, asyncio.Task[None]] = {}
        self.stale: set[ProjectKey] = set()

    def request(self, project: ProjectKey, delay: float = 0.0) -> None:
        timer = self.timers.pop(project, None)
        if timer is not None:
            timer.cancel()
        if delay <= 0:
            self._start(project)
        else:
            self.timers[project] = asyncio.get_running_loop().call_later(delay, self._start, project)

    def _start(self, project: ProjectKey) -> None:
        self.timers.pop(project, None)
        if project in self.running:
            self.stale.add(project)
            return
        self.running[project] = asyncio.ensure_future(self._lint_until_current(project))

    async def _lint_until_current(self, project: ProjectKey) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                self.stale.discard(project)
                job = self.server.snapshot(project)
                if not job.documents:
                    return
                outcome = await loop.run_in_executor(self.executor, run_lint_job, job)
                if project in self.stale:
                    continue  # the text changed while linting: these findings are already old
                if project in self.timers:
                    return  # a debounced change is pending and will lint again
                self.server.publish(job, outcome)
                return
        except Exception as error:  # noqa: BLE001 - never let a lint take the server down
            self.server.log(f"inngest-lint: lint failed: {type(error).__name__}: {error}\n{traceback.format_exc()}")
        finally:
            self.running.pop(project, None)

    def shutdown(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)


class InngestLanguageServer(LanguageServer):
    """The pygls server plus what the handlers share: the scheduler and what was published.

    pygls keeps the open documents (`self.workspace`) and applies incremental changes; this
    class decides which of them are Python, which project each belongs to, and what to show.
    """

    def __init__(self) -> None:
        super().__init__("inngest-lint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.scheduler = LintScheduler(self)
        self.published: dict[str, PublishedFile] = {}
        self._logged: dict[object, tuple[str, ...]] = {}

    # ---- documents and projects

    def open_document(self, uri: str) -> TextDocument | None:
        """The open document for `uri`, or None (pygls keys documents by unquoted URI)."""
        document: TextDocument | None = self.workspace.text_documents.get(unquote(uri))
        return document

    @staticmethod
    def document_path(uri: str) -> Path | None:
        path = uris.to_fs_path(uri)
        if not path:
            return None  # untitled:, git: and other non-file documents
        return Path(path).resolve()

    @staticmethod
    def is_python(document: TextDocument, path: Path) -> bool:
        return (document.language_id or "") in PYTHON_LANGUAGE_IDS or path.suffix in PYTHON_SUFFIXES

    def project_of(self, path: Path) -> ProjectKey:
        root = find_project_root(path)
        if root is not None:
            return ProjectKey(root)
        for folder in self.workspace.folders.values():
            folder_path = self.document_path(folder.uri)
            if folder_path is not None and (folder_path == path or folder_path in path.parents):
                return ProjectKey(folder_path)
        return ProjectKey(path.parent, walk=False)

    def python_documents(self) -> Iterable[tuple[TextDocument, Path]]:
        for document in list(self.workspace.text_documents.values()):
            path = self.document_path(document.uri)
            if path is not None and self.is_python(document, path):
                yield document, path

    def snapshot(self, project: ProjectKey) -> LintJob:
        documents = tuple(
            DocumentSnapshot(document.uri, path, document.source, document.version)
            for document, path in self.python_documents()
            if self.project_of(path) == project
        )
        return LintJob(project, documents)

    def request_lint(self, uri: str, delay: float = 0.0) -> None:
        path = self.document_path(uri)
        if path is None:
            return
        document = self.open_document(uri)
        if document is not None and not self.is_python(document, path):
            return
        self.scheduler.request(self.project_of(path), delay)

    def configuration_saved(self, uri: str) -> bool:
        """When `uri` is a configuration file (if the client sends those at all), relint every
        project with open documents, since settings are read per lint; True if it was one."""
        path = self.document_path(uri)
        if path is None or path.name not in CONFIG_FILE_NAMES:
            return False
        for project in {self.project_of(p) for _, p in self.python_documents()}:
            self.scheduler.request(project)
        return True

    # ---- publishing

    def publish(self, job: LintJob, outcome: LintOutcome) -> None:
        self._log_new(job.project, outcome.problems)
        codec = self.workspace.position_codec
        lines_by_path = {document.path: split_lines(document.text) for document in job.documents}
        internal: list[str] = []
        for document in job.documents:
            if document.path not in outcome.linted:
                continue
            current = self.open_document(document.uri)
            if current is None or current.version != document.version:
                continue
            lines = lines_by_path[document.path]
            findings = []
            for diagnostic in outcome.by_path.get(document.path, []):
                if diagnostic.internal:
                    internal.append(f"inngest-lint: {document.path}: {diagnostic.message}")
                    continue
                findings.append((to_lsp_diagnostic(diagnostic, lines, codec, lines_by_path), diagnostic))
            previous = self.published.get(document.uri)
            self.published[document.uri] = PublishedFile(document.version, lines, findings)
            shown = [lsp for lsp, _ in findings]
            if (
                previous is not None
                and previous.version == document.version
                and [lsp for lsp, _ in previous.findings] == shown
            ):
                continue  # nothing new to say about this document
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=document.uri, version=document.version, diagnostics=shown)
            )
        self._log_new(("internal", job.project), internal, types.MessageType.Warning)

    def forget(self, uri: str) -> bool:
        """A closed document: clear what was shown for it; True if it had been linted."""
        if self.published.pop(uri, None) is None:
            return False
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        return True

    def log(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def _log_new(self, key: object, messages: list[str], kind: types.MessageType = types.MessageType.Error) -> None:
        """Log messages unless the same ones were logged for `key` last time: a broken config
        would otherwise repeat its error after every keystroke."""
        current = tuple(messages)
        if current and self._logged.get(key) != current:
            for message in current:
                self.log(message, kind)
        self._logged[key] = current

    # ---- hover and code actions

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        from inngest_lint.docs import render_rule
        from inngest_lint.registry import find_rule

        published = self.published.get(params.text_document.uri)
        if published is None:
            return None
        hits = [(lsp, diagnostic) for lsp, diagnostic in published.findings if _contains(lsp.range, params.position)]
        sections: list[str] = []
        seen: set[str] = set()
        for _, diagnostic in hits:
            rule = find_rule(diagnostic.code)
            if rule is None or diagnostic.code in seen:
                continue
            seen.add(diagnostic.code)
            sections.append(render_rule(rule))
        if not sections:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n---\n\n".join(sections)),
            range=hits[0][0].range,
        )

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        document = self.open_document(uri)
        published = self.published.get(uri)
        if document is None or published is None:
            return []
        asked = [d for d in params.context.diagnostics if d.source == SOURCE]
        if not asked:  # clients that send no context: what we published in the range
            asked = [lsp for lsp, _ in published.findings if _overlaps(lsp.range, params.range)]
        codec = self.workspace.position_codec
        actions: list[types.CodeAction] = []
        same_version = document.version == published.version
        path = self.document_path(uri)
        if _kind_wanted(types.CodeActionKind.QuickFix, params.context.only):
            for lsp in asked:
                for shown, diagnostic in published.findings:
                    if same_version and path is not None and shown.code == lsp.code and shown.range == lsp.range:
                        actions.extend(
                            fix_actions(
                                diagnostic, shown, uri, published.lines, codec, path=str(path), lines_of=self.lines_of
                            )
                        )
            done: set[tuple[int, str]] = set()
            for lsp in asked:
                code = str(lsp.code or "")
                key = (lsp.range.start.line, code)
                if not code or code in ALWAYS_ON or key in done:
                    continue  # a syntax error or unreadable file is not suppressed by noqa
                done.add(key)
                edit = suppress_edit(document.source, lsp.range.start.line, code, codec)
                if edit is None:
                    continue
                actions.append(
                    types.CodeAction(
                        title=f"Suppress {code} on this line",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[lsp],
                        edit=types.WorkspaceEdit(changes={uri: [edit]}),
                    )
                )
        if _kind_wanted(FIX_ALL_KIND, params.context.only) and same_version and path is not None:
            # Only when asked by kind (a "fix all on save" setting, the source action menu):
            # in the light-bulb list of a line it would crowd out the quick fixes.
            if params.context.only:
                fix_all = fix_all_action(published.findings, str(path), uri, published.lines, codec)
                if fix_all is not None:
                    actions.append(fix_all)
        return actions

    def lines_of(self, path: str) -> list[str] | None:
        """The lines of another file a fix edits: its open buffer, else the file on disk."""
        for document in list(self.workspace.text_documents.values()):
            if self.document_path(document.uri) == Path(path):
                return split_lines(document.source)
        try:
            from inngest_lint.engine.parse import decode
            from inngest_lint.files import read_regular

            decoded = decode(path, read_regular(path))
        except OSError:
            return None
        return split_lines(decoded.text) if decoded.text is not None else None


def create_server() -> InngestLanguageServer:
    server = InngestLanguageServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: InngestLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.request_lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: InngestLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.request_lint(params.text_document.uri, CHANGE_DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: InngestLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        if not ls.configuration_saved(params.text_document.uri):
            ls.request_lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: InngestLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        if ls.forget(params.text_document.uri):
            # The closed buffer's unsaved text no longer counts: the others may read differently.
            ls.request_lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: InngestLanguageServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    def code_action(ls: InngestLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: InngestLanguageServer, params: Any) -> None:
        ls.scheduler.shutdown()

    return server


def serve_stdio() -> None:
    """Serve one client over stdin/stdout until it sends `exit`.

    stdout is the protocol channel: a stray `print` anywhere (a dependency, a warning printer)
    would corrupt a message, so everything but the protocol goes to stderr.

    Ctrl-C ends the process at once: pygls would otherwise wait for its stdin reader thread,
    blocked until the next input, and the server holds nothing that needs saving.

    pygls reads stdin through `FramedInput`, which hands it well-framed messages only (see there).
    """
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, _exit_on_interrupt)
    create_server().start_io(FramedInput(sys.stdin.buffer, protocol_out), protocol_out)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Message framing.

#: The largest message body read (the LSP spec sets none; a whole-file edit of a file at
#: max-file-size is a few MB): a larger Content-Length is refused rather than allocated.
MAX_CONTENT_LENGTH = 64 * 1024 * 1024
#: Headers are a line or two; a header block larger than this is not a header.
MAX_HEADER_BYTES = 64 * 1024
#: A header field that could start the next message, wherever it is found when resynchronising.
_LENGTH_FIELD = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_READ_SIZE = 64 * 1024


class FramedError(Exception):
    """A message whose framing cannot be trusted (its length is missing, invalid or too large)."""


class FramedInput:
    """stdin for pygls: only well-framed messages reach it, re-framed in the exact form it parses.

    pygls reads `Content-Length: N` (case-sensitive), then that many bytes, with no bound: a
    length of 10^11 made it allocate 100 GB and die, and a header without a usable length left it
    reading the following bodies as headers, deaf to every later request. Here a header block is
    read with a size bound; its one Content-Length must be a number from 1 to
    MAX_CONTENT_LENGTH. Otherwise the frame is answered with a JSON-RPC error (id null, as
    JSON-RPC prescribes when the request's id cannot be read) and the input is searched for the
    next `Content-Length:` field, where reading starts again: the next well-framed message is
    served. Bodies that are not JSON are passed on: pygls reports those and keeps its place.

    pygls calls `readline` and `read` from one worker thread at a time; errors are written to
    the protocol output in one call, which buffered writers perform under their lock.
    """

    def __init__(self, raw: Any, output: Any) -> None:
        self._raw = raw
        self._output = output
        self._buffer = bytearray()  # raw input not parsed yet
        self._pending = bytearray()  # re-framed messages pygls has not read yet
        self._eof = False

    # ---- what pygls calls
    def readline(self) -> bytes:
        if not self._pending and not self._next_message():
            return b""
        end = self._pending.find(b"\n")
        end = len(self._pending) if end < 0 else end + 1
        line = bytes(self._pending[:end])
        del self._pending[:end]
        return line

    def read(self, size: int = -1) -> bytes:
        if not self._pending and not self._next_message():
            return b""
        size = len(self._pending) if size < 0 else min(size, len(self._pending))
        data = bytes(self._pending[:size])
        del self._pending[:size]
        return data

    # ---- framing
    def _fill(self) -> bool:
        """Read more raw input; False at the end of it."""
        if self._eof:
            return False
        read = getattr(self._raw, "read1", self._raw.read)
        chunk = read(_READ_SIZE)
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def _next_message(self) -> bool:
        """Queue the next well-framed message for pygls; False at the end of the input."""
        while True:
            try:
                length, start = self._header()
            except FramedError as error:
                self._refuse(str(error))
                if not self._resynchronise():
                    return False
                continue
            if length is None:
                return False  # end of input
            while len(self._buffer) < start + length:
                if not self._fill():
                    return False  # a body cut short: the client has gone
            body = bytes(self._buffer[start : start + length])
            del self._buffer[: start + length]
            self._pending += b"Content-Length: %d\r\n\r\n" % length + body
            return True

    def _header(self) -> tuple[int | None, int]:
        """(body length, offset of the body in the buffer) of the header block at the start of
        the buffer; (None, 0) at the end of the input; FramedError for a block without a usable
        length."""
        while True:
            # Blank lines between messages are tolerated, as most clients' readers do.
            while self._buffer[:2] == b"\r\n" or self._buffer[:1] == b"\n":
                del self._buffer[: 2 if self._buffer[:2] == b"\r\n" else 1]
            end = self._block_end()
            if end is not None:
                break
            if len(self._buffer) > MAX_HEADER_BYTES:
                raise FramedError(f"a header longer than {MAX_HEADER_BYTES} bytes")
            if not self._fill():
                if self._buffer.strip():
                    raise FramedError("input ended inside a header")
                return None, 0
        block_end, body_start = end
        lengths: list[bytes] = []
        for line in bytes(self._buffer[:block_end]).splitlines():
            name, colon, value = line.partition(b":")
            if colon and name.strip().lower() == b"content-length":
                lengths.append(value.strip())
        if not lengths:
            raise FramedError("a message without a Content-Length header")
        if len(set(lengths)) > 1:
            raise FramedError("a message with conflicting Content-Length headers")
        text = lengths[0]
        if not text.isdigit():
            raise FramedError(f"a Content-Length that is not a number: {text[:40].decode('ascii', 'replace')!r}")
        length = int(text)
        if length == 0:
            raise FramedError("an empty message (Content-Length: 0)")
        if length > MAX_CONTENT_LENGTH:
            raise FramedError(f"a message of {length} bytes, over the {MAX_CONTENT_LENGTH} bytes read")
        return length, body_start

    def _block_end(self) -> tuple[int, int] | None:
        """(end of the header lines, start of the body) once the blank line is in the buffer."""
        crlf = self._buffer.find(b"\r\n\r\n")
        lf = self._buffer.find(b"\n\n")
        if crlf < 0 and lf < 0:
            return None
        if lf < 0 or (0 <= crlf < lf + 1):
            return crlf, crlf + 4
        return lf, lf + 2

    def _resynchronise(self) -> bool:
        """Drop input up to the next `Content-Length:` field after the start of the bad frame
        (never the same one again); False when the input ends first."""
        position = 1
        while True:
            found = _LENGTH_FIELD.search(self._buffer, position)
            if found is not None:
                del self._buffer[: found.start()]
                return True
            # Keep only what could be the beginning of a field cut by the read.
            keep = len(b"content-length :") - 1
            del self._buffer[: max(0, len(self._buffer) - keep)]
            position = 0
            if not self._fill():
                return False

    def _refuse(self, reason: str) -> None:
        message = f"inngest-lint: skipped {reason}; reading resumes at the next message"
        print(message, file=sys.stderr)
        body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": message}})
        data = body.encode("utf-8")
        try:
            self._output.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
            self._output.flush()
        except (OSError, ValueError):
            pass  # the client has gone; the next read ends the loop


def _exit_on_interrupt(signum: int, frame: object) -> None:
    os._exit(128 + signum)
