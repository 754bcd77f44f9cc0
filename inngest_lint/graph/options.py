"""Drawing options shared by every output format."""

from __future__ import annotations

from dataclasses import dataclass

DIRECTIONS = ("LR", "TB")


@dataclass(frozen=True)
class RenderOptions:
    direction: str = "LR"  # "LR" (left to right) or "TB" (top to bottom)
    cluster: bool = False  # group functions and senders by module (mermaid subgraph, dot cluster)
