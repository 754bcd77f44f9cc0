"""The project index: every file's facts merged, with names resolved across modules.

A symbol ref is resolved as the file that wrote it imports: `resolve(ref)` asks the import
resolver (`inngest_lint.modules`) which file the longest module prefix of `ref.value` means
for `ref.origin`, then looks the rest up in that file's facts, following re-exports
(`from .jobs import x`, `import pkg.mod as m`, each from the re-exporting file) and star
imports. A name two import roots could mean resolves to "ambiguous", and the rules treat it as
unknown. Event-name refs become sets of strings; serve lists become sets of function keys.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from inngest_lint.diagnostics import Location
from inngest_lint.facts.model import (
    Client,
    DataShape,
    Definition,
    EventSend,
    FileFacts,
    FunctionList,
    InngestFunction,
    Ref,
    ServeCall,
)
from inngest_lint.facts.sdk_version import SdkVersion, SdkVersions
from inngest_lint.modules import AMBIGUOUS, ImportResolver
from inngest_lint.settings import Settings

_MAX_DEPTH = 12


#: What a resolved name is; the value that comes with each kind is in `Resolved`'s docstring.
ResolvedKind = Literal[
    "function", "client", "list", "constant", "definition", "module", "other", "external", "ambiguous"
]


@dataclass(frozen=True)
class Resolved:
    """What a qualified name points at in the project.

    kind: "function", "client", "list", "constant", "definition", "module", "other",
    "external" (not defined in the project: the SDK, a library, or an unparsed module), or
    "ambiguous" (two project files could be meant). `value` is, by kind, the InngestFunction,
    Client, FunctionList, constant's Ref, Definition or module's FileFacts, and None for the
    others. `module` is the dotted name of the module that defines it and `path` its file.
    """

    kind: ResolvedKind
    value: object = None
    module: str = ""
    path: str = ""


EXTERNAL = Resolved("external")
UNSETTLED = Resolved("ambiguous")
#: Kinds that say nothing certain about a name: a serve list holding one is not fully known.
UNKNOWN_KINDS: frozenset[ResolvedKind] = frozenset({"external", "other", "ambiguous"})


class ProjectIndex:
    def __init__(self, facts: Iterable[FileFacts], settings: Settings, modules: ImportResolver | None = None) -> None:
        self.settings = settings
        self._sdk_versions: SdkVersions | None = None
        self.files: list[FileFacts] = sorted(facts, key=lambda f: f.path)
        if modules is None:
            # Without the run's resolver (a caller with facts only): the parsed files are the
            # project, rooted at the settings' folder.
            modules = ImportResolver(os.path.abspath(settings.root), settings.src_roots())
            modules.add_files(f.path for f in self.files)
        self.modules = modules
        #: The project root, for showing paths in messages.
        self.root = modules.root
        self.functions: list[InngestFunction] = [fn for f in self.files for fn in f.functions]
        self.functions_by_key = {fn.key: fn for fn in self.functions}
        self._by_file_symbol: dict[tuple[str, str], InngestFunction] = {
            (fn.path, fn.symbol): fn for fn in self.functions if fn.symbol
        }
        self.sends: list[EventSend] = [send for f in self.files for send in f.sends]
        self.file_by_path = {f.path: f for f in self.files}
        self._resolve_cache: dict[tuple[str, str], Resolved] = {}
        self._sent_cache: dict[str, list[EventSend]] | None = None
        self._invoked_cache: dict[str, list[DataShape]] | None = None
        #: The project as deployed (`--since REF`), for the deploy-safety rules; None without.
        self.previous: PreviousVersion | None = None

    # ------------------------------------------------------------------ resolution
    def sdk_version(self, path: str) -> SdkVersion:
        """The Inngest SDK version of the project holding `path` (see `facts.sdk_version`)."""
        if self._sdk_versions is None:
            self._sdk_versions = SdkVersions(self.settings.sdk_version)
        return self._sdk_versions.for_path(path)

    def resolve(self, ref: Ref) -> Resolved:
        """What a symbol ref means, as the file that wrote it imports."""
        if ref.kind != "symbol":
            return EXTERNAL
        return self.resolve_name(ref.value, ref.origin)

    def resolve_name(self, qualified: str, origin: str, depth: int = 0) -> Resolved:
        key = (qualified, origin)
        if depth == 0 and key in self._resolve_cache:
            return self._resolve_cache[key]
        result = self._resolve(qualified, origin, depth)
        if depth == 0:
            self._resolve_cache[key] = result
        return result

    def _resolve(self, qualified: str, origin: str, depth: int) -> Resolved:
        if depth > _MAX_DEPTH:
            return EXTERNAL
        found = self.modules.find(qualified, origin)
        if found is None:
            return EXTERNAL
        if found is AMBIGUOUS:
            return UNSETTLED
        module = self.file_by_path.get(found.path)
        if module is None:
            return EXTERNAL  # a namespace folder, or a project file never parsed
        if not found.rest:
            return Resolved("module", module, module.module, module.path)
        return self._lookup(module, list(found.rest), depth)

    def _lookup(self, module: FileFacts, rest: list[str], depth: int) -> Resolved:
        head = rest[0]
        joined = ".".join(rest)
        if joined in module.constants:
            return self._constant(module, module.constants[joined], depth)
        if head in module.imports:
            target = module.imports[head]
            return self._resolve(".".join([target, *rest[1:]]), module.path, depth + 1)
        if len(rest) == 1:
            function = self._by_file_symbol.get((module.path, head))
            if function is not None:
                return Resolved("function", function, module.module, module.path)
            for client in module.clients:
                if client.symbol == head:
                    return Resolved("client", client, module.module, module.path)
            for function_list in module.lists:
                if function_list.symbol == head:
                    return Resolved("list", function_list, module.module, module.path)
            for definition in module.definitions:
                if definition.symbol == head:
                    return Resolved("definition", definition, module.module, module.path)
            if head in module.constants:
                return self._constant(module, module.constants[head], depth)
            if head in module.other_names:
                return Resolved("other", None, module.module, module.path)
        elif len(rest) == 2 and rest[1] == "value" and head in module.constants:
            return self._constant(module, module.constants[head], depth)
        else:
            for definition in module.definitions:
                if definition.symbol == joined:
                    return Resolved("definition", definition, module.module, module.path)
            # `client.create_function`-style attribute access on a known object: not resolvable.
        for star in module.star_imports:
            found = self._resolve(".".join([star, *rest]), module.path, depth + 1)
            if found.kind != "external":
                return found
        return EXTERNAL

    def _constant(self, module: FileFacts, ref: Ref, depth: int) -> Resolved:
        if ref.kind == "symbol":
            return self._resolve(ref.value, ref.origin, depth + 1)
        return Resolved("constant", ref, module.module, module.path)

    def strings(self, ref: Ref, depth: int = 0) -> set[str] | None:
        """Every string a ref can be, or None when any part is unknown."""
        if depth > _MAX_DEPTH:
            return None
        if ref.kind == "str":
            return {ref.value}
        if ref.kind == "choice":
            values: set[str] = set()
            for option in ref.options:
                sub = self.strings(option, depth + 1)
                if sub is None:
                    return None
                values |= sub
            return values
        if ref.kind == "symbol":
            resolved = self.resolve(ref)
            if resolved.kind == "constant" and isinstance(resolved.value, Ref):
                return self.strings(resolved.value, depth + 1)
        return None

    def function_for(self, ref: Ref) -> InngestFunction | None:
        resolved = self.resolve(ref)
        return resolved.value if resolved.kind == "function" and isinstance(resolved.value, InngestFunction) else None

    def client_for(self, ref: Ref) -> Client | None:
        resolved = self.resolve(ref)
        return resolved.value if resolved.kind == "client" and isinstance(resolved.value, Client) else None

    def definition_for(self, ref: Ref) -> Definition | None:
        resolved = self.resolve(ref)
        return resolved.value if resolved.kind == "definition" and isinstance(resolved.value, Definition) else None

    def app_id_of(self, function: InngestFunction) -> str | None:
        client = self.client_for(function.client)
        if client is None:
            return None
        values = self.strings(client.app_id)
        return next(iter(values)) if values and len(values) == 1 else None

    def app_key(self, client_ref: Ref) -> str | None:
        """Which app a client ref belongs to: its `app_id` when known, else the client object
        itself (its file and name); None when the ref does not resolve to a project client."""
        resolved = self.resolve(client_ref)
        if resolved.kind != "client" or not isinstance(resolved.value, Client):
            return None
        values = self.strings(resolved.value.app_id)
        if values and len(values) == 1:
            return f"app:{next(iter(values))}"
        return f"client:{resolved.path}:{resolved.value.symbol}"

    # ------------------------------------------------------------------ serve lists
    def expand_list(
        self, function_list: FunctionList, seen: set[int] | None = None
    ) -> tuple[list[tuple[Resolved, Location]], bool]:
        """Everything a function list holds (resolved, with where each item is written), and
        whether the list is fully known."""
        seen = set() if seen is None else seen
        if id(function_list) in seen:
            return [], True
        seen.add(id(function_list))
        complete = function_list.complete
        items: list[tuple[Resolved, Location]] = []
        locations = function_list.item_locations or tuple(function_list.location for _ in function_list.items)
        for item, location in zip(function_list.items, locations):
            resolved = self.resolve(item)
            if resolved.kind == "list" and isinstance(resolved.value, FunctionList):
                sub_items, sub_complete = self.expand_list(resolved.value, seen)
                items.extend(sub_items)
                complete = complete and sub_complete
            else:
                items.append((resolved, location))
                if resolved.kind in UNKNOWN_KINDS:
                    complete = False
        for spread in function_list.spreads:
            resolved = self.resolve(spread)
            if resolved.kind == "list" and isinstance(resolved.value, FunctionList):
                sub_items, sub_complete = self.expand_list(resolved.value, seen)
                items.extend(sub_items)
                complete = complete and sub_complete
            elif resolved.kind == "function":
                items.append((resolved, function_list.location))
            else:
                complete = False
        return items, complete

    def listed_keys(self, serve: ServeCall) -> tuple[set[str], bool]:
        """Keys of the functions one serve call lists, and whether its list is fully known."""
        items, known = self.expand_list(serve.functions)
        keys = {
            resolved.value.key
            for resolved, _ in items
            if resolved.kind == "function" and isinstance(resolved.value, InngestFunction)
        }
        return keys, known

    def served_function_keys(self) -> tuple[set[str], bool]:
        """Keys of every function some serve()/connect() lists, and whether all lists are known."""
        served: set[str] = set()
        complete = True
        for _, serve in self.serve_calls():
            keys, known = self.listed_keys(serve)
            served |= keys
            complete = complete and known
        return served, complete

    def serve_calls(self) -> Iterator[tuple[FileFacts, ServeCall]]:
        for file_facts in self.files:
            for serve in file_facts.serves:
                yield file_facts, serve

    def has_serve(self) -> bool:
        return any(f.serves for f in self.files)

    # ------------------------------------------------------------------ events
    def sent_events(self) -> dict[str, list[EventSend]]:
        """Event name -> the sends of that name whose name is fully known."""
        if self._sent_cache is None:
            sent: dict[str, list[EventSend]] = {}
            for send in self.sends:
                for name in self.strings(send.name) or ():
                    sent.setdefault(name, []).append(send)
            self._sent_cache = sent
        return self._sent_cache

    def has_unknown_sends(self) -> bool:
        return any(self.strings(send.name) is None for send in self.sends)

    def data_shapes_for(self, event_name: str) -> list[DataShape]:
        """Every data shape sent for an event: sends, and invokes of functions it triggers."""
        shapes = [send.data for send in self.sent_events().get(event_name, [])]
        shapes.extend(self._invoked_shapes().get(event_name, ()))
        return shapes

    def _invoked_shapes(self) -> dict[str, list[DataShape]]:
        """Trigger event name -> the data of each `step.invoke` of a function it triggers.

        Computed once: the expression rules ask for every event a wait or trigger reads.
        """
        if self._invoked_cache is None:
            invoked: dict[str, list[DataShape]] = {}
            for function in self.functions:
                for invoke in function.invokes:
                    target = self.function_for(invoke.function)
                    if target is None:
                        continue
                    names = {
                        name
                        for trigger in target.triggers
                        if trigger.kind == "event"
                        for name in self.strings(trigger.value) or ()
                    }
                    for name in names:
                        invoked.setdefault(name, []).append(invoke.data)
            self._invoked_cache = invoked
        return self._invoked_cache

    def is_external_event(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.settings.external_events)


@dataclass
class PreviousVersion:
    """The project at a git ref (`--since REF`): its index, and which files differ from it.

    `changed` holds the absolute paths whose content differs between the ref and the work tree
    (added, removed or edited): a file outside it is "not part of this change". `memo` is where
    the deploy rules share what they compute once (the pairing of functions across versions).
    """

    ref: str
    index: ProjectIndex
    changed: frozenset[str]
    # Files of the work tree that could not be parsed (a syntax error): what they define is
    # unknown, so nothing can be said to be gone.
    unparsed: frozenset[str] = frozenset()
    memo: dict[str, object] = field(default_factory=dict)


def event_matches(pattern: str, name: str) -> bool:
    """Inngest trigger wildcards: `app/*` or `app/user.*` match any suffix."""
    if "*" not in pattern:
        return pattern == name
    return fnmatch.fnmatchcase(name, pattern)
