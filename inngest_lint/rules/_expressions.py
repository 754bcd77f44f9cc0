"""What INN401-INN404 share: every CEL string in the project with the events it reads.

`event` is the function's trigger event(s); `async` is the waited-for or cancelling event. A
check only speaks when it knows every name involved and has seen sends of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from inngest_lint.diagnostics import Location
from inngest_lint.facts.index import ProjectIndex
from inngest_lint.facts.model import CelString, DataShape, InngestFunction


@dataclass(frozen=True)
class Expression:
    cel: CelString
    function: InngestFunction
    # Event names each root reads, or None when unknown (a trigger we cannot resolve, a cron).
    event_names: frozenset[str] | None
    async_names: frozenset[str] | None


def expressions(index: ProjectIndex) -> Iterator[Expression]:
    for function in index.functions:
        event_names = _trigger_names(index, function)
        for cel in function.cel:
            yield Expression(cel, function, event_names, _names(index, cel))
        for wait in function.waits:
            if wait.if_exp is not None:
                yield Expression(wait.if_exp, function, event_names, _names(index, wait.if_exp))


def _trigger_names(index: ProjectIndex, function: InngestFunction) -> frozenset[str] | None:
    if not function.trigger_count_known:
        return None
    names: set[str] = set()
    for trigger in function.triggers:
        if trigger.kind != "event":
            return None
        values = index.strings(trigger.value)
        if values is None:
            return None
        names |= values
    return frozenset(names) if names else None


def _names(index: ProjectIndex, cel: CelString) -> frozenset[str] | None:
    if cel.async_event is None:
        return None
    values = index.strings(cel.async_event)
    return frozenset(values) if values else None


def shapes_for(index: ProjectIndex, names: frozenset[str] | None) -> list[DataShape] | None:
    """Data shapes sent for every name, or None when a name is external, a wildcard or unsent."""
    if not names:
        return None
    shapes: list[DataShape] = []
    for name in names:
        if "*" in name or index.is_external_event(name):
            return None
        found = index.data_shapes_for(name)
        if not found:
            return None
        shapes.extend(found)
    return shapes


def one_send_with(index: ProjectIndex, names: frozenset[str] | None, key: str | None) -> Location | None:
    """The one send of `names` whose data has `key` (any send, for None), when exactly one does
    and every data shape of those events comes from a send (not a `step.invoke`): the cause of an
    expression finding that a change to that send brings (see Diagnostic.caused_by).
    """
    if not names:
        return None
    found: list[Location] = []
    for name in names:
        sends = index.sent_events().get(name, [])
        if len(sends) != len(index.data_shapes_for(name)):
            return None
        found.extend(send.location for send in sends if key is None or key in send.data.key_names())
    return found[0] if len(found) == 1 else None


def location_in(cel: CelString, offset: int, end_offset: int | None = None) -> Location:
    """A location inside the string literal when its text maps 1:1 onto the source."""
    base = cel.location
    if not cel.exact_columns:
        return base
    column = cel.content_column + offset
    end_column = cel.content_column + (end_offset if end_offset is not None else offset + 1)
    return Location(base.path, base.line, column, base.line, end_column)


def root_names(expression: Expression, root: str) -> frozenset[str] | None:
    return expression.event_names if root == "event" else expression.async_names
