"""`inngest-lint graph --since REF`: what changed on the event graph since a git ref.

Functions are paired across the two versions as the deploy-safety rules pair them (by app and
`fn_id`, else by Python name: `rules/_deploy.py`), so the graph and INN703 agree on what was
renamed or removed. A function of the work tree with no counterpart is "added"; one paired by
its Python name is "renamed" (`was` holds its ID at the ref); a function of the ref that is gone
is drawn again, "removed", with its triggers. An event name that nothing at the ref sent or
listened to is "added"; the events only a removed function listened to are "removed".
"""

from __future__ import annotations

from inngest_lint.facts.index import PreviousVersion, ProjectIndex
from inngest_lint.facts.model import InngestFunction
from inngest_lint.graph.model import Graph, Node
from inngest_lint.rules._deploy import pair_functions


def _fn_id(index: ProjectIndex, function: InngestFunction) -> str | None:
    values = index.strings(function.fn_id)
    return next(iter(values)) if values and len(values) == 1 else None


def _event_names(index: ProjectIndex) -> set[str]:
    names: set[str] = set()
    for send in index.sends:
        names |= index.strings(send.name) or set()
    for function in index.functions:
        for trigger in function.triggers:
            if trigger.kind == "event":
                names |= index.strings(trigger.value) or set()
        for wait in function.waits:
            names |= index.strings(wait.event) or set()
        for cancel in function.cancel_events:
            names |= index.strings(cancel.value) or set()
    return names


def mark_changes(graph: Graph, index: ProjectIndex, previous: PreviousVersion, function_ids: dict[str, str]) -> None:
    old_index = previous.index
    pairing = pair_functions(previous, index)
    paired = {pair.new.key: pair for pair in pairing.pairs}
    old_ids = {(old_index.app_key(fn.client), _fn_id(old_index, fn)) for fn in old_index.functions}
    for function in index.functions:
        node = graph.nodes.get(function_ids[function.key])
        if node is None:
            continue
        pair = paired.get(function.key)
        if pair is not None:
            if pair.by == "name":
                node.change, node.was = "renamed", _fn_id(old_index, pair.old) or ""
            continue
        fn_id = _fn_id(index, function)
        if fn_id is not None and (index.app_key(function.client), fn_id) not in old_ids:
            node.change = "added"
    old_events = _event_names(old_index)
    for node in graph.nodes.values():
        name = node.attrs.get("name") if node.kind == "event" else None
        if isinstance(name, str) and name not in old_events:
            node.change = "added"
    for function in pairing.removed:
        fn_id = _fn_id(old_index, function)
        node_id = f"function:{fn_id}"
        if fn_id is None or node_id in graph.nodes:
            continue
        graph.add_node(
            Node(
                node_id,
                "function",
                fn_id,
                module=function.module,
                attrs={
                    "fn_id": fn_id,
                    "handler": function.handler_name,
                    "app_id": old_index.app_id_of(function),
                    "served": None,
                },
                change="removed",
            )
        )
        for trigger in function.triggers:
            if trigger.kind != "event":
                continue
            for name in sorted(old_index.strings(trigger.value) or ()):
                event_id = f"event:{name}"
                if event_id not in graph.nodes:
                    graph.add_node(
                        Node(
                            event_id,
                            "event",
                            name,
                            attrs={"name": name, "dynamic": False, "wildcard": "*" in name, "external": False},
                            change="removed",
                        )
                    )
                graph.add_edge(event_id, node_id, "triggers")
