"""Following the project helpers that Inngest functions call (phase 2, free of libcst).

The fact collector records, for every Inngest function, the direct calls of module-level names
made in its re-run body and directly in its step handlers (`BodyCall`), and for every
module-level def and method what its own body does (`Definition.step_call`, `.swallows`,
`.effect`, `.no_timeout`, `.sleep`), which module-level names it calls (`Definition.calls`: the
edges of the project call graph) and whose results it returns (`Definition.returned_calls`).
exception-swallowed-as-success (INN117) joins the two one level deep: a helper's own body is
read. nested-step (INN104), sleep-in-function (INN107), side-effect-outside-step (INN109),
http-without-timeout-in-step (INN118) and large-step-return (INN501) follow the call graph
(`CallGraph`, `returned_large`) through chains of helpers, across modules, up to the
`follow-depth` setting, and name the chain in their messages.
"""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from inngest_lint.diagnostics import Location
from inngest_lint.facts.index import ProjectIndex
from inngest_lint.facts.model import (
    BodyCall,
    Definition,
    InngestFunction,
    Ref,
    ReturnedCall,
    ReturnedValue,
    StepRun,
)

_T = TypeVar("_T")

#: Definition kinds that run a body when called (a class is constructed; an Inngest function
#: called directly is another mistake).
_CALLABLE_KINDS = frozenset({"def", "async def"})


@dataclass(frozen=True)
class CalledHelper:
    """A body call whose callee is a def or method of the project."""

    call: BodyCall
    definition: Definition
    module: str  # the module that defines the helper


def called_helpers(index: ProjectIndex, function: InngestFunction) -> Iterator[CalledHelper]:
    """The calls `function` makes to project defs, in source order."""
    for call in function.body_calls:
        if call.callee.kind != "symbol":
            continue
        resolved = index.resolve(call.callee)
        if resolved.kind != "definition":
            continue
        definition = resolved.value
        if not isinstance(definition, Definition) or definition.kind not in _CALLABLE_KINDS:
            continue
        yield CalledHelper(call, definition, resolved.module)


def imported_step_handlers(index: ProjectIndex, function: InngestFunction) -> Iterator[tuple[StepRun, Definition]]:
    """`step.run` calls of `function` whose handler is a def of ANOTHER project module (handlers
    of the same file are the file rules' to judge), with that def."""
    for step_run in function.step_runs:
        if step_run.handler.kind != "symbol":
            continue
        resolved = index.resolve(step_run.handler)
        if resolved.kind != "definition" or resolved.path == function.path:
            continue
        if isinstance(resolved.value, Definition):
            yield step_run, resolved.value


#: HTTP methods a description names (`an HTTP POST via httpx`); other calls are "a request".
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
#: How side-effect-outside-step (INN109) names a database write, by (store, write).
_DB_WRITES = {
    ("database", "commit"): "a database commit",
    ("sql", "statement"): "a SQL write statement",
    ("django", "write"): "a Django ORM write",
    ("mongo", "write"): "a MongoDB write",
}


def effect_words(kind: str, system: str, action: str, label: str) -> str:
    """What a side effect does, in INN109's words: `an HTTP POST via httpx`, `a SQL INSERT`,
    `an Inngest event send `client.send()``. The file rule and its cross-file half share them."""
    if kind == "send":
        return f"an Inngest event send `{label}`"
    if kind == "sdk":
        return "a realtime publish" if action == "realtime publish" else "an Inngest API write (a score)"
    if kind == "http":
        if action in _HTTP_VERBS:
            return f"an HTTP {action.upper()} via {system}"
        if action == "ws_connect":
            return f"a WebSocket connection via {system}"
        return f"an HTTP request via {system}"
    return _DB_WRITES.get((system, action)) or f"a SQL {action}"


