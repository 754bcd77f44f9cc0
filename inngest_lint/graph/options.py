"""Drawing options shared by every output format."""

from __future__ import annotations

from dataclasses import dataclass

DIRECTIONS = ("LR", "TB")
#: The HTML viewer's default: it lays the graph out both ways and keeps the one that fits the
#: window larger (a long chain reads top to bottom); the other formats draw left to right.
AUTO_DIRECTION = "AUTO"


@dataclass(frozen=True)
class RenderOptions:
    direction: str = "LR"  # "LR" (left to right), "TB" (top to bottom), or AUTO_DIRECTION (html)
    cluster: bool = False  # group functions and senders by module (mermaid subgraph, dot cluster)
