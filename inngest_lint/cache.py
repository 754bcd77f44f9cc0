"""The results cache: `.inngest_lint_cache/` at the project root.

What it stores, per file: an index entry (mtime, size, content digest, whether the file mentions
Inngest) so an unchanged file is not even read, and for parsed files the phase-1 result (its
per-file diagnostics, facts and noqa map) keyed by path and content digest. Phase 2 always re-runs
from the (cached) facts, so cross-file findings stay right when another file changes.

Nothing read back is trusted until it is verified, because a cache lives on disks that flip bits,
in directories other tools and people write to, and sometimes in a repository:
- Every result entry carries a checksum of its payload (blake2b), and the index a checksum of its
  entries: a damaged entry (15 of 96 single-bit flips once ended a run with exit 2) is caught.
- The key of every file includes the facts schema version (`facts.model.FACTS_SCHEMA`, bumped
  when what a fact means changes) and a fingerprint of the record types' fields (`SCHEMA`), so
  entries written by a build with other facts are never read.
- Entries are pickles read by an unpickler that resolves only the linter's own record types
  (`find_class` whitelist, as the pickle documentation recommends), so a cache directory
  committed to a hostile repository cannot run code (the linter never executes what it lints).
  What unpickles is then validated, field by field, against the record types' annotations and
  the values the engine produces (known rule codes, kinds, positive lines, bounded size and
  depth): records of the allowed types can still be arranged to crash a rule or a reporter.
- Files are read only when they are regular files, not through a symlink, and up to a bound:
  an index linked to /dev/zero must not be read until memory runs out.
A checksum is not a signature: someone who can write the cache can write a consistent lie, as
they can write a configuration that ignores every rule. What the checks promise is that no
entry makes a run crash, and that damage is caught.

An entry that fails any check is deleted and its file linted again, so the rewritten entry
replaces it (a bad entry used to be kept, and failed every run). Pickle rather than JSON because
a warm run decodes every cached file's facts: the C unpickler does that several times faster
than rebuilding dataclasses from JSON in Python. Writes go to a temporary file and are renamed
into place, so two concurrent runs (pre-commit in two terminals) never leave a torn file; the
worst case is that one run's index update wins.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import io
import json
import os
import pickle
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inngest_lint import __version__
from inngest_lint.diagnostics import APPLICABILITIES, Diagnostic, Edit, Fix, Location, Severity
from inngest_lint.facts import model
from inngest_lint.files import read_regular, write_atomically
from inngest_lint.suppression import NoqaMap

if TYPE_CHECKING:  # for annotations; load_result imports it when it runs
    from inngest_lint.engine.file_pass import FileResult

CACHE_DIR_NAME = ".inngest_lint_cache"
_FORMAT = 7
#: The first bytes of a result entry: the format, then a 16-byte checksum of the payload.
_MAGIC = b"inngest-lint-cache-7\n"
_CHECKSUM_BYTES = 16
#: Bounds on what is read back: far above what any real index or entry holds.
MAX_INDEX_BYTES = 256 * 1024 * 1024
MAX_ENTRY_BYTES = 64 * 1024 * 1024

_RECORDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Diagnostic,
        Location,
        Fix,
        Edit,
        NoqaMap,
        model.Ref,
        model.DataShape,
        model.CelString,
        model.Trigger,
        model.ReturnedCall,
        model.ReturnedValue,
        model.StepRun,
        model.StepCall,
        model.KeyRead,
        model.Wait,
        model.Invoke,
        model.HandlerSignature,
        model.HelperCall,
        model.InvokeById,
        model.InngestFunction,
        model.Client,
        model.FunctionList,
        model.ServeCall,
        model.EventSend,
        model.Effect,
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


def schema_fingerprint(records: Iterable[type[Any]]) -> str:
    """A digest of record types' names and fields (names and annotations) and enum values.

    Part of every cache key: a build whose facts layout differs (a field added, renamed or
    retyped) reads none of another build's entries, version number or not.
    """
    parts: list[object] = []
    for record in records:
        if isinstance(record, type) and issubclass(record, enum.Enum):
            parts.append((record.__name__, [member.value for member in record]))
        else:
            parts.append((record.__name__, [(item.name, str(item.type)) for item in dataclasses.fields(record)]))
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


SCHEMA = schema_fingerprint((*_RECORDS.values(), Severity))


class CacheEntryError(Exception):
    """An entry that fails its checksum, does not unpickle, or does not validate."""


def encode_entry(payload: Any) -> bytes:
    """The bytes of a result entry: magic, checksum of the pickled payload, the payload."""
    body = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return _MAGIC + hashlib.blake2b(body, digest_size=_CHECKSUM_BYTES).digest() + body


def decode_entry(data: bytes) -> Any:
    """The payload of a result entry whose magic and checksum are right (not yet validated)."""
    start = len(_MAGIC) + _CHECKSUM_BYTES
    if len(data) < start or not data.startswith(_MAGIC):
        raise CacheEntryError("not a cache entry of this format")
    body = data[start:]
    if hashlib.blake2b(body, digest_size=_CHECKSUM_BYTES).digest() != data[len(_MAGIC) : start]:
        raise CacheEntryError("checksum mismatch")
    try:
        return _loads(body)
    except Exception as error:  # noqa: BLE001 - whatever the unpickler raises, the entry is bad
        raise CacheEntryError(f"does not load: {type(error).__name__}") from error


def _index_checksum(files: dict[str, Any]) -> str:
    """A checksum of the index's entries as JSON, in their order (which JSON round-trips)."""
    return hashlib.blake2b(
        json.dumps(files, separators=(",", ":")).encode("utf-8", "surrogatepass"),
        digest_size=_CHECKSUM_BYTES,
    ).hexdigest()


