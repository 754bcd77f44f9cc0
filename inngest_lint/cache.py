"""The results cache: `.inngest_lint_cache/` at the project root.

What it stores, per file: an index entry (mtime, size, content digest, whether the file mentions
Inngest) so an unchanged file is not even read, and for parsed files the phase-1 result (its
per-file diagnostics, facts and noqa map) keyed by path and content digest. Phase 2 always re-runs
from the (cached) facts, so cross-file findings stay right when another file changes.

Safety: entries are pickles read by an unpickler that resolves only the linter's own record
types (`find_class` whitelist, as the pickle documentation recommends), so a cache directory
committed to a hostile repository cannot run code (the linter never executes what it lints).
Pickle rather than JSON because a warm run decodes every cached file's facts: the C unpickler
does that several times faster than rebuilding dataclasses from JSON in Python.
A corrupt, foreign or stale entry is ignored and rewritten. Writes go to a temporary file and
are renamed into place, so two concurrent runs (pre-commit in two terminals) never leave a torn
file; the worst case is that one run's index update wins.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
from pathlib import Path
from typing import Any

from inngest_lint import __version__
from inngest_lint.diagnostics import Diagnostic, Location, Severity
from inngest_lint.facts import model
from inngest_lint.suppression import NoqaMap

CACHE_DIR_NAME = ".inngest_lint_cache"
_FORMAT = 4

_RECORDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Diagnostic,
        Location,
        NoqaMap,
        model.Ref,
        model.DataShape,
        model.CelString,
        model.Trigger,
        model.LargeReturn,
        model.StepRun,
        model.Wait,
        model.Invoke,
        model.InngestFunction,
        model.Client,
        model.FunctionList,
        model.ServeCall,
        model.EventSend,
        model.Definition,
        model.BodyCall,
        model.ClientSend,
        model.FileFacts,
    )
}


_ALLOWED_GLOBALS = {
    **{(cls.__module__, cls.__name__): cls for cls in _RECORDS.values()},
    ("inngest_lint.diagnostics", "Severity"): Severity,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "set"): set,
}


class _RecordUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        allowed = _ALLOWED_GLOBALS.get((module, name))
        if allowed is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cache record")
        return allowed


def _loads(data: bytes) -> Any:
    return _RecordUnpickler(io.BytesIO(data)).load()


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _atomic_write(path: Path, content: str | bytes) -> None:
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class Cache:
    """One run's view of the cache: `key` covers everything that changes per-file results."""

    #: A file's content digest, the key of its stored result.
    digest = staticmethod(digest)

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.key = hashlib.blake2b(f"{_FORMAT}:{__version__}:{key}".encode(), digest_size=12).hexdigest()
        self._index_path = directory / f"index-{self.key}.json"
        self._results = directory / f"results-{self.key}"
        self.index: dict[str, list[Any]] = {}
        self._dirty = False
        self.writable = True
        self._load_index()

    def _load_index(self) -> None:
        try:
            data = json.loads(self._index_path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("format") == _FORMAT and isinstance(data.get("files"), dict):
                self.index = {
                    path: entry
                    for path, entry in data["files"].items()
                    if isinstance(entry, list) and len(entry) == 4
                }
        except (OSError, ValueError):
            self.index = {}

    # ---------------------------------------------------------------- index
    def lookup(self, path: str, mtime_ns: int, size: int) -> tuple[str, bool] | None:
        """(digest, mentions) if the file is unchanged since it was last seen."""
        entry = self.index.get(path)
        if entry and entry[0] == mtime_ns and entry[1] == size and isinstance(entry[2], str):
            return entry[2], bool(entry[3])
        return None

    def remember(self, path: str, mtime_ns: int, size: int, file_digest: str, mentions: bool) -> None:
        entry = [mtime_ns, size, file_digest, mentions]
        if self.index.get(path) != entry:
            self.index[path] = entry
            self._dirty = True

    # ---------------------------------------------------------------- results
    def _result_path(self, path: str, file_digest: str, module: tuple[str, bool]) -> Path:
        """Keyed by the module name too: adding an `__init__.py` above a file renames its module,
        and the names its facts hold, without changing its bytes."""
        # surrogatepass: a file name that is not UTF-8 reaches Python with lone surrogates in it.
        name = hashlib.blake2b(f"{path}\0{module[0]}\0{module[1]}\0{file_digest}".encode("utf-8", "surrogatepass"),
                               digest_size=16).hexdigest()
        return self._results / name[:2] / f"{name}.pickle"

    def load_result(self, path: str, file_digest: str, module: tuple[str, bool]):  # type: ignore[no-untyped-def]
        from inngest_lint.engine.file_pass import FileResult

        try:
            data = _loads(self._result_path(path, file_digest, module).read_bytes())
            if not (isinstance(data, tuple) and len(data) == 7 and data[0] == _FORMAT):
                return None
            _, stored_path, stored_digest, parsed, diagnostics, facts, noqa = data
            if stored_path != path or stored_digest != file_digest:
                return None
            if facts is not None and (not isinstance(facts, model.FileFacts) or facts.path != path):
                return None
            if not isinstance(diagnostics, list) or not all(isinstance(item, Diagnostic) for item in diagnostics):
                return None
            if not isinstance(noqa, NoqaMap):
                return None
            return FileResult(path, list(diagnostics), facts, noqa, bool(parsed))
        except Exception:  # noqa: BLE001 - any unreadable or foreign entry is a miss, never trusted
            return None

    def store_result(self, path: str, file_digest: str, module: tuple[str, bool],
                     result) -> None:  # type: ignore[no-untyped-def]
        if any(diagnostic.internal for diagnostic in result.diagnostics):
            return  # a crash is not a result worth keeping
        payload = (_FORMAT, path, file_digest, result.parsed, list(result.diagnostics), result.facts, result.noqa)
        try:
            _atomic_write(self._result_path(path, file_digest, module), pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError):
            self.writable = False

    # ---------------------------------------------------------------- saving
    def save(self) -> None:
        if not self._dirty or not self.writable:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                _atomic_write(ignore, "# Created by inngest-lint; the cache is local to this machine.\n*\n")
            _atomic_write(
                self._index_path,
                json.dumps({"format": _FORMAT, "files": self.index}, separators=(",", ":")),
            )
            self._dirty = False
        except OSError:
            self.writable = False
