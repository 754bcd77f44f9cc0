"""The event topology shared by INN301-INN304: who sends and who listens to which event name."""

from __future__ import annotations

from dataclasses import dataclass, field

from inngest_lint import sdk
from inngest_lint.facts.index import ProjectIndex, event_matches
from inngest_lint.facts.model import EventSend
from inngest_lint.rules._project import Listener, is_near_miss, listeners


@dataclass
class EventTopology:
    sent: dict[str, list[EventSend]]
    listened: dict[str, list[Listener]]
    orphan_sent: dict[str, list[EventSend]] = field(default_factory=dict)
    orphan_listened: dict[str, list[Listener]] = field(default_factory=dict)

    def near_listened(self, sent_name: str) -> list[Listener]:
        """Orphan listeners whose name is a near miss of an orphan sent name."""
        return [
            listener
            for name, group in sorted(self.orphan_listened.items())
            if is_near_miss(sent_name, name)
            for listener in group[:1]
        ]

    def near_sent(self, listened_name: str) -> list[tuple[str, EventSend]]:
        """(name, first send) of orphan sent names that are near misses of a listened name."""
        return [
            (name, group[0])
            for name, group in sorted(self.orphan_sent.items())
            if group and is_near_miss(listened_name, name)
        ]


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
        if name.startswith(sdk.RESERVED_EVENT_PREFIX):
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