def read_regular_file(path: Path, limit: int) -> bytes | None:
    """The bytes of `path` if it is a regular file (not a symlink, FIFO or device) of at most
    `limit` bytes, else None: a cache file linked to /dev/zero is never read."""
    try:
        return read_regular(path, limit, follow_symlinks=False)
    except OSError:
        return None


# ------------------------------------------------------------------------------ validation
#: Values the engine gives these fields; anything else is not an entry this linter wrote.
_CLOSED_VALUES: dict[tuple[str, str], frozenset[str]] = {
    ("Ref", "kind"): frozenset({"str", "symbol", "choice", "unknown"}),
    ("Trigger", "kind"): frozenset({"event", "cron"}),
    ("Definition", "kind"): frozenset({"def", "async def", "class", "inngest-handler"}),
    ("EventSend", "via"): frozenset({"send", "send_sync", "send_event", "event"}),
    ("ReturnedValue", "kind"): model.RETURN_KINDS,
    ("Effect", "kind"): model.EFFECT_KINDS,
    ("Fix", "applicability"): frozenset(APPLICABILITIES),
}
_DATA_TYPES = frozenset({"string", "number", "bool", "null", "list", "map", "unknown"})
#: Fields that are positions: lines and columns start at 1, ends may be 0 ("the start").
_POSITIVE = frozenset({"line", "column"})
_NON_NEGATIVE = frozenset({"end_line", "end_column"})
_MAX_DEPTH = 64


class _Invalid(Exception):
    """A value that does not match its record's annotation."""


Check = Callable[[Any, "_Budget", int], None]


class _Budget:
    """How many values one entry may hold: a pickle can share one object from many places, and
    a walk of the shared structure as a tree (validation here, the rules later) would be
    exponential in the entry's size."""

    def __init__(self, remaining: int) -> None:
        self.remaining = remaining

    def spend(self) -> None:
        self.remaining -= 1
        if self.remaining < 0:
            raise _Invalid("too many values")


