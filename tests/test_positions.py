"""Ranges computed piece by piece against libcst's PositionProvider, node for node."""

from __future__ import annotations

import libcst as cst
import pytest
from layout_samples import all_sources  # tests/ is on sys.path under pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from inngest_lint.semantic.positions import PIECE_TYPES, PositionResolver, Range
from inngest_lint.semantic.traverse import children, walk

SOURCES = all_sources()
#: Samples whose ranges cannot come from pieces: `ast` or the text disagrees with libcst.
#: (Comments alone are module layout, in no piece.)
WHOLE_MODULE_SAMPLES = {"sample:newer_syntax", "sample:only_comments"}


def _needs_the_whole_module(name: str, module: cst.Module) -> bool:
    """The samples above, and a file that opens with comment or blank lines (a coding cookie,
    a licence): those lines are module layout too, and these tests ask about every node."""
    return name in WHOLE_MODULE_SAMPLES or bool(module.header)


def _expected(module: cst.Module) -> dict[int, Range]:
    ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {
        id(node): Range(found.start.line, found.start.column, found.end.line, found.end.column)
        for node, found in ranges.items()
    }


def _walk_like_the_linter(module: cst.Module, resolver: PositionResolver, on_enter=None) -> list[cst.CSTNode]:  # type: ignore[no-untyped-def]
    """Fill in the resolver's owners as FileContext.enter/leave do; return the nodes met."""
    met: list[cst.CSTNode] = []

    def enter(node: cst.CSTNode) -> None:
        resolver.owners[id(node)] = resolver.pieces[-1]
        if node.__class__ in PIECE_TYPES:
            resolver.pieces.append(node)
        met.append(node)
        if on_enter is not None:
            on_enter(node)

    def leave(node: cst.CSTNode) -> None:
        if node.__class__ in PIECE_TYPES:
            resolver.pieces.pop()

    walk(module, enter, leave)
    return met


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_ranges_after_the_walk(name: str) -> None:
    """Requests after the walk (a rule's finish): every node the walk met, module excluded."""
    source = SOURCES[name]
    module = cst.parse_module(source)
    expected = _expected(module)
    resolver = PositionResolver(module, source)
    met = _walk_like_the_linter(module, resolver)
    for node in met[1:]:
        if id(node) in expected:  # whitespace the code generator skips has no range at all
            assert resolver.range(node) == expected[id(node)], (type(node).__name__, name)
    assert resolver._whole_module == _needs_the_whole_module(name, module)  # noqa: SLF001


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_ranges_during_the_walk(name: str) -> None:
    """Requests while visiting: the node itself, and its children the walk has not reached."""
    source = SOURCES[name]
    module = cst.parse_module(source)
    expected = _expected(module)
    resolver = PositionResolver(module, source)
    checked: list[str] = []

    def on_enter(node: cst.CSTNode) -> None:
        if node is module:
            return
        for asked in (node, *children(node)):
            if id(asked) not in expected:
                continue
            assert resolver.range(asked) == expected[id(asked)], (type(asked).__name__, name)
            checked.append(type(asked).__name__)

    _walk_like_the_linter(module, resolver, on_enter)
    assert resolver._whole_module == _needs_the_whole_module(name, module)  # noqa: SLF001
    assert checked or not module.body


def test_a_node_from_a_later_statement_is_found() -> None:
    """A rule may look ahead (a module constant defined further down): the module answers."""
    source = "def f():\n    return LIMIT\n\nLIMIT = 5\n"
    module = cst.parse_module(source)
    expected = _expected(module)
    later = module.body[1].body[0].value  # type: ignore[attr-defined]
    resolver = PositionResolver(module, source)

    def on_enter(node: cst.CSTNode) -> None:
        if isinstance(node, cst.Return):
            assert resolver.range(later) == expected[id(later)]

    _walk_like_the_linter(module, resolver, on_enter)


def test_the_module_itself() -> None:
    source = "x = 1\n"
    module = cst.parse_module(source)
    assert PositionResolver(module, source).range(module) == _expected(module)[id(module)]


def test_only_the_pieces_asked_about_are_generated() -> None:
    """The point of pieces: asking about one call in one function leaves the rest alone."""
    body = "".join(f"def f{index}():\n    return g({index})\n\n" for index in range(50))
    module = cst.parse_module(body)
    resolver = PositionResolver(module, body)
    _walk_like_the_linter(module, resolver)
    call = module.body[7].body.body[0].body[0].value  # type: ignore[attr-defined]
    assert resolver.range(call) == Range(23, 11, 23, 15)
    generated = resolver._ranges  # noqa: SLF001
    assert not resolver._whole_module  # noqa: SLF001
    assert id(module.body[6]) not in generated and id(module.body[8].body) not in generated  # type: ignore[attr-defined]
