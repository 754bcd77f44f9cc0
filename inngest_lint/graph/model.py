"""The event graph: who sends which event, who listens to it, and what the linter found there.

The facts phase 1 collects already hold the whole topology (triggers, waits, cancels, invokes,
sends and their enclosing defs); this module turns a `RunResult` into nodes and edges that every
output format draws the same way. Findings are not recomputed here: the project rules that speak
about the topology (INN201, INN301-INN304) run as part of the lint, and their diagnostics are
attached to the nodes they are about, so `noqa`, `ignore` and `external-events` behave in the
graph exactly as in `inngest-lint check`.

Node ids are stable strings that tooling can key on:
- `function:<fn_id>`, or `function:<module>.<name>` when the id is dynamic or shared by two
  functions (two apps may reuse an id);
- `event:<name>` (a wildcard trigger is an event node too: `event:app/*`), and
  `event:?<module>:<line>:<column>` for a name the linter cannot resolve (an f-string, a parameter);
- `cron:<schedule>` (`cron:?<module>:<line>:<column>` when dynamic);
- `sender:<module>:<def>` for code outside Inngest functions that sends events (a web route, a
  step handler defined at module level), `sender:<module>` for module-level code.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from inngest_lint import sdk
from inngest_lint.diagnostics import Diagnostic, Location, printable
from inngest_lint.diagnostics import display_path as diagnostics_display_path
from inngest_lint.facts.index import ProjectIndex, event_matches
from inngest_lint.facts.model import Definition, EventSend, InngestFunction, Ref

# The project rules whose findings the graph draws. INN303/INN304 are off by default for
# `check`; the graph enables them because "nothing listens" is exactly what it is for.
GRAPH_CODES = ("INN201", "INN301", "INN302", "INN303", "INN304")
NO_LISTENER_CODES = frozenset({"INN301", "INN303"})
NEVER_SENT_CODES = frozenset({"INN302", "INN304"})
NEAR_MISS_CODES = frozenset({"INN301", "INN302"})
NOT_SERVED_CODE = "INN201"

NodeKind = Literal["function", "sender", "cron", "event"]
EdgeKind = Literal["sends", "triggers", "waits", "cancels", "invokes", "runs", "matches", "did_you_mean"]
#: The kinds in drawing and sorting order.
NODE_KINDS: tuple[NodeKind, ...] = get_args(NodeKind)
EDGE_KINDS: tuple[EdgeKind, ...] = get_args(EdgeKind)


@dataclass(frozen=True, order=True)
class Site:
    """A place in the source, with the path as the user sees it (relative to the cwd)."""

    path: str
    line: int
    column: int

    def text(self) -> str:
        return f"{self.path}:{self.line}"

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "column": self.column}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    site: Site

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity, "message": self.message, **self.site.as_json()}


@dataclass
class Node:
    id: str
    kind: NodeKind
    label: str  # the main text: fn_id, event name, schedule, or sender name
    module: str = ""  # "" for events and crons, which belong to no module
    site: Site | None = None
    findings: list[Finding] = field(default_factory=list)
    # Kind-specific fields, written as-is into the JSON output (see json_format.JSON_SCHEMA).
    attrs: dict[str, object] = field(default_factory=dict)
    # With `graph --since REF` (see graph/changes.py): "added", "removed" or "renamed" since the
    # ref, and for a renamed function its ID there.
    change: str = ""
    was: str = ""

    @property
    def codes(self) -> set[str]:
        return {finding.code for finding in self.findings}

    def is_unserved(self) -> bool:
        return self.kind == "function" and NOT_SERVED_CODE in self.codes

    def has_no_listener(self) -> bool:
        return self.kind == "event" and bool(NO_LISTENER_CODES & self.codes)

    def is_never_sent(self) -> bool:
        return self.kind == "event" and bool(NEVER_SENT_CODES & self.codes)

    def warnings(self) -> list[str]:
        """Short marks for labels: what is wrong with this node, in a few words."""
        marks: list[str] = []
        if self.is_unserved():
            marks.append("not served")
        if self.has_no_listener():
            marks.append("no listener")
        if self.is_never_sent():
            marks.append("never sent")
        return marks

    def detail(self) -> str:
        """The second label line: the handler or module, and where it is; with `--since`, what
        changed since the ref."""
        plain = self._plain_detail()
        if not self.change:
            return plain
        change = f"was {self.was}" if self.change == "renamed" and self.was else self.change
        return f"{plain} · {change}" if plain else change

    def _plain_detail(self) -> str:
        where = self.site.text() if self.site else ""
        if self.kind == "function":
            handler = str(self.attrs.get("handler", ""))
            return f"{handler} · {where}" if where else handler
        if self.kind == "sender":
            return where
        if self.id.startswith(("event:?", "cron:?")):
            return where  # a dynamic name: where it is computed is all there is to show
        if self.attrs.get("external"):
            return "from outside the project"
        return ""


@dataclass
class Edge:
    source: str
    target: str
    kind: EdgeKind
    sites: list[Site] = field(default_factory=list)


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, EdgeKind], Edge] = field(default_factory=dict)

    def add_node(self, node: Node) -> Node:
        return self.nodes.setdefault(node.id, node)

    def add_edge(self, source: str, target: str, kind: EdgeKind, site: Site | None = None) -> None:
        edge = self.edges.setdefault((source, target, kind), Edge(source, target, kind))
        if site is not None and site not in edge.sites:
            edge.sites.append(site)

    def sorted_nodes(self) -> list[Node]:
        """Functions, senders, crons, then events; each by id. Deterministic for golden files."""
        return sorted(self.nodes.values(), key=lambda node: (NODE_KINDS.index(node.kind), node.id))

    def sorted_edges(self) -> list[Edge]:
        for edge in self.edges.values():
            edge.sites.sort()
        return sorted(self.edges.values(), key=lambda edge: (edge.source, edge.target, EDGE_KINDS.index(edge.kind)))

    def findings(self) -> list[Finding]:
        """Every finding once, in path order (a finding can sit on two nodes)."""
        unique = {(f.site, f.code, f.message): f for node in self.nodes.values() for f in node.findings}
        return [unique[key] for key in sorted(unique)]

    def neighbours(self) -> dict[str, set[str]]:
        around: dict[str, set[str]] = {node_id: set() for node_id in self.nodes}
        for source, target, _ in self.edges:
            around.setdefault(source, set()).add(target)
            around.setdefault(target, set()).add(source)
        return around

    def keep(self, node_ids: set[str]) -> Graph:
        """The subgraph on these nodes (edges with both ends kept)."""
        kept = Graph()
        for node_id, node in self.nodes.items():
            if node_id in node_ids:
                kept.nodes[node_id] = node
        for key, edge in self.edges.items():
            if edge.source in node_ids and edge.target in node_ids:
                kept.edges[key] = edge
        return kept

    def without_orphans(self) -> Graph:
        """Drop nodes with no edge (a function whose triggers the linter could not read)."""
        return self.keep({node for key in self.edges for node in key[:2]})


# ---------------------------------------------------------------------------------- building
def _real(path: str) -> str:
    """The resolved path, for comparing a fact's path with a diagnostic's display path."""
    return _resolved(os.path.abspath(path))  # absolute first: the cwd may change between runs


@lru_cache(maxsize=4096)
def _resolved(absolute: str) -> str:
    return os.path.realpath(absolute)


def display_path(path: str) -> str:
    """As `inngest-lint check` prints paths: relative to the cwd unless that climbs out of it,
    with the bytes of a file name that is not UTF-8 escaped (`bad\\xff.py`)."""
    return printable(Path(diagnostics_display_path(path)).as_posix())


def _site(location: Location) -> Site:
    return Site(display_path(location.path), location.line, location.column)


def _location_key(path: str, line: int, column: int) -> tuple[str, int, int]:
    return (_real(path), line, column)


class _Builder:
    """Walks the project index once, then pins the diagnostics onto the nodes."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.graph = Graph()
        # (real path, line, column) of every fact -> the non-event node it belongs to, so that a
        # diagnostic reported at a send, a trigger or a function can find its node.
        self.owner_at: dict[tuple[str, int, int], set[str]] = {}
        self.function_ids = self._function_ids()
        self.sender_ids: dict[tuple[str, str], str] = {}  # (file, def symbol) -> sender node

    # ------------------------------------------------------------------ ids
    def _function_ids(self) -> dict[str, str]:
        """Function key -> node id: the fn_id when it names one function, else module.name."""
        fn_ids: dict[str, str | None] = {}
        for function in self.index.functions:
            values = self.index.strings(function.fn_id)
            fn_ids[function.key] = next(iter(values)) if values and len(values) == 1 else None
        counts: dict[str, int] = {}
        for value in fn_ids.values():
            if value is not None:
                counts[value] = counts.get(value, 0) + 1
        ids: dict[str, str] = {}
        taken: set[str] = set()
        for function in sorted(self.index.functions, key=lambda f: (f.path, f.location.line, f.location.column)):
            fn_id = fn_ids[function.key]
            if fn_id is not None and counts[fn_id] == 1:
                node_id = f"function:{fn_id}"
            else:
                node_id = f"function:{function.module}.{function.symbol or function.handler_name}"
            if node_id in taken:
                node_id = f"{node_id}@{function.location.line}"
            taken.add(node_id)
            ids[function.key] = node_id
        return ids

    def _own(self, location: Location, node_id: str) -> None:
        self.owner_at.setdefault(_location_key(location.path, location.line, location.column), set()).add(node_id)

    # ------------------------------------------------------------------ nodes
    def function_node(self, function: InngestFunction) -> str:
        node_id = self.function_ids[function.key]
        values = self.index.strings(function.fn_id)
        fn_id = next(iter(values)) if values and len(values) == 1 else None
        self.graph.add_node(
            Node(
                node_id,
                "function",
                fn_id if fn_id is not None else function.handler_name,
                module=function.module,
                site=_site(function.location),
                attrs={
                    "fn_id": fn_id,
                    "handler": function.handler_name,
                    "app_id": self.index.app_id_of(function),
                    "served": None,
                },
            )
        )
        self._own(function.location, node_id)
        return node_id

    def event_node(self, ref: Ref, location: Location, module: str) -> list[str]:
        """The event nodes a name ref stands for (several for `a if x else b`)."""
        names = self.index.strings(ref)
        if names is None:
            node_id = f"event:?{module}:{location.line}:{location.column}"
            self.graph.add_node(
                Node(
                    node_id,
                    "event",
                    "? dynamic name",
                    site=_site(location),
                    attrs={"name": None, "dynamic": True, "wildcard": False, "external": False},
                )
            )
            return [node_id]
        ids = []
        for name in sorted(names):
            node_id = f"event:{name}"
            external = name.startswith(sdk.RESERVED_EVENT_PREFIX) or self.index.is_external_event(name)
            self.graph.add_node(
                Node(
                    node_id,
                    "event",
                    name,
                    attrs={"name": name, "dynamic": False, "wildcard": "*" in name, "external": external},
                )
            )
            ids.append(node_id)
        return ids

    def cron_node(self, ref: Ref, location: Location, module: str) -> list[str]:
        schedules = self.index.strings(ref)
        if schedules is None:
            node_id = f"cron:?{module}:{location.line}:{location.column}"
            self.graph.add_node(
                Node(node_id, "cron", "cron ? (dynamic)", site=_site(location), attrs={"schedule": None})
            )
            return [node_id]
        ids = []
        for schedule in sorted(schedules):
            node_id = f"cron:{schedule}"
            self.graph.add_node(Node(node_id, "cron", f"cron {schedule}", attrs={"schedule": schedule}))
            ids.append(node_id)
        return ids

    def sender_node(self, send: EventSend) -> str:
        file_facts = self.index.file_by_path.get(send.location.path)
        module = file_facts.module if file_facts is not None else ""
        key = (send.location.path, send.sender)
        if key in self.sender_ids:
            return self.sender_ids[key]
        node_id = f"sender:{module}:{send.sender}" if send.sender else f"sender:{module}"
        if node_id in self.graph.nodes:  # a module of the same name in another service
            node_id = f"{node_id}@{display_path(send.location.path)}"
        site = _site(send.location)
        if file_facts is not None and send.sender:
            for definition in file_facts.definitions:
                if definition.symbol == send.sender:
                    site = _site(definition.location)
                    break
        label = send.sender or f"{module or printable(Path(send.location.path).stem)} (module)"
        self.graph.add_node(Node(node_id, "sender", label, module=module, site=site, attrs={"symbol": send.sender}))
        self.sender_ids[key] = node_id
        return node_id

    # ------------------------------------------------------------------ edges
    def build(self) -> Graph:
        index = self.index
        for function in index.functions:
            fn_node = self.function_node(function)
            for trigger in function.triggers:
                if trigger.kind == "cron":
                    sources = self.cron_node(trigger.value, trigger.location, function.module)
                else:
                    sources = self.event_node(trigger.value, trigger.location, function.module)
                for source in sources:
                    self.graph.add_edge(source, fn_node, "triggers", _site(trigger.location))
                self._own(trigger.location, fn_node)
            for wait in function.waits:
                where = wait.event_location or wait.location
                for source in self.event_node(wait.event, where, function.module):
                    self.graph.add_edge(source, fn_node, "waits", _site(where))
                self._own(where, fn_node)
            for cancel in function.cancel_events:
                for source in self.event_node(cancel.value, cancel.location, function.module):
                    self.graph.add_edge(source, fn_node, "cancels", _site(cancel.location))
                self._own(cancel.location, fn_node)
        for function in index.functions:
            for invoke in function.invokes:
                target = index.function_for(invoke.function)
                if target is not None:
                    self.graph.add_edge(
                        self.function_ids[function.key],
                        self.function_ids[target.key],
                        "invokes",
                        _site(invoke.location),
                    )
        for send in index.sends:
            sending_function = index.functions_by_key.get(send.function_key) if send.function_key else None
            if sending_function is not None:
                source = self.function_ids[sending_function.key]
            else:
                source = self.sender_node(send)
            module = index.file_by_path[send.location.path].module if send.location.path in index.file_by_path else ""
            for event_id in self.event_node(send.name, send.name_location, module):
                self.graph.add_edge(source, event_id, "sends", _site(send.name_location))
            self._own(send.name_location, source)
        self._step_handlers()
        self._wildcards()
        return self.graph

    def _step_handlers(self) -> None:
        """`step.run("x", notify_sales)` where `notify_sales` is a def that sends: draw the link,
        so the chain function -> handler -> event reads in one line."""
        for function in self.index.functions:
            for run in function.step_runs:
                if run.handler.kind != "symbol":
                    continue
                resolved = self.index.resolve(run.handler)
                if resolved.kind != "definition" or not isinstance(resolved.value, Definition):
                    continue
                sender = self.sender_ids.get((resolved.path, resolved.value.symbol))
                if sender is not None:
                    self.graph.add_edge(self.function_ids[function.key], sender, "runs", _site(run.location))

    def _wildcards(self) -> None:
        """A sent event that a wildcard trigger (`audit/*`) matches is listened to: show it."""
        events = [node for node in self.graph.nodes.values() if node.kind == "event" and node.attrs.get("name")]
        patterns = [node for node in events if node.attrs.get("wildcard")]
        sent = {target for (_, target, kind) in self.graph.edges if kind == "sends"}
        for node in events:
            if node.attrs.get("wildcard") or node.id not in sent:
                continue
            for pattern in patterns:
                if event_matches(str(pattern.attrs["name"]), str(node.attrs["name"])):
                    self.graph.add_edge(node.id, pattern.id, "matches")

    # ------------------------------------------------------------------ findings
    def attach(self, diagnostics: Iterable[Diagnostic]) -> None:
        served_keys, _lists_known = self.index.served_function_keys()
        for function in self.index.functions:
            node = self.graph.nodes.get(self.function_ids[function.key])
            if node is not None and self.index.has_serve() and function.key in served_keys:
                node.attrs["served"] = True
        names_at = self._event_names_by_location()
        for diagnostic in diagnostics:
            if diagnostic.code not in GRAPH_CODES:
                continue
            finding = Finding(
                diagnostic.code,
                diagnostic.severity.value,
                diagnostic.message,
                Site(Path(diagnostic.path).as_posix(), diagnostic.line, diagnostic.column),
            )
            targets = set(self.owner_at.get(_location_key(diagnostic.path, diagnostic.line, diagnostic.column), ()))
            if diagnostic.code != NOT_SERVED_CODE and diagnostic.context:
                targets.add(f"event:{diagnostic.context}")
            for node_id in sorted(targets):
                node = self.graph.nodes.get(node_id)
                if node is None:
                    continue
                if diagnostic.code == NOT_SERVED_CODE and node.kind != "function":
                    continue
                if finding not in node.findings:
                    node.findings.append(finding)
                if diagnostic.code == NOT_SERVED_CODE:
                    node.attrs["served"] = False
            if diagnostic.code in NEAR_MISS_CODES and diagnostic.context:
                # The near-miss partner is the place the message names (`related`): the rule
                # already chose it, and recomputing edit distances costs as much as the rule.
                for related in diagnostic.related[:1]:
                    for partner in names_at.get(_location_key(related.path, related.line, related.column), ()):
                        if diagnostic.code == "INN301":
                            self._near_miss(diagnostic.context, partner)
                        else:
                            self._near_miss(partner, diagnostic.context)
        for node in self.graph.nodes.values():
            node.findings.sort(key=lambda f: (f.site, f.code))

    def _event_names_by_location(self) -> dict[tuple[str, int, int], set[str]]:
        """Where each event name is written (sends, triggers, waits, cancels) -> the names."""
        names_at: dict[tuple[str, int, int], set[str]] = {}

        def note(location: Location, ref: Ref) -> None:
            key = _location_key(location.path, location.line, location.column)
            names_at.setdefault(key, set()).update(self.index.strings(ref) or ())

        for send in self.index.sends:
            note(send.name_location, send.name)
        for function in self.index.functions:
            for trigger in function.triggers:
                if trigger.kind == "event":
                    note(trigger.location, trigger.value)
            for wait in function.waits:
                note(wait.event_location or wait.location, wait.event)
            for cancel in function.cancel_events:
                note(cancel.location, cancel.value)
        return names_at

    def _near_miss(self, sent_name: str, listened_name: str) -> None:
        source, target = f"event:{sent_name}", f"event:{listened_name}"
        if source in self.graph.nodes and target in self.graph.nodes:
            self.graph.add_edge(source, target, "did_you_mean")


