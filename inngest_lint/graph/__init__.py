"""`inngest-lint graph`: the project's event flow, drawn from the facts the linter collects.

`model` builds one `Graph` from a lint run; each output format is a module with
`render(graph, options) -> str`: `mermaid` (the default), `dot`, `json_format`, `html`.
"""

from __future__ import annotations

from collections.abc import Callable

from inngest_lint.graph import dot, html, json_format, mermaid
from inngest_lint.graph.model import Graph
from inngest_lint.graph.options import RenderOptions

RENDERERS: dict[str, Callable[[Graph, RenderOptions], str]] = {
    "mermaid": mermaid.render,
    "dot": dot.render,
    "json": json_format.render,
    "html": html.render,
}


def render(graph: Graph, output_format: str, options: RenderOptions | None = None) -> str:
    return RENDERERS[output_format](graph, options or RenderOptions())
