"""HTML: one self-contained, offline page with an interactive drawing of the graph.

Everything is inline (the JSON data, and the viewer's CSS and script, `assets/viewer.css` and
`assets/viewer.js`, package data read with importlib.resources), and a Content-Security-Policy
forbids any network access, so the file works from a CI artifact or a laptop on a plane. The
data is the JSON format's, plus a few display strings computed here so the script and the text
formats label nodes the same way.

The viewer is plain ES2017 and SVG, no library: the page must work offline, from a CI artifact or
an email attachment, and a page that loads nothing from the network cannot leak a project's event
names either. The script lays the graph out itself (layers by longest path, crossings reduced by
barycentre sweeps, long edges routed through virtual points), then handles pan, zoom, the filter
box, the URL hash (`#filter=crm/`, `#node=<id>`) and the details panel.

Contract with tests/test_graph.py: every node is an SVG `<g>` with `data-node-id` and
`data-visible="true"|"false"`; `<body data-ready="true">` once drawn; `data-error` on failure.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from inngest_lint.graph.json_format import graph_json
from inngest_lint.graph.model import Graph
from inngest_lint.graph.options import RenderOptions

TITLE = "Inngest event graph"

# No network at all: inline script and style only, images only as data: URLs.
_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="inngest-lint graph">
<title>{title}</title>
<style>
{style}</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <input id="filter" type="search" placeholder="Filter: event prefix, function, module  ( / )"
         aria-label="Filter nodes by event name, function, or module" autocomplete="off" spellcheck="false">
  <button id="clear" type="button" title="Clear the filter (Esc)">Clear</button>
  <button id="fit" type="button" title="Fit the graph to the window (0)">Fit</button>
  <button id="zoom-in" type="button" title="Zoom in (+)" aria-label="Zoom in">+</button>
  <button id="zoom-out" type="button" title="Zoom out (-)" aria-label="Zoom out">&minus;</button>
  <button id="direction" type="button" title="Change the layout direction">Top to bottom</button>
  <span id="counts" class="counts"></span>
</header>
<div id="error" role="alert"></div>
<noscript><p style="padding:12px">This page draws the graph with JavaScript; enable it, or use
<code>inngest-lint graph --format mermaid</code> for a static diagram.</p></noscript>
<main>
  <div id="stage">
    <svg id="canvas" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" fill="#6e7781"></path></marker>
        <marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" fill="#d93025"></path></marker>
        <marker id="arrow-cancel" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
          <path d="M9,0 L9,10" stroke="#a50e0e" stroke-width="2.5"></path>
          <path d="M0,2 L7,5 L0,8 z" fill="#a50e0e"></path></marker>
      </defs>
      <g id="viewport"><g id="edges"></g><g id="nodes"></g></g>
    </svg>
    <div class="legend" aria-hidden="true">
      <span><i style="border-color:#3b6fd8;background:#e8f0fe"></i>function</span>
      <span><i style="border-color:#b7791f;background:#fff4d6;border-radius:5px"></i>event</span>
      <span><i style="border-color:#2e7d32;background:#e6f4ea"></i>cron</span>
      <span><i style="border-color:#5f6368;background:#f1f3f4"></i>sender</span>
      <span><i style="border-color:#d93025;border-style:dashed"></i>finding</span>
      <span style="color:#d93025">- - &gt; did you mean?</span>
    </div>
  </div>
  <aside id="details" aria-live="polite"></aside>
</main>
<script type="application/json" id="graph-data">{data}</script>
<script>
{script}</script>
</body>
</html>
"""


@lru_cache(maxsize=None)
def viewer_asset(name: str) -> str:
    """The text of `assets/<name>` (viewer.css, viewer.js), shipped in the wheel as package data."""
    return (resources.files("inngest_lint.graph") / "assets" / name).read_text(encoding="utf-8")


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: no `</script>`, `<!--` or `]]>` can form."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def page_data(graph: Graph, options: RenderOptions) -> dict[str, Any]:
    data = graph_json(graph)
    for node_json, node in zip(data["nodes"], graph.sorted_nodes()):
        node_json["detail"] = node.detail()
        node_json["marks"] = node.warnings()
        # What the filter box matches: names, ids and modules, not paths (a path prefix such as
        # `crm/` would otherwise match every node of a `crm/` package).
        node_json["search"] = " ".join(
            str(part)
            for part in (node.id, node.label, node.module, node.attrs.get("handler"), node.attrs.get("fn_id"))
            if part
        )
    data["view"] = {"direction": options.direction, "title": TITLE}
    return data


def render(graph: Graph, options: RenderOptions) -> str:
    return _PAGE.format(
        csp=_CSP,
        title=html.escape(TITLE),
        style=viewer_asset("viewer.css"),
        data=script_json(page_data(graph, options)),
        script=viewer_asset("viewer.js"),
    )
