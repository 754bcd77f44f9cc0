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
        """Orphan listeners whose name is a near miss of an orphan sent name."""
        found = self._near_listened.get(sent_name)
        if found is None:
            if self._listened_finder is None:
                self._listened_finder = NearNames(self.orphan_listened)
            found = self._near_listened[sent_name] = [
                listener for name in self._listened_finder.near(sent_name) for listener in self.orphan_listened[name][:1]
            ]
        return found

    def near_sent(self, listened_name: str) -> list[tuple[str, EventSend]]:
        """(name, first send) of orphan sent names that are near misses of a listened name."""
        found = self._near_sent.get(listened_name)
        if found is None:
            if self._sent_finder is None:
                self._sent_finder = NearNames(name for name, group in self.orphan_sent.items() if group)
            found = self._near_sent[listened_name] = [
                (name, self.orphan_sent[name][0]) for name in self._sent_finder.near(listened_name)
            ]
        return found


class NearNames:
    """Names to search for near misses, indexed so most are never compared.

    A near miss is either equal once normalized (case and separators) or at most two edits
    away, which needs a length within two: those two indexes find every candidate. On the
    benchmark's 41 x 190 orphan names this cut the near-miss rules from 40 ms each to a few.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self._by_normal: dict[str, list[str]] = {}
        self._by_length: dict[int, list[str]] = {}
        for name in names:
            self._by_normal.setdefault(normalized_name(name), []).append(name)
            self._by_length.setdefault(len(name), []).append(name)

    def near(self, query: str) -> list[str]:
        """The indexed names that are near misses of `query`, sorted."""
        candidates = set(self._by_normal.get(normalized_name(query), ()))
        for length in range(len(query) - NEAR_MISS_MAX_EDITS, len(query) + NEAR_MISS_MAX_EDITS + 1):
            candidates.update(self._by_length.get(length, ()))
        return sorted(name for name in candidates if is_near_miss(query, name))


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
        group = [listener for listener in group
                 if not (listener.kind == "trigger" and listener.function.key in invoked)]
        if group and name not in sent:
            result.orphan_listened[name] = group
    index._event_topology = result  # type: ignore[attr-defined]
    return result


def listener_text(listener: Listener, label: str, where: str) -> str:
    kinds = {"trigger": "trigger", "wait_for_event": "wait_for_event", "cancel": "cancel event"}
    return f"'{listener.name}' ({kinds[listener.kind]} of {label} at {where})"
