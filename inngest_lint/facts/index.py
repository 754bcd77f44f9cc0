"""The project index: every file's facts merged, with names resolved across modules.

`resolve("pipeline.events.ORDER_PLACED")` finds the module `pipeline.events` by the longest
known prefix and looks the rest up in its facts, following re-exports (`from .jobs import x`,
`import pkg.mod as m`) and star imports. Event-name refs become sets of strings; serve lists
become sets of function keys.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from inngest_lint.config import Settings
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
)

_MAX_DEPTH = 12


@dataclass(frozen=True)
class Resolved:
    """What a qualified name points at in the project.

    kind: "function", "client", "list", "constant", "definition", "module", "other",
    or "external" (not defined in the project: the SDK, a library, or an unparsed module).
    """

    kind: str
    value: object = None
    module: str = ""


EXTERNAL = Resolved("external")


class ProjectIndex:
    def __init__(self, facts: Iterable[FileFacts], settings: Settings) -> None:
        self.settings = settings
        self.files: list[FileFacts] = sorted(facts, key=lambda f: f.path)
        self.modules: dict[str, FileFacts] = {}
        for file_facts in self.files:
            for name in (file_facts.module, *file_facts.module_aliases):
                if name and name not in self.modules:
                    self.modules[name] = file_facts
        self.functions: list[InngestFunction] = [fn for f in self.files for fn in f.functions]
        self.functions_by_key = {fn.key: fn for fn in self.functions}
        self._by_module_symbol: dict[tuple[str, str], InngestFunction] = {
            (fn.module, fn.symbol): fn for fn in self.functions if fn.symbol
        }
        self.sends: list[EventSend] = [send for f in self.files for send in f.sends]
        self.file_by_path = {f.path: f for f in self.files}
        self._resolve_cache: dict[str, Resolved] = {}
        self._sent_cache: dict[str, list[EventSend]] | None = None
        self._invoked_cache: dict[str, list[DataShape]] | None = None

    # ------------------------------------------------------------------ resolution
    def resolve(self, qualified: str, depth: int = 0) -> Resolved:
        if depth == 0 and qualified in self._resolve_cache:
            return self._resolve_cache[qualified]
        result = self._resolve(qualified, depth)
        if depth == 0:
            self._resolve_cache[qualified] = result
        return result

    def _resolve(self, qualified: str, depth: int) -> Resolved:
        if depth > _MAX_DEPTH:
            return EXTERNAL
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            module_name = ".".join(parts[:cut])
            module = self.modules.get(module_name)
            if module is None:
                continue
            rest = parts[cut:]
            if not rest:
                return Resolved("module", module, module.module)
            return self._lookup(module, rest, depth)
        return EXTERNAL

    def _lookup(self, module: FileFacts, rest: list[str], depth: int) -> Resolved:
        head = rest[0]
        joined = ".".join(rest)
        if joined in module.constants:
            return self._constant(module, module.constants[joined], depth)
        if head in module.imports:
            target = module.imports[head]
            return self._resolve(".".join([target, *rest[1:]]), depth + 1)
        if len(rest) == 1:
            function = self._by_module_symbol.get((module.module, head))
            if function is not None:
                return Resolved("function", function, module.module)
            for client in module.clients:
                if client.symbol == head:
                    return Resolved("client", client, module.module)
            for function_list in module.lists:
                if function_list.symbol == head:
                    return Resolved("list", function_list, module.module)
            for definition in module.definitions:
                if definition.symbol == head:
                    return Resolved("definition", definition, module.module)
            if head in module.constants:
                return self._constant(module, module.constants[head], depth)
            if head in module.other_names:
                return Resolved("other", None, module.module)
        elif len(rest) == 2 and rest[1] == "value" and head in module.constants:
            return self._constant(module, module.constants[head], depth)
        else:
            for definition in module.definitions:
                if definition.symbol == joined:
                    return Resolved("definition", definition, module.module)
            # `client.create_function`-style attribute access on a known object: not resolvable.
        for star in module.star_imports:
            found = self._resolve(".".join([star, *rest]), depth + 1)
            if found.kind != "external":
                return found
        return EXTERNAL

    def _constant(self, module: FileFacts, ref: Ref, depth: int) -> Resolved:
        if ref.kind == "symbol":
            return self._resolve(ref.value, depth + 1)
        return Resolved("constant", ref, module.module)

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
            resolved = self.resolve(ref.value)
            if resolved.kind == "constant" and isinstance(resolved.value, Ref):
                return self.strings(resolved.value, depth + 1)
        return None

    def function_for(self, ref: Ref) -> InngestFunction | None:
        if ref.kind != "symbol":
            return None
        resolved = self.resolve(ref.value)
        return resolved.value if resolved.kind == "function" else None  # type: ignore[return-value]

    def client_for(self, ref: Ref) -> Client | None:
        if ref.kind != "symbol":
            return None
        resolved = self.resolve(ref.value)
        return resolved.value if resolved.kind == "client" else None  # type: ignore[return-value]

    def definition_for(self, ref: Ref) -> Definition | None:
        if ref.kind != "symbol":
            return None
        resolved = self.resolve(ref.value)
        return resolved.value if resolved.kind == "definition" else None  # type: ignore[return-value]

    def app_id_of(self, function: InngestFunction) -> str | None:
        client = self.client_for(function.client)
        if client is None:
            return None
        values = self.strings(client.app_id)
        return next(iter(values)) if values and len(values) == 1 else None

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
            resolved = self.resolve(item.value) if item.kind == "symbol" else EXTERNAL
            if resolved.kind == "list":
                sub_items, sub_complete = self.expand_list(resolved.value, seen)  # type: ignore[arg-type]
                items.extend(sub_items)
                complete = complete and sub_complete
            else:
                items.append((resolved, location))
                if resolved.kind in ("external", "other"):
                    complete = False
        for spread in function_list.spreads:
            resolved = self.resolve(spread.value) if spread.kind == "symbol" else EXTERNAL
            if resolved.kind == "list":
                sub_items, sub_complete = self.expand_list(resolved.value, seen)  # type: ignore[arg-type]
                items.extend(sub_items)
                complete = complete and sub_complete
            elif resolved.kind == "function":
                items.append((resolved, function_list.location))
            else:
                complete = False
        return items, complete

    def serve_calls(self) -> Iterator[tuple[FileFacts, object]]:
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


def event_matches(pattern: str, name: str) -> bool:
    """Inngest trigger wildcards: `app/*` or `app/user.*` match any suffix."""
    if "*" not in pattern:
        return pattern == name
    return fnmatch.fnmatchcase(name, pattern)
