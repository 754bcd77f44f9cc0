"""Imports point one way: front ends -> api -> engine -> rules -> facts -> semantic -> base.

Every `import` of the package is read from the source (module level and inside functions: a lazy
import is still a dependency), and each must name a module of the same layer or a lower one. A
rule helper imported by the fact collector, or a rule imported by the graph, is what this catches:
such a cycle makes the lower layer impossible to reason about, test or reuse on its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "inngest_lint"

#: Lowest first. A module's layer is the entry for its longest listed prefix.
LAYERS: tuple[tuple[str, ...], ...] = (
    # Plain values and tables every layer reads.
    (
        "inngest_lint",
        "inngest_lint.sdk",
        "inngest_lint.diagnostics",
        "inngest_lint.settings",
        "inngest_lint.cel",
        "inngest_lint.modules",
        "inngest_lint.suppression",
        "inngest_lint.facts.model",
        "inngest_lint.files",
    ),
    # The program model of one file.
    ("inngest_lint.semantic",),
    # What each file records, and the project-wide index over it.
    ("inngest_lint.facts",),
    # Judgements.
    ("inngest_lint.rules",),
    # Which rules exist, their docs, and reading the user's configuration (checks selectors).
    ("inngest_lint.registry", "inngest_lint.docs", "inngest_lint.config", "inngest_lint.discovery"),
    # Orchestration of one run.
    ("inngest_lint.engine",),
    ("inngest_lint.cache", "inngest_lint.baseline", "inngest_lint.selection", "inngest_lint.since"),
    ("inngest_lint.api",),
    # Front ends.
    ("inngest_lint.reporters", "inngest_lint.graph", "inngest_lint.fixing"),
    ("inngest_lint.watch", "inngest_lint.server", "inngest_lint.flake8_plugin"),
    ("inngest_lint.cli",),
    ("inngest_lint.__main__",),
)


def layer_of(module: str) -> int:
    best: tuple[int, int] | None = None  # (prefix length, layer)
    for layer, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), layer)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of the package in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from inngest_lint import sdk` imports the module `inngest_lint.sdk`.
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                module_file = PACKAGE.parent / Path(*candidate.split("."))
                is_module = module_file.with_suffix(".py").is_file() or module_file.is_dir()
                found.append((node.lineno, candidate if is_module else base))
    return [(line, module) for line, module in found if module.split(".")[0] == "inngest_lint"]


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(PACKAGE.parent)))
def test_imports_point_down(path: Path) -> None:
    own = module_name(path)
    own_layer = layer_of(own)
    upward = [
        f"{path.name}:{line} imports {module} (layer {layer_of(module)} > {own_layer})"
        for line, module in imported_modules(path)
        if layer_of(module) > own_layer
    ]
    assert not upward, f"{own} reaches up a layer:\n" + "\n".join(upward)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The check itself can fail: a semantic module importing a rule is named."""
    assert layer_of("inngest_lint.rules.base") > layer_of("inngest_lint.semantic.context")
    assert layer_of("inngest_lint.facts.model") < layer_of("inngest_lint.semantic.values")
    assert layer_of("inngest_lint.facts.index") > layer_of("inngest_lint.semantic.values")
    source = PACKAGE / "semantic" / "context.py"
    imports = dict((module, line) for line, module in imported_modules(source))
    assert "inngest_lint.sdk" in imports
