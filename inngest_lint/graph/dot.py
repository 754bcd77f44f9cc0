"""Graphviz DOT: for `dot -Tsvg graph.dot > graph.svg` and tools that read DOT.

Every id and label is a double-quoted DOT string (backslashes and quotes escaped, newlines as
`\\n`), so the graph ids can be used as they are.
"""

from __future__ import annotations

from inngest_lint.graph.model import Edge, Graph, Node
from inngest_lint.graph.options import RenderOptions

_NODE_STYLE: dict[str, dict[str, str]] = {
    "function": {"shape": "box", "style": "rounded,filled", "fillcolor": "#e8f0fe", "color": "#3b6fd8"},
    "event": {"shape": "box", "style": "rounded,filled", "fillcolor": "#fff4d6", "color": "#b7791f"},
    "cron": {"shape": "hexagon", "style": "filled", "fillcolor": "#e6f4ea", "color": "#2e7d32"},
    "sender": {"shape": "parallelogram", "style": "filled", "fillcolor": "#f1f3f4", "color": "#5f6368"},
}
_EDGE_STYLE: dict[str, dict[str, str]] = {
    "sends": {},
    "triggers": {},
    "waits": {"label": "waits for"},
    "cancels": {"label": "cancels", "arrowhead": "tee", "color": "#a50e0e"},
    "invokes": {"label": "invokes", "penwidth": "2"},
    "runs": {"label": "step.run"},
    "matches": {"label": "matches", "style": "dashed"},
    "did_you_mean": {"label": "did you mean?", "style": "dashed", "color": "#d93025", "fontcolor": "#d93025"},
}


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


def _attributes(values: dict[str, str]) -> str:
    return ", ".join(f"{key}={quote(value)}" for key, value in values.items())


def _node_line(node: Node) -> str:
    lines = [node.label]
    if node.detail():
        lines.append(node.detail())
    marks = node.warnings()
    style = dict(_NODE_STYLE[node.kind])
    if marks:
        lines.append("⚠ " + ", ".join(marks))
        # A finding: red dashed outline, the same mark the other formats use.
        style.update(color="#d93025", penwidth="2", style=style["style"] + ",dashed")
    return f"{quote(node.id)} [label={quote(chr(10).join(lines))}, {_attributes(style)}];"


def _edge_line(edge: Edge) -> str:
    style = _EDGE_STYLE[edge.kind]
    attributes = f" [{_attributes(style)}]" if style else ""
    return f"{quote(edge.source)} -> {quote(edge.target)}{attributes};"


def render(graph: Graph, options: RenderOptions) -> str:
    nodes = graph.sorted_nodes()
    out = [
        "digraph inngest {",
        f"    rankdir={options.direction};",
        '    node [fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ]
    if options.cluster:
        by_module: dict[str, list[Node]] = {}
        for node in nodes:
            if node.module:
                by_module.setdefault(node.module, []).append(node)
        for module in sorted(by_module):
            out.append(f"    subgraph {quote('cluster_' + module)} {{")
            out.append(f'        label={quote(module)}; style=rounded; color="#9aa0a6";')
            out.extend(f"        {_node_line(node)}" for node in by_module[module])
            out.append("    }")
        out.extend(f"    {_node_line(node)}" for node in nodes if not node.module)
    else:
        out.extend(f"    {_node_line(node)}" for node in nodes)
    out.extend(f"    {_edge_line(edge)}" for edge in graph.sorted_edges())
    out.append("}")
    return "\n".join(out) + "\n"
