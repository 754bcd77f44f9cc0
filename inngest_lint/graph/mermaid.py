"""Mermaid `flowchart`: renders on GitHub and in most Markdown viewers, so it is the default.

Node ids are derived from the graph ids but reduced to `[A-Za-z0-9_]` with a kind prefix
(`fn_`, `ev_`, `cron_`, `snd_`): Mermaid reads `end`, `graph` and ids starting with `o`/`x`
after an arrow as syntax. Labels are always quoted, with `"`, `#`, `<`, `>`, `&`, backticks and backslashes written
as Mermaid entity codes, so an event name can never break out of its label or turn into markup.
"""

from __future__ import annotations

import re

from inngest_lint.graph.model import Edge, Graph, Node
from inngest_lint.graph.options import RenderOptions

_PREFIX = {"function": "fn", "event": "ev", "cron": "cron", "sender": "snd"}
_SHAPES = {
    "function": ('["', '"]'),
    "event": ('(["', '"])'),
    "cron": ('{{"', '"}}'),
    "sender": ('[/"', '"/]'),
}
_ARROWS = {
    "sends": "-->",
    "triggers": "-->",
    "waits": "-->|waits for|",
    "cancels": "--x|cancels|",
    "invokes": "==>|invokes|",
    "runs": "-->|step.run|",
    "matches": "-.->|matches|",
    "did_you_mean": "-.->|did you mean?|",
}
_CLASSES = (
    "classDef function fill:#e8f0fe,stroke:#3b6fd8,color:#111",
    "classDef event fill:#fff4d6,stroke:#b7791f,color:#111",
    "classDef cron fill:#e6f4ea,stroke:#2e7d32,color:#111",
    "classDef sender fill:#f1f3f4,stroke:#5f6368,color:#111",
    "classDef finding stroke:#d93025,stroke-width:3px,stroke-dasharray:6 3",
)
_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "\\": "#92;"}
_MAX_ID_LENGTH = 48
_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def escape_label(text: str) -> str:
    """A label for inside `"..."`: Mermaid entity codes for the characters it would parse."""
    return "".join(_ENTITIES.get(char, char) for char in text).replace("\n", " ")


def safe_ids(nodes: list[Node]) -> dict[str, str]:
    """Graph id -> Mermaid id, unique, readable, and never a Mermaid keyword."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for node in nodes:
        body = node.id.split(":", 1)[1] if ":" in node.id else node.id
        readable = _UNSAFE.sub("_", body).strip("_")[:_MAX_ID_LENGTH].rstrip("_")
        base = f"{_PREFIX[node.kind]}_{readable or 'node'}"
        candidate, suffix = base, 2
        while candidate in taken:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(candidate)
        ids[node.id] = candidate
    return ids


def node_label(node: Node) -> str:
    lines = [escape_label(node.label)]
    detail = node.detail()
    if detail:
        lines.append(escape_label(detail))
    marks = node.warnings()
    if marks:
        lines.append("⚠ " + escape_label(", ".join(marks)))
    return "<br/>".join(lines)


def _node_line(node: Node, mermaid_id: str) -> str:
    opening, closing = _SHAPES[node.kind]
    return f"{mermaid_id}{opening}{node_label(node)}{closing}:::{node.kind}"


def _edge_line(edge: Edge, ids: dict[str, str]) -> str:
    return f"{ids[edge.source]} {_ARROWS[edge.kind]} {ids[edge.target]}"


def render(graph: Graph, options: RenderOptions) -> str:
    nodes = graph.sorted_nodes()
    ids = safe_ids(nodes)
    out = [f"flowchart {options.direction}"]
    if options.cluster:
        by_module: dict[str, list[Node]] = {}
        loose: list[Node] = []
        for node in nodes:
            if node.module:
                by_module.setdefault(node.module, []).append(node)
            else:
                loose.append(node)
        for number, module in enumerate(sorted(by_module), start=1):
            out.append(f'    subgraph module_{number}["{escape_label(module)}"]')
            out.extend(f"        {_node_line(node, ids[node.id])}" for node in by_module[module])
            out.append("    end")
        out.extend(f"    {_node_line(node, ids[node.id])}" for node in loose)
    else:
        out.extend(f"    {_node_line(node, ids[node.id])}" for node in nodes)
    edges = graph.sorted_edges()
    out.extend(f"    {_edge_line(edge, ids)}" for edge in edges)
    out.extend(f"    {line}" for line in _CLASSES)
    # linkStyle addresses edges by their position in the text: the near misses in red.
    near_misses = [str(number) for number, edge in enumerate(edges) if edge.kind == "did_you_mean"]
    if near_misses:
        out.append(f"    linkStyle {','.join(near_misses)} stroke:#d93025,color:#d93025")
    flagged = [ids[node.id] for node in nodes if node.warnings()]
    if flagged:
        out.append(f"    class {','.join(flagged)} finding")
    return "\n".join(out) + "\n"
