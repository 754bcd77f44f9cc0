"""The results cache: `.inngest_lint_cache/` at the project root.

What it stores, per file: an index entry (mtime, size, content digest, whether the file mentions
Inngest) so an unchanged file is not even read, and for parsed files the phase-1 result (its
per-file diagnostics, facts and noqa map) keyed by path and content digest. Phase 2 always re-runs
from the (cached) facts, so cross-file findings stay right when another file changes.

Safety: entries are JSON with a whitelist of record types, never pickle, so a cache directory
committed to a hostile repository cannot run code (the linter never executes what it lints).
A corrupt, foreign or stale entry is ignored and rewritten. Writes go to a temporary file and
are renamed into place, so two concurrent runs (pre-commit in two terminals) never leave a torn
file; the worst case is that one run's index update wins.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os

from pathlib import Path
from typing import Any

from inngest_lint import __version__
from inngest_lint.diagnostics import Diagnostic, Location, Severity
from inngest_lint.facts import model
from inngest_lint.suppression import NoqaMap

CACHE_DIR_NAME = ".inngest_lint_cache"
_FORMAT = 1

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
        model.FileFacts,
    )
}


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: _encode(getattr(value, field.name)) for field in dataclasses.fields(value)}
        return {"__t": type(value).__name__, **fields}
    if isinstance(value, enum.Enum):
        return {"__e": type(value).__name__, "v": value.value}
    if isinstance(value, (tuple, list)):
        return [_encode(item) for item in value]
    if isinstance(value, frozenset):
        return {"__fs": sorted(_encode(item) for item in value)}
    if isinstance(value, dict):
        return {"__d": [[_encode(key), _encode(item)] for key, item in value.items()]}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    if isinstance(value, dict):
        if "__t" in value:
            cls = _RECORDS[value["__t"]]  # KeyError on anything not whitelisted
            names = {field.name for field in dataclasses.fields(cls)}
            kwargs = {key: _decode(item) for key, item in value.items() if key != "__t"}
            if set(kwargs) != names:
                raise ValueError(f"fields of {cls.__name__} changed")
            return cls(**kwargs)
        if "__e" in value:
            if value["__e"] != "Severity":
                raise ValueError("unknown enum")
            return Severity(value["v"])
        if "__fs" in value:
            return frozenset(_decode(item) for item in value["__fs"])
        if "__d" in value:
            return {_decode(key): _decode(item) for key, item in value["__d"]}
        raise ValueError("unknown mapping")
    return value


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _atomic_write(path: Path, text: str) -> None:
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class Cache:
    """One run's view of the cache: `key` covers everything that changes per-file results."""

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
    def _result_path(self, path: str, file_digest: str) -> Path:
        name = hashlib.blake2b(f"{path}\0{file_digest}".encode(), digest_size=16).hexdigest()
        return self._results / name[:2] / f"{name}.json"

    def load_result(self, path: str, file_digest: str):  # type: ignore[no-untyped-def]
        from inngest_lint.engine.file_pass import FileResult

        try:
            data = json.loads(self._result_path(path, file_digest).read_text(encoding="utf-8"))
            if data.get("path") != path or data.get("digest") != file_digest:
                return None
            diagnostics = _decode(data["diagnostics"])
            facts = _decode(data["facts"]) if data["facts"] is not None else None
            noqa = _decode(data["noqa"])
            if facts is not None and (not isinstance(facts, model.FileFacts) or facts.path != path):
                return None
            if not all(isinstance(item, Diagnostic) for item in diagnostics) or not isinstance(noqa, NoqaMap):
                return None
            return FileResult(path, list(diagnostics), facts, noqa, bool(data.get("parsed")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def store_result(self, path: str, file_digest: str, result) -> None:  # type: ignore[no-untyped-def]
        if any(diagnostic.internal for diagnostic in result.diagnostics):
            return  # a crash is not a result worth keeping
        payload = {
            "path": path,
            "digest": file_digest,
            "parsed": result.parsed,
            "diagnostics": _encode(list(result.diagnostics)),
            "facts": _encode(result.facts) if result.facts is not None else None,
            "noqa": _encode(result.noqa),
        }
        try:
            _atomic_write(self._result_path(path, file_digest), json.dumps(payload, separators=(",", ":")))
        except OSError:
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
        except OSError:
            self.writable = False