def build_graph(index: ProjectIndex | None, diagnostics: Iterable[Diagnostic] = ()) -> Graph:
    """The whole project's event graph, with the graph rules' diagnostics pinned to its nodes."""
    if index is None:
        return Graph()
    builder = _Builder(index)
    builder.build()
    builder.attach(diagnostics)
    if index.previous is not None:
        from inngest_lint.graph.changes import mark_changes

        mark_changes(builder.graph, index, index.previous, builder.function_ids)
    return builder.graph


def in_scope(graph: Graph, scope: list[Path]) -> Graph:
    """The part of the graph that code under `scope` takes part in.

    Functions and senders defined under the scope paths, the events and crons they touch, and
    everyone else who sends or listens to those events: a graph of `src/crm/` should still show
    which web route sends the event a crm function waits for.
    """
    roots = [_real(str(path)) for path in scope]

    def inside(node: Node) -> bool:
        if node.site is None or node.kind not in ("function", "sender"):
            return False
        real = _real(node.site.path)
        return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)

    around = graph.neighbours()
    seeds = {node.id for node in graph.nodes.values() if inside(node)}
    touched = set(seeds)
    for node_id in seeds:
        touched |= around.get(node_id, set())
    # Events joined to a touched event (a near miss, a wildcard it matches) count as touched:
    # the near-miss partner's listener is the function the user is looking for.
    events = [node_id for node_id in touched if graph.nodes[node_id].kind == "event"]
    linked = set(events)
    while events:
        current = events.pop()
        for other in around.get(current, set()):
            if other not in linked and graph.nodes[other].kind == "event":
                linked.add(other)
                events.append(other)
    kept = touched | linked
    for node_id in linked:
        kept |= around.get(node_id, set())
    return graph.keep(kept)
