"""The read-only traversal against libcst's own: same children, same order, same nodes."""

from __future__ import annotations

import libcst as cst
import pytest
from layout_samples import all_sources  # tests/ is on sys.path under pytest

from inngest_lint.semantic.traverse import children, layout_classes, walk

SOURCES = all_sources()


class _Recorder(cst.CSTVisitor):
    """libcst's visitor, recording the nodes it enters and leaves."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("enter", id(node)))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    walk(module, found.append, lambda node: None)
    return found


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_children_match_libcst(name: str) -> None:
    module = cst.parse_module(SOURCES[name])
    for node in _all_nodes(module):
        assert [id(child) for child in children(node)] == [id(child) for child in node.children], type(node).__name__


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_walk_matches_libcst_visitor(name: str) -> None:
    module = cst.parse_module(SOURCES[name])
    expected = _Recorder()
    module.visit(expected)
    events: list[tuple[str, int]] = []
    walk(module, lambda node: events.append(("enter", id(node))), lambda node: events.append(("leave", id(node))))
    assert events == expected.events


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_pruned_walk_is_the_full_walk_without_layout(name: str) -> None:
    module = cst.parse_module(SOURCES[name])
    skip = layout_classes()
    kept: list[int] = []
    depth_skipped = 0

    def enter(node: cst.CSTNode) -> None:
        nonlocal depth_skipped
        if depth_skipped or node.__class__ in skip:
            depth_skipped += 1
        else:
            kept.append(id(node))

    def leave(node: cst.CSTNode) -> None:
        nonlocal depth_skipped
        if depth_skipped:
            depth_skipped -= 1

    walk(module, enter, leave)
    pruned: list[int] = []
    walk(module, lambda node: pruned.append(id(node)), lambda node: None, skip)
    assert pruned == kept
    assert len(pruned) < len(_all_nodes(module)) or not module.body


def test_layout_classes_keep_what_rules_ask_for() -> None:
    every = layout_classes()
    assert cst.Comma in every and cst.SimpleWhitespace in every and cst.LeftParen in every
    assert cst.Name not in every and cst.Call not in every and cst.Arg not in every
    assert cst.Comma not in layout_classes({"Comma"})
    # A comment can sit in the whitespace of any layout node: wanting one keeps them all.
    assert layout_classes({"Comment"}) == frozenset()
    assert layout_classes({"EmptyLine"}) == frozenset()


def test_every_node_class_has_a_field_order_from_source() -> None:
    """Without it a class falls back to libcst's slow `children`: correct, but a regression."""
    import inspect

    from inngest_lint.semantic.traverse import _fields_in_source, _node_classes

    missing = [
        cls.__name__ for cls in _node_classes() if not inspect.isabstract(cls) and _fields_in_source(cls) is None
    ]
    assert missing == []


def test_field_order_extraction_finds_the_fields_libcst_visits() -> None:
    """The field order is read from libcst's source with a regular expression. Were libcst to
    spell its `visit_*(self, "field", ...)` calls differently, the expression would find no
    field and `children()` would return nothing for every node: no crash, just rules that see
    an empty tree. Every `_visit_and_replace_children` that hands its visitor on must yield
    fields, and only fields the node class has."""
    import ast
    import dataclasses
    import inspect
    import textwrap
    from importlib.metadata import version

    from inngest_lint.semantic.traverse import _fields_in_source, _node_classes

    empty: list[str] = []
    unknown: list[str] = []
    for cls in dict.fromkeys(_node_classes()):
        if inspect.isabstract(cls):
            continue
        fields = _fields_in_source(cls) or ()
        method = ast.parse(textwrap.dedent(inspect.getsource(cls._visit_and_replace_children))).body[0]
        assert isinstance(method, ast.FunctionDef)
        visitor = method.args.args[1].arg  # (self, visitor)
        hands_on = any(isinstance(node, ast.Name) and node.id == visitor for node in ast.walk(method))
        if hands_on and not fields:
            empty.append(cls.__name__)
        own = {field.name for field in dataclasses.fields(cls)}
        unknown.extend(f"{cls.__name__}.{name}" for name in fields if name not in own)
    assert empty == [], (
        f"libcst {version('libcst')}: no child fields read from the source of {sorted(set(empty))}; "
        "traverse._VISITED_FIELD no longer matches libcst's visit helpers"
    )
    assert unknown == [], f"fields read from libcst's source that the node classes do not have: {unknown}"
