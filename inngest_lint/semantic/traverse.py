"""A read-only traversal of libcst trees, several times cheaper than `CSTNode.visit`.

libcst's visitor API is built for transformers: `node.visit(visitor)` rebuilds every node it
passes (a new dataclass per node, validated in `__post_init__`), and `node.children` does the
same through a collecting visitor. On the benchmark's 401 parsed files a plain `CSTVisitor`
pass costs as much as the parse itself (5.4 s against 5.3 s); walking the same trees by reading
the fields costs 0.8 s, and 0.6 s when whitespace and punctuation are skipped.

The order in which children are read comes from libcst itself, once per node class: the field
names its `_visit_and_replace_children` passes to libcst's `visit_*` helpers, in the order the
method's source names them. That is the order libcst's visitors see children in, and it stays
right when libcst adds or reorders fields. (A class whose source cannot be read falls back to
libcst's `children`.) `tests/test_traverse.py` checks `children()` against `node.children` and
`walk()` against a libcst visitor over every fixture and layout sample.
"""

from __future__ import annotations

import dis
import linecache
import re
from collections.abc import Callable, Iterable
from typing import Any

import libcst as cst
from libcst import CSTNode

#: Nodes that hold only layout: whitespace, comments, brackets, separators and operator tokens.
#: None of them can contain a statement, an expression or a name.
_LAYOUT_BASES: tuple[type[CSTNode], ...] = (
    cst.BaseParenthesizableWhitespace,
    cst.EmptyLine,
    cst.TrailingWhitespace,
    cst.Newline,
    cst.Comment,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.Comma,
    cst.Semicolon,
    cst.Colon,
    cst.Dot,
    cst.AssignEqual,
    cst.BaseBinaryOp,
    cst.BaseBooleanOp,
    cst.BaseCompOp,
    cst.BaseUnaryOp,
    cst.BaseAugOp,
    cst.Asynchronous,
    cst.ImportStar,
    cst.ParamSlash,
    cst.ParamStar,
)

#: Layout nodes that can hold a comment (through parenthesized whitespace): walking any layout
#: node may reach one of these.
_WHITESPACE_BASES: tuple[type[CSTNode], ...] = (
    cst.BaseParenthesizableWhitespace,
    cst.EmptyLine,
    cst.TrailingWhitespace,
    cst.Newline,
    cst.Comment,
)


def _node_classes() -> list[type[CSTNode]]:
    pending: list[type[CSTNode]] = CSTNode.__subclasses__()
    found = list(pending)
    while pending:
        current = pending.pop()
        for subclass in current.__subclasses__():
            found.append(subclass)
            pending.append(subclass)
    return found


def layout_classes(wanted: Iterable[str] = ()) -> frozenset[type[CSTNode]]:
    """The layout classes a walk may skip when its visitors want the node types `wanted`.

    A visitor of a layout type itself keeps that type; a visitor of whitespace or comments
    keeps every layout type, since any of them can hold a comment.
    """
    wanted_names = set(wanted)
    # Through the MRO, not issubclass: libcst's bases are ABCs, and ABC subclass checks over
    # every node class cost a worker 15 ms on its first file.
    classes = [cls for cls in _node_classes() if any(base in cls.__mro__ for base in _LAYOUT_BASES)]
    if any(cls.__name__ in wanted_names and any(base in cls.__mro__ for base in _WHITESPACE_BASES) for cls in classes):
        return frozenset()
    return frozenset(cls for cls in classes if cls.__name__ not in wanted_names)


#: `visit_required(self, "field", ...)` and its siblings, as libcst's nodes call them.
_VISITED_FIELD = re.compile(r'visit_\w+\(\s*self\s*,\s*"(\w+)"')


def _fields_in_source(node_class: type[CSTNode]) -> tuple[str, ...] | None:
    """The fields `_visit_and_replace_children` visits, in the order its source names them.

    Read from the source rather than recorded from one node: a few classes visit a field only
    when it is set (an f-string expression's format spec), so one node may not show them all.
    None when libcst's source is not at hand.
    """
    code = getattr(node_class._visit_and_replace_children, "__code__", None)  # noqa: SLF001
    if code is None:
        return None
    lines = linecache.getlines(code.co_filename)
    start = code.co_firstlineno - 1
    if not 0 <= start < len(lines) or "_visit_and_replace_children" not in lines[start]:
        return None
    end = max((line for _, line in dis.findlinestarts(code) if line is not None), default=start + 1)
    return tuple(dict.fromkeys(_VISITED_FIELD.findall("".join(lines[start:end]))))


#: Node class -> names of its child fields in source order (None: use libcst's `children`).
_FIELD_ORDER: dict[type, tuple[str, ...] | None] = {}


def child_fields(node: CSTNode) -> tuple[str, ...] | None:
    """The names of the fields of `node` that hold child nodes, in source order."""
    node_class = node.__class__
    if node_class not in _FIELD_ORDER:
        _FIELD_ORDER[node_class] = _fields_in_source(node_class)
    return _FIELD_ORDER[node_class]


def children(node: CSTNode) -> list[CSTNode]:
    """The same list as `node.children`, without rebuilding the node."""
    fields = _FIELD_ORDER.get(node.__class__) or child_fields(node)
    if fields is None:
        return list(node.children)
    found: list[CSTNode] = []
    for name in fields:
        value = getattr(node, name)
        if isinstance(value, CSTNode):
            found.append(value)
        elif value.__class__ is tuple or value.__class__ is list:
            found.extend(value)
    return found


def walk(
    root: CSTNode,
    enter: Callable[[CSTNode], Any],
    leave: Callable[[CSTNode], Any],
    skip: frozenset[type] = frozenset(),
) -> None:
    """Call `enter` on each node in source order and `leave` after its children.

    Nodes whose class is in `skip` are not visited, nor is anything inside them. Recursion
    follows the tree's depth (one Python frame per level), so a pathological nesting raises
    RecursionError as libcst's own visitor would, only later.
    """
    orders = _FIELD_ORDER

    def visit(node: CSTNode) -> None:
        enter(node)
        fields = orders.get(node.__class__) or child_fields(node)
        if fields is None:
            for child in node.children:
                if child.__class__ not in skip:
                    visit(child)
            leave(node)
            return
        for name in fields:
            value = getattr(node, name)
            kind = value.__class__
            if kind is tuple or kind is list:
                for child in value:
                    if child.__class__ not in skip:
                        visit(child)
            elif kind not in skip and isinstance(value, CSTNode):
                visit(value)
        leave(node)

    visit(root)
