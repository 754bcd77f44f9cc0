"""JSON: the graph for tooling, in a stable order with a versioned schema.

Schema `inngest-lint-graph/1` (`JSON_SCHEMA` below is the machine-readable form; tests validate
every output against it). Additions that do not break readers (a new optional field, a new node
or edge kind) keep the version; renames and removals bump it.

```
{
  "schema": "inngest-lint-graph/1",
  "nodes": [                                  # functions, senders, crons, events; each by id
    {
      "id": "function:sync-contact",          # stable key (see inngest_lint.graph.model)
      "kind": "function" | "sender" | "cron" | "event",
      "label": "sync-contact",                # fn_id, sender def, "cron <schedule>", event name
      "module": "crm.functions" | null,       # null for events and crons
      "location": {"path", "line", "column"} | null,   # path relative to the cwd
      "findings": [{"code", "severity", "message", "path", "line", "column"}],
      # kind "function": "fn_id" (str|null), "handler" (str), "app_id" (str|null),
      #                  "served" (true | false: INN201 | null: unknown)
      # kind "event":    "name" (str|null when dynamic), "dynamic", "wildcard", "external" (bool)
      # kind "cron":     "schedule" (str|null when dynamic)
      # kind "sender":   "symbol" (the enclosing def, "" for module level)
    }
  ],
  "edges": [                                  # by source, target, kind
    {
      "source": "<node id>", "target": "<node id>",
      "kind": "sends" | "triggers" | "waits" | "cancels" | "invokes" | "runs" | "matches"
              | "did_you_mean",
      "locations": [{"path", "line", "column"}]   # every place in the code that makes this edge
    }
  ],
  "findings": [...]                           # every finding once, as in the nodes
}
```
Edge kinds: `sends` (function or sender -> event), `triggers` (event or cron -> function),
`waits` (event -> function that `wait_for_event`s it), `cancels` (event -> function it cancels),
`invokes` (function -> function), `runs` (function -> a module-level step handler that sends),
`matches` (sent event -> wildcard trigger it matches), `did_you_mean` (a sent name -> a listened
name it nearly matches: INN301/INN302).
"""

from __future__ import annotations

import json
from typing import Any

from inngest_lint.graph.model import EDGE_KINDS, Graph, Node
from inngest_lint.graph.options import RenderOptions

SCHEMA_ID = "inngest-lint-graph/1"

_LOCATION: dict[str, Any] = {
    "type": "object",
    "required": ["path", "line", "column"],
    "properties": {
        "path": {"type": "string"},
        "line": {"type": "integer", "minimum": 1},
        "column": {"type": "integer", "minimum": 1},
    },
}
_FINDING: dict[str, Any] = {
    "type": "object",
    "required": ["code", "severity", "message", "path", "line", "column"],
    "properties": {
        "code": {"type": "string", "pattern": "^INN[0-9]{3}$"},
        "severity": {"enum": ["error", "warning"]},
        "message": {"type": "string"},
        "path": {"type": "string"},
        "line": {"type": "integer", "minimum": 1},
        "column": {"type": "integer", "minimum": 1},
    },
}
_NULLABLE_STRING = {"type": ["string", "null"]}
_KIND_FIELDS: dict[str, dict[str, Any]] = {
    "function": {
        "fn_id": _NULLABLE_STRING,
        "handler": {"type": "string"},
        "app_id": _NULLABLE_STRING,
        "served": {"type": ["boolean", "null"]},
    },
    "event": {
        "name": _NULLABLE_STRING,
        "dynamic": {"type": "boolean"},
        "wildcard": {"type": "boolean"},
        "external": {"type": "boolean"},
    },
    "cron": {"schedule": _NULLABLE_STRING},
    "sender": {"symbol": {"type": "string"}},
}
_COMMON_NODE_FIELDS: dict[str, Any] = {
    "id": {"type": "string"},
    "label": {"type": "string"},
    "module": _NULLABLE_STRING,
    "location": {"oneOf": [_LOCATION, {"type": "null"}]},
    "findings": {"type": "array", "items": _FINDING},
    # Only with `graph --since REF`, on what changed since the ref.
    "change": {"enum": ["added", "removed", "renamed"]},
    "was": {"type": "string"},
}
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "inngest-lint event graph",
    "type": "object",
    "required": ["schema", "nodes", "edges", "findings"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "nodes": {
            "type": "array",
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["id", "kind", "label", "module", "location", "findings", *fields],
                        "additionalProperties": False,
                        "properties": {**_COMMON_NODE_FIELDS, "kind": {"const": kind}, **fields},
                    }
                    for kind, fields in _KIND_FIELDS.items()
                ]
            },
        },
        "edges": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["source", "target", "kind", "locations"],
                "additionalProperties": False,
                "properties": {
                    "source": {"type": "string"},
                    "target": {"type": "string"},
                    "kind": {"enum": list(EDGE_KINDS)},
                    "locations": {"type": "array", "items": _LOCATION},
                },
            },
        },
        "findings": {"type": "array", "items": _FINDING},
    },
}


def node_json(node: Node) -> dict[str, Any]:
    data = {
        "id": node.id,
        "kind": node.kind,
        "label": node.label,
        "module": node.module or None,
        "location": node.site.as_json() if node.site else None,
        "findings": [finding.as_json() for finding in node.findings],
        **{key: node.attrs.get(key) for key in _KIND_FIELDS[node.kind]},
    }
    if node.change:
        data["change"] = node.change
        if node.was:
            data["was"] = node.was
    return data


def graph_json(graph: Graph) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
        "nodes": [node_json(node) for node in graph.sorted_nodes()],
        "edges": [
            {
                "source": edge.source,
                "target": edge.target,
                "kind": edge.kind,
                "locations": [site.as_json() for site in edge.sites],
            }
            for edge in graph.sorted_edges()
        ],
        "findings": [finding.as_json() for finding in graph.findings()],
    }


def render(graph: Graph, options: RenderOptions) -> str:
    """The same data whatever the drawing options: direction and clusters are for pictures."""
    return json.dumps(graph_json(graph), indent=2, ensure_ascii=False) + "\n"