def helper_effect(index: ProjectIndex, definition: Definition) -> tuple[str, Location] | None:
    """(description, where) of the first certain side effect in a helper's own body.

    The collector settles most effects in the helper's file. A `send` on a name imported from
    another module is settled here: it is an event send when the name is an Inngest client of
    the project.
    """
    found: list[tuple[Location, str]] = []
    effect = definition.effect
    if effect is not None:
        found.append((effect.location, effect_words(effect.kind, effect.system, effect.action, effect.label)))
    send = definition.client_send
    if send is not None and index.client_for(send.client) is not None:
        found.append((send.location, effect_words("send", "", "", send.label)))
    if not found:
        return None
    location, description = min(found)
    return description, location


def helper_named(call: BodyCall, definition: Definition, where: str) -> str:
    """How a message names the helper a call reaches: `'notify' (app/hooks.py:12)`, or with an
    alias, `'ping' (notify, app/hooks.py:12)` so the reader can find the def."""
    return _named(call.label, definition, where)


# ------------------------------------------------------------------------------------ call graph
#: What a chain ends in: (what the last helper does, as a verb phrase, and where), or None.
Summary = Callable[[Definition], "tuple[str, Location] | None"]


@dataclass(frozen=True)
class Hop:
    """One call of a chain: `label` as written at the call, reaching `definition` in `module`."""

    label: str
    definition: Definition
    module: str


@dataclass(frozen=True)
class Chain:
    """Helpers calling helpers, from the first one called to the one whose own body does it."""

    hops: tuple[Hop, ...]
    does: str  # "makes an HTTP POST via httpx", "calls `requests.get()` without `timeout=`"
    location: Location  # where the last helper does it

    def text(self, shown: Callable[[Location], str], first_label: str) -> str:
        """`'sync_all' (app/jobs.py:40) calls 'fetch' (app/http.py:12), which calls ...`.

        One hop keeps the one-level wording: `'notify' (app/hooks.py:5) makes ...`, where the
        place shown is where the helper does it.
        """
        first = self.hops[0]
        if len(self.hops) == 1:
            return f"{_named(first_label, first.definition, shown(self.location))} {self.does}"
        calls = [f"calls {_named(hop.label, hop.definition, shown(hop.definition.location))}" for hop in self.hops[1:]]
        head = _named(first_label, first.definition, shown(first.definition.location))
        return f"{head} {', which '.join(calls)}, which {self.does} ({shown(self.location)})"


def _named(label: str, definition: Definition, where: str) -> str:
    """`'notify' (app/hooks.py:12)`, or `'ping' (notify, app/hooks.py:12)` for an alias."""
    written = label.rsplit(".", 1)[-1]
    defined = definition.symbol.rsplit(".", 1)[-1]
    if written == defined:
        return f"'{label}' ({where})"
    return f"'{label}' ({definition.symbol}, {where})"


def _matches(qualified: str, patterns: tuple[str, ...]) -> bool:
    return any(qualified == pattern or fnmatch.fnmatchcase(qualified, pattern) for pattern in patterns)


