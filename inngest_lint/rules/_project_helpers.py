"""Following the project helpers that Inngest functions call (phase 2, free of libcst).

The fact collector records, for every Inngest function, the direct calls of module-level names
made in its re-run body and directly in its step handlers (`BodyCall`), and for every
module-level def and method what its own body does (`Definition.step_call`, `.swallows`,
`.effect`). The cross-file halves of nested-step (INN104), side-effect-outside-step (INN109)
and exception-swallowed-as-success (INN117) join the two here, one level deep: a helper's own
body is read, the helpers it calls in turn are not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from inngest_lint.diagnostics import Location
from inngest_lint.facts.index import ProjectIndex
from inngest_lint.facts.model import BodyCall, Definition, InngestFunction, StepRun

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
    written = call.label.rsplit(".", 1)[-1]
    defined = definition.symbol.rsplit(".", 1)[-1]
    if written == defined:
        return f"'{call.label}' ({where})"
    return f"'{call.label}' ({definition.symbol}, {where})"
