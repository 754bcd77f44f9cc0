"""The event topology shared by INN301-INN304: who sends and who listens to which event name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from inngest_lint import sdk
from inngest_lint.facts.index import ProjectIndex, event_matches
from inngest_lint.facts.model import EventSend
from inngest_lint.rules._project import (
    NEAR_MISS_MAX_EDITS,
    Listener,
    is_near_miss,
    listeners,
    normalized_name,
)


@dataclass
class EventTopology:
    sent: dict[str, list[EventSend]]
    listened: dict[str, list[Listener]]
    orphan_sent: dict[str, list[EventSend]] = field(default_factory=dict)
    orphan_listened: dict[str, list[Listener]] = field(default_factory=dict)

    _near_listened: dict[str, list[Listener]] = field(default_factory=dict)
    _near_sent: dict[str, list[tuple[str, EventSend]]] = field(default_factory=dict)
    _listened_finder: NearNames | None = None
    _sent_finder: NearNames | None = None

    def near_listened(self, sent_name: str) -> list[Listener]:
        """The first listener of the first (in sorted order) orphan listened name that is a near
        miss of an orphan sent name; empty when there is none."""
        found = self._near_listened.get(sent_name)
        if found is None:
            if self._listened_finder is None:
                self._listened_finder = NearNames(self.orphan_listened)
            name = self._listened_finder.first(sent_name)
            found = self._near_listened[sent_name] = self.orphan_listened[name][:1] if name is not None else []
        return found

    def near_sent(self, listened_name: str) -> list[tuple[str, EventSend]]:
        """(name, first send) of the first (in sorted order) orphan sent name that is a near
        miss of a listened name; empty when there is none."""
        found = self._near_sent.get(listened_name)
        if found is None:
            if self._sent_finder is None:
                self._sent_finder = NearNames(name for name, group in self.orphan_sent.items() if group)
            name = self._sent_finder.first(listened_name)
            found = self._near_sent[listened_name] = [(name, self.orphan_sent[name][0])] if name is not None else []
        return found


class NearNames:
    """Names to search for near misses, indexed so that unrelated names are never compared.

    A near miss is equal once normalized (case and separators: one dict lookup) or at most
    `NEAR_MISS_MAX_EDITS` (2) optimal-string-alignment edits away on the lowercased names. For
    the second, each name is cut into five segments (pigeonhole, as in PassJoin): two edits
    touch at most four of them (a transposition across a boundary touches two), so a name within
    two edits of the query keeps one segment intact, at most two places from where it stood. A
    query looks up each segment of each length within two of its own, at each of those shifts
    (125 dict lookups), and only those candidates get an edit distance. Comparing every name of
    a similar length instead was quadratic: 1,600 orphan names with no near miss took 21 s.

    `first` returns the first near miss in sorted order, as the rules report one.
    """

    _SEGMENTS = 2 * NEAR_MISS_MAX_EDITS + 1

    def __init__(self, names: Iterable[str]) -> None:
        self._by_normal: dict[str, list[str]] = {}
        self._by_segment: dict[tuple[int, int, str], list[str]] = {}
        self._short: list[str] = []  # too short for five non-empty segments: always compared
        self._lengths: set[int] = set()
        for name in sorted(names):
            self._by_normal.setdefault(normalized_name(name), []).append(name)
            lower = name.lower()
            if len(lower) < self._SEGMENTS:
                self._short.append(name)
                continue
            self._lengths.add(len(lower))
            for index, (start, size) in enumerate(_segments(len(lower), self._SEGMENTS)):
                self._by_segment.setdefault((len(lower), index, lower[start : start + size]), []).append(name)

    def first(self, query: str) -> str | None:
        """The first indexed name, in sorted order, that is a near miss of `query`."""
        candidates = set(self._by_normal.get(normalized_name(query), ()))
        candidates.update(self._short)
        lower = query.lower()
        shift = NEAR_MISS_MAX_EDITS
        for length in range(len(lower) - shift, len(lower) + shift + 1):
            if length not in self._lengths:
                continue
            for index, (start, size) in enumerate(_segments(length, self._SEGMENTS)):
                for moved in range(max(0, start - shift), min(len(lower) - size, start + shift) + 1):
                    found = self._by_segment.get((length, index, lower[moved : moved + size]))
                    if found:
                        candidates.update(found)
        for name in sorted(candidates):
            if is_near_miss(query, name):
                return name
        return None


def _segments(length: int, count: int) -> list[tuple[int, int]]:
    """(start, size) of `count` contiguous segments splitting a string of `length` evenly."""
    size, longer = divmod(length, count)
    spans: list[tuple[int, int]] = []
    start = 0
    for index in range(count):
        width = size + (1 if index >= count - longer else 0)
        spans.append((start, width))
        start += width
    return spans


def topology(index: ProjectIndex) -> EventTopology:
    cached = getattr(index, "_event_topology", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    sent = index.sent_events()
    listened: dict[str, list[Listener]] = {}
    for listener in listeners(index):
        listened.setdefault(listener.name, []).append(listener)
    result = EventTopology(sent, listened)
    for name, sends in sent.items():
        # `external-events` lists events that come from, or go to, another app.
        if name.startswith(sdk.RESERVED_EVENT_PREFIX) or index.is_external_event(name):
            continue
        if not any(event_matches(pattern, name) for pattern in listened):
            result.orphan_sent[name] = sends
    # A function reached through `step.invoke` runs without its trigger event being sent.
    invoked = {
        target.key
        for function in index.functions
        for invoke in function.invokes
        if (target := index.function_for(invoke.function)) is not None
    }
    for name, group in listened.items():
        if "*" in name or name.startswith(sdk.RESERVED_EVENT_PREFIX) or index.is_external_event(name):
            continue
        group = [
            listener for listener in group if not (listener.kind == "trigger" and listener.function.key in invoked)
        ]
        if group and name not in sent:
            result.orphan_listened[name] = group
    index._event_topology = result  # type: ignore[attr-defined]
    return result


def listener_text(listener: Listener, label: str, where: str) -> str:
    kinds = {"trigger": "trigger", "wait_for_event": "wait_for_event", "cancel": "cancel event"}
    return f"'{listener.name}' ({kinds[listener.kind]} of {label} at {where})"