class CallGraph:
    """The project call graph of phase 2: from a helper, the shortest chain of project calls
    (breadth first, cycles cut, at most `follow-depth` calls) to a helper whose own body does
    what a summary asks. Results are kept per (helper, summary) for the run.

    Functions declared in `side-effect-free-functions` are neither read nor followed; a call
    of one declared in `io-functions` is an I/O call wherever it is made (see `declared_io`).
    """

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        settings = index.settings
        self.depth = max(1, settings.follow_depth)
        self.pure = settings.side_effect_free_functions
        self.io = settings.io_functions
        self._memo: dict[tuple[str, str, str, bool], Chain | None] = {}

    def resolve(self, callee: Ref) -> tuple[Definition, str, str] | None:
        """(definition, module, path) of a project def or method a call reaches, else None."""
        if callee.kind != "symbol":
            return None
        resolved = self.index.resolve(callee)
        if resolved.kind != "definition":
            return None
        definition = resolved.value
        if not isinstance(definition, Definition) or definition.kind not in _CALLABLE_KINDS:
            return None
        qualified = f"{resolved.module}.{definition.symbol}" if resolved.module else definition.symbol
        if _matches(qualified, self.pure):
            return None
        return definition, resolved.module, resolved.path

    def declared_io(self, callee: Ref) -> str | None:
        """The qualified name a call reaches when `io-functions` declares it, else None."""
        if not self.io or callee.kind != "symbol":
            return None
        names = {callee.value}
        resolved = self.index.resolve(callee)
        if resolved.kind == "definition" and isinstance(resolved.value, Definition):
            names.add(f"{resolved.module}.{resolved.value.symbol}" if resolved.module else resolved.value.symbol)
        return next((name for name in sorted(names) if _matches(name, self.io)), None)

    def follow(
        self,
        start: Hop,
        summary: Summary,
        key: str,
        *,
        error_paths: bool = False,
        io: bool = False,
        skip_own_body: bool = False,
    ) -> Chain | None:
        """The shortest chain from `start` (its own body first) to a helper `summary` answers for.

        `error_paths`: follow calls in `except` handlers too. `io`: a call of a function that
        `io-functions` declares ends the chain. `skip_own_body`: `start`'s own body is judged
        elsewhere (a same-file rule); only the helpers it calls are read.
        """
        memo_key = (start.module, start.definition.symbol, key, skip_own_body)
        if memo_key in self._memo:
            return self._memo[memo_key]
        found = self._search(start, summary, error_paths, io, skip_own_body)
        self._memo[memo_key] = found
        return found

    def _search(self, start: Hop, summary: Summary, error_paths: bool, io: bool, skip_own_body: bool) -> Chain | None:
        queue: deque[tuple[Hop, ...]] = deque([(start,)])
        seen = {(start.module, start.definition.symbol)}
        while queue:
            path = queue.popleft()
            hop = path[-1]
            if not (skip_own_body and len(path) == 1):
                done = summary(hop.definition)
                if done is not None:
                    return Chain(path, done[0], done[1])
            if len(path) >= self.depth:
                continue
            for call in hop.definition.calls:
                if call.in_except and not error_paths:
                    continue
                if io:
                    declared = self.declared_io(call.callee)
                    if declared is not None:
                        return Chain(path, f"calls `{call.label}` (declared in io-functions)", call.location)
                target = self.resolve(call.callee)
                if target is None:
                    continue
                definition, module, _ = target
                if (module, definition.symbol) in seen:
                    continue
                seen.add((module, definition.symbol))
                queue.append((*path, Hop(call.label, definition, module)))
        return None


def returned_large(
    graph: CallGraph,
    calls: tuple[ReturnedCall, ...],
    shown: Callable[[Location], str],
    unbounded: Callable[[tuple[ReturnedValue, ...]], Sequence[_T]],
) -> tuple[str, _T] | None:
    """When returning `calls` returns another function's likely unbounded result: (how the value
    got there, for a message, and the first return `unbounded` judges so at the end: the rule's
    judgement, with its settings), the shortest such chain.

    "the result of 'wrap' (app/data.py:12), which returns the result of 'load' (app/data.py:8),
    which returns"; a call passed to a returned project class counts as a model built from it.
    """
    queue: deque[tuple[ReturnedCall, str, int]] = deque((call, "", 1) for call in calls)
    seen: set[tuple[str, str]] = set()
    while queue:
        call, text, depth = queue.popleft()
        if call.wrapper is not None:
            wrapper = graph.index.resolve(call.wrapper)
            if wrapper.kind != "definition" or getattr(wrapper.value, "kind", "") != "class":
                continue
        target = graph.resolve(call.callee)
        if target is None:
            continue
        definition, module, _ = target
        if (module, definition.symbol) in seen:
            continue
        seen.add((module, definition.symbol))
        named = _named(call.label, definition, shown(definition.location))
        step = f"'{call.wrapper_label}' built from the result of {named}" if call.wrapper else f"the result of {named}"
        here = f"{text}{step}, which returns"
        large = unbounded(definition.returns)
        if large:
            return here, large[0]
        if depth < graph.depth:
            queue.extend((inner, f"{here} ", depth + 1) for inner in definition.returned_calls)
    return None