def _split_top(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside brackets."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return parts


def _compile(annotation: str, names: dict[str, Any]) -> Check:
    """A checker for one field annotation as the record modules write them (`str`, `Ref | None`,
    `tuple[Location, ...]`, `dict[int, frozenset[str]]`...). Parsed from the annotation text, as
    `typing.get_type_hints` cannot evaluate `X | None` on Python 3.9. An annotation it does not
    know raises at import: a new field type must be taught here, not silently trusted."""
    options = _split_top(annotation, "|")
    if len(options) > 1:
        checks = [_compile(option, names) for option in options]

        def either(value: Any, budget: _Budget, depth: int) -> None:
            for check in checks:
                try:
                    check(value, budget, depth)
                    return
                except _Invalid:
                    continue
            raise _Invalid(f"not {annotation}")

        return either
    match = re.fullmatch(r"(\w+)(?:\[(.*)\])?", annotation.strip())
    if match is None:
        raise TypeError(f"cache validation cannot read the annotation {annotation!r}")
    head, inner = match.group(1), match.group(2)
    if inner is None:
        return _scalar(head, names)
    arguments = _split_top(inner, ",")
    if head == "tuple" and len(arguments) == 2 and arguments[1] == "...":
        return _sequence(tuple, _compile(arguments[0], names))
    if head == "tuple":
        items = [_compile(argument, names) for argument in arguments]

        def fixed(value: Any, budget: _Budget, depth: int) -> None:
            if type(value) is not tuple or len(value) != len(items):
                raise _Invalid(f"not {annotation}")
            for item, check in zip(value, items):
                check(item, budget, depth + 1)

        return fixed
    if head in ("list", "frozenset", "set") and len(arguments) == 1:
        kinds: dict[str, type[Iterable[Any]]] = {"list": list, "frozenset": frozenset, "set": set}
        return _sequence(kinds[head], _compile(arguments[0], names))
    if head == "dict" and len(arguments) == 2:
        key_check, value_check = _compile(arguments[0], names), _compile(arguments[1], names)

        def mapping(value: Any, budget: _Budget, depth: int) -> None:
            if type(value) is not dict:
                raise _Invalid(f"not {annotation}")
            for key, item in value.items():
                key_check(key, budget, depth + 1)
                value_check(item, budget, depth + 1)

        return mapping
    raise TypeError(f"cache validation cannot read the annotation {annotation!r}")


def _sequence(kind: type[Iterable[Any]], item_check: Check) -> Check:
    def check(value: Any, budget: _Budget, depth: int) -> None:
        if type(value) is not kind:
            raise _Invalid(f"not a {kind.__name__}")
        budget.spend()
        for item in value:
            item_check(item, budget, depth + 1)

    return check


_EXACT: dict[str, type] = {"str": str, "int": int, "bool": bool, "float": float}


def _scalar(name: str, names: dict[str, Any]) -> Check:
    exact = _EXACT.get(name)
    if exact is not None:

        def plain(value: Any, budget: _Budget, depth: int) -> None:
            if type(value) is not exact:
                raise _Invalid(f"not a {name}")

        return plain
    if name == "None":

        def none(value: Any, budget: _Budget, depth: int) -> None:
            if value is not None:
                raise _Invalid("not None")

        return none
    if name not in names:
        raise TypeError(f"cache validation does not know the type {name!r}")

    def record(value: Any, budget: _Budget, depth: int) -> None:
        _check_record(value, names[name], budget, depth)

    return record


#: Per record type: (field, exact type for a plain field or None, checker, closed values, the
#: least value of a position field or None). Plain fields are checked inline: a warm run
#: validates every cached file's facts, and a call per string would double that cost.
_Field = tuple[str, "type | None", Check, "frozenset[str] | None", "int | None"]
_CHECKERS: dict[type, list[_Field]] = {}


def _checkers(record: type) -> list[_Field]:
    found = _CHECKERS.get(record)
    if found is None:
        names = {**{cls.__name__: cls for cls in _RECORDS.values()}, "Severity": Severity}
        found = []
        for item in dataclasses.fields(record):
            annotation = str(item.type)
            least = 1 if item.name in _POSITIVE else 0 if item.name in _NON_NEGATIVE else None
            found.append(
                (
                    item.name,
                    _EXACT.get(annotation),
                    _compile(annotation, names),
                    _CLOSED_VALUES.get((record.__name__, item.name)),
                    least,
                )
            )
        _CHECKERS[record] = found
    return found


def _check_record(value: Any, record: type, budget: _Budget, depth: int) -> None:
    budget.spend()
    if depth > _MAX_DEPTH:
        raise _Invalid("nested too deeply")
    if type(value) is not record:
        raise _Invalid(f"not a {record.__name__}")
    if record is Severity:
        return
    for name, exact, check, allowed, least in _checkers(record):
        try:
            field_value = getattr(value, name)
        except AttributeError as error:
            raise _Invalid(f"{record.__name__} without {name}") from error
        if exact is not None:
            if type(field_value) is not exact:
                raise _Invalid(f"{record.__name__}.{name} is not a {exact.__name__}")
        else:
            check(field_value, budget, depth + 1)
        if allowed is not None and field_value not in allowed:
            raise _Invalid(f"{record.__name__}.{name} = {field_value!r}")
        if least is not None and field_value < least:
            raise _Invalid(f"{record.__name__}.{name} = {field_value!r}")
    if type(value) is model.DataShape and any(kind not in _DATA_TYPES for _, kind in value.keys):
        raise _Invalid("an unknown data type")


@functools.lru_cache(maxsize=1)
def _known_codes() -> frozenset[str]:
    from inngest_lint.registry import catalog

    return frozenset(info.code for info in catalog())


def validate_result(payload: Any, path: str, file_digest: str, module: tuple[str, bool], size_hint: int) -> Any:
    """The (parsed, diagnostics, facts, noqa) of a decoded payload that is what this linter
    writes for `path` with these bytes and this module name; _Invalid otherwise."""
    if not (type(payload) is tuple and len(payload) == 8 and payload[0] == _FORMAT and payload[1] == SCHEMA):
        raise _Invalid("another format")
    _, _, stored_path, stored_digest, parsed, diagnostics, facts, noqa = payload
    if stored_path != path or stored_digest != file_digest or type(parsed) is not bool:
        raise _Invalid("another file")
    # Every value costs at least a byte of pickle, shared ones excepted: a budget proportional
    # to the entry's size admits any real entry and stops an exponential one at once.
    budget = _Budget(16 * size_hint + 1024)
    if type(diagnostics) is not list:
        raise _Invalid("diagnostics")
    codes = _known_codes()
    for diagnostic in diagnostics:
        _check_record(diagnostic, Diagnostic, budget, 0)
        if diagnostic.path != path or diagnostic.internal or diagnostic.code not in codes:
            raise _Invalid("a diagnostic this file cannot have")
        if diagnostic.fix is not None and any(edit.path != path for edit in diagnostic.fix.edits):
            raise _Invalid("a fix of another file")
    if facts is not None:
        _check_record(facts, model.FileFacts, budget, 0)
        if not parsed or facts.path != path or (facts.module, facts.is_package) != tuple(module):
            raise _Invalid("facts of another file")
    _check_record(noqa, NoqaMap, budget, 0)
    if any(line < 1 for line in noqa.lines):
        raise _Invalid("a noqa line before the first")
    return parsed, diagnostics, facts, noqa


def _atomic_write(path: Path, content: str | bytes) -> None:
    """Replace a cache file: not flushed to disk (a torn entry fails its checksum and is linted
    again), never through a symlink, and readable by its owner only."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    write_atomically(path, data, durable=False, follow_symlinks=False, new_file_mode=0o600)


class Cache:
    """One run's view of the cache: `key` covers everything that changes per-file results."""

    #: A file's content digest, the key of its stored result.
    digest = staticmethod(digest)

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        facts = f"{model.FACTS_SCHEMA}:{SCHEMA}"
        self.key = hashlib.blake2b(f"{_FORMAT}:{__version__}:{facts}:{key}".encode(), digest_size=12).hexdigest()
        self._index_path = directory / f"index-{self.key}.json"
        self._results = directory / f"results-{self.key}"
        self.index: dict[str, list[Any]] = {}
        # Whether this run makes the directory (results are written into it before `save`).
        self._creates_directory = not os.path.lexists(directory)
        self._dirty = False
        self.writable = True
        self._load_index()

    def _load_index(self) -> None:
        """Read the index if it is whole: its checksum matches and every entry is well formed.
        Otherwise it is dropped (every file is read and digested again, and the index rewritten):
        one flipped bit could say that a file with findings does not mention Inngest."""
        self.index = {}
        data = read_regular_file(self._index_path, MAX_INDEX_BYTES)
        if data is None:
            return
        try:
            loaded = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            return
        if not (isinstance(loaded, dict) and loaded.get("format") == _FORMAT and isinstance(loaded.get("files"), dict)):
            return
        files = loaded["files"]
        if loaded.get("checksum") != _index_checksum(files):
            return
        if all(_index_entry_ok(path, entry) for path, entry in files.items()):
            self.index = files

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
        name = hashlib.blake2b(
            f"{path}\0{module[0]}\0{module[1]}\0{file_digest}".encode("utf-8", "surrogatepass"), digest_size=16
        ).hexdigest()
        return self._results / name[:2] / f"{name}.pickle"

    def load_result(self, path: str, file_digest: str, module: tuple[str, bool]) -> FileResult | None:
        """The stored phase-1 result of these bytes of `path`, or None.

        None for a miss, and for an entry that is not verified (checksum, format, schema,
        validation): that entry is deleted, so the result computed instead replaces it.
        """
        from inngest_lint.engine.file_pass import FileResult

        location = self._result_path(path, file_digest, module)
        data = read_regular_file(location, MAX_ENTRY_BYTES)
        if data is None:
            if os.path.lexists(location):
                self._drop(location)  # a link, a device, or too large: not an entry
            return None
        try:
            parsed, diagnostics, facts, noqa = validate_result(decode_entry(data), path, file_digest, module, len(data))
        except (CacheEntryError, _Invalid, RecursionError, MemoryError, TypeError, ValueError, AttributeError):
            self._drop(location)
            return None
        return FileResult(path, list(diagnostics), facts, noqa, parsed)

    @staticmethod
    def _drop(location: Path) -> None:
        try:
            os.unlink(location)
        except OSError:
            pass

    def store_result(self, path: str, file_digest: str, module: tuple[str, bool], result: FileResult) -> None:
        if any(diagnostic.internal for diagnostic in result.diagnostics):
            return  # a crash is not a result worth keeping
        payload = (
            _FORMAT,
            SCHEMA,
            path,
            file_digest,
            result.parsed,
            list(result.diagnostics),
            result.facts,
            result.noqa,
        )
        try:
            _atomic_write(self._result_path(path, file_digest, module), encode_entry(payload))
        except (OSError, pickle.PicklingError):
            self.writable = False

    # ---------------------------------------------------------------- saving
    def save(self) -> None:
        if not self._dirty or not self.writable:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # A `.gitignore` of `*` keeps the cache out of commits, but only in a directory that
            # is the cache's own: `--cache-dir .` must not make git ignore every new file of the
            # repository. The default directory is the linter's by name.
            if self._creates_directory or self.directory.name == CACHE_DIR_NAME:
                ignore = self.directory / ".gitignore"
                if not os.path.lexists(ignore):
                    _atomic_write(ignore, "# Created by inngest-lint; the cache is local to this machine.\n*\n")
            _atomic_write(
                self._index_path,
                json.dumps(
                    {"format": _FORMAT, "checksum": _index_checksum(self.index), "files": self.index},
                    separators=(",", ":"),
                ),
            )
            self._dirty = False
        except OSError:
            self.writable = False


def _index_entry_ok(path: object, entry: object) -> bool:
    """[mtime_ns, size, digest, mentions], as `remember` writes it."""
    return (
        isinstance(path, str)
        and type(entry) is list
        and len(entry) == 4
        and type(entry[0]) is int
        and type(entry[1]) is int
        and entry[1] >= 0
        and type(entry[2]) is str
        and type(entry[3]) is bool
    )
