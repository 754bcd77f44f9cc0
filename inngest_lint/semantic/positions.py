"""Line and column ranges of nodes: the ranges libcst's PositionProvider gives, computed only for
the statements that hold a node someone asked about.

PositionProvider generates the code of the whole module while recording where every node starts
and ends, then copies every range into metadata with a second, batched visit: on the
benchmark's 401 parsed files that cost about 10 s, twice the parse. Yet a file needs the ranges
of a dozen names and calls, about 4% of its code.

So ranges are computed per *piece*: a simple statement line, or the header of a compound
statement or clause (`def ...:`, `except ...:`, `case ...:`; its body is left out; `match` and
`try` with `except*` are generated whole). A piece's
code is generated on its own, from its first line and with the indentation of its block, which
gives the same ranges as the whole module would. The first lines come from Python's own parser
(`ast`, a tenth of libcst's parse): libcst's statements and ast's statements are matched in
order, block by block. Every piece is checked against the source text before its ranges are
trusted; if the text differs, if ast and libcst disagree on the structure, or if a node cannot
be placed in a piece, the whole module's ranges are generated instead, as before.

The walker tells the resolver which piece each node it passes lies in (`owners`). A request for
a node the walk has not reached yet (a rule looking at a child of the node it visits) searches
the current piece, nested pieces last.

`tests/test_positions.py` compares these ranges with PositionProvider's for every node of every
fixture and of generated edge cases.
"""

from __future__ import annotations

import ast
import copy
import re
from collections import deque
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

import libcst as cst
from libcst._nodes.internal import CodegenState

from inngest_lint.semantic.traverse import children


class Range(NamedTuple):
    """A node's range: 1-based lines, 0-based columns (libcst's convention); end exclusive."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int


#: Nodes whose code starts on a line of its own: the units ranges are computed in.
PIECE_TYPES: frozenset[type] = frozenset(
    {
        cst.SimpleStatementLine,
        cst.FunctionDef,
        cst.ClassDef,
        cst.If,
        cst.For,
        cst.While,
        cst.With,
        cst.Try,
        cst.TryStar,
        cst.Match,
        cst.MatchCase,
        cst.ExceptHandler,
        cst.ExceptStarHandler,
        cst.Else,
        cst.Finally,
    }
)

#: Fields that hold the statements after a compound header (left out of the header's code).
_CLAUSE_FIELDS: dict[type, tuple[str, ...]] = {
    cst.If: ("orelse",),
    cst.For: ("orelse",),
    cst.While: ("orelse",),
    cst.Try: ("handlers", "orelse", "finalbody"),
    cst.TryStar: ("handlers", "orelse", "finalbody"),
}
_EMPTY_CLAUSE: dict[str, Any] = {"orelse": None, "finalbody": None, "handlers": ()}

_NEWLINE = re.compile(r"\r\n?|\n")


class _SyntacticPosition:
    """`record_syntactic_position`: the node's range, narrowed to given start and end nodes."""

    __slots__ = ("state", "node", "start_node", "end_node", "line", "column")

    def __init__(self, state: _RangeRecorder, node: cst.CSTNode, start_node: Any, end_node: Any) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node
        self.line = state.line
        self.column = state.column

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> Literal[False]:
        state = self.state
        ranges = state.ranges
        if self.start_node is not None:
            start_line, start_column = ranges[id(self.start_node)][:2]
        else:
            start_line, start_column = self.line, self.column
        if self.end_node is not None:
            end_line, end_column = ranges[id(self.end_node)][2:]
        else:
            end_line, end_column = state.line, state.column
        ranges[id(self.node)] = Range(start_line, start_column, end_line, end_column)
        return False


class _RangeRecorder(CodegenState):
    """A code generator that records ranges (PositionProvidingCodegenState's rules, lighter).

    Tuples instead of CodePosition objects, node ids instead of node hashing, a plain context
    manager instead of a generator-based one, and no regular expression for a token without a
    line break: about a third of PositionProvider's cost for the same ranges.
    """

    def __init__(
        self, module: cst.Module, line: int = 1, indent_tokens: Sequence[str] = (), stop: cst.CSTNode | None = None
    ) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.indent_tokens = list(indent_tokens)
        self.line = line
        self.column = 0
        self.starts: list[tuple[int, int]] = []
        self.ranges: dict[int, Range] = {}
        self.stop = stop
        self.stopped_at: int | None = None  # how many tokens came before `stop`

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)  # Module's code generator looks at how many there are
        if "\n" in value or "\r" in value:
            lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            self.line += len(lines) - 1
            self.column = len(lines[-1])
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if node is self.stop:
            self.stopped_at = len(self.tokens)
        self.starts.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start_line, start_column = self.starts.pop()
        key = id(node)
        if key not in self.ranges:  # a syntactic range recorded inside wins
            self.ranges[key] = Range(start_line, start_column, self.line, self.column)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _SyntacticPosition:
        return _SyntacticPosition(self, node, start_node, end_node)


def module_ranges(module: cst.Module) -> dict[int, Range]:
    """Every node's range in `module`, keyed by `id(node)` (valid while the tree is alive)."""
    recorder = _RangeRecorder(module)
    module._codegen(recorder)  # noqa: SLF001 - the code generator is the only source of positions
    return recorder.ranges


class _Mismatch(Exception):
    """libcst's and ast's statements do not line up."""


class _Anchors:
    """The first line of each piece and the indentation its code is generated with.

    libcst's statements are matched with ast's in order, block by block: a simple statement
    line holds as many ast statements as it has small statements, a compound statement is one.
    """

    def __init__(self, module: cst.Module, tree: ast.Module) -> None:
        self.default_indent = module.default_indent
        self.lines: dict[int, tuple[int, tuple[str, ...]]] = {}
        self.elifs: set[int] = set()  # `If` nodes written `elif` (their code generator is told so)
        self._block(module.body, tree.body, ())

    def _block(self, statements: Sequence[cst.CSTNode], nodes: list[ast.stmt], indents: tuple[str, ...]) -> None:
        index = 0
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                if index + len(statement.body) > len(nodes):
                    raise _Mismatch
                self.lines[id(statement)] = (nodes[index].lineno, indents)
                index += len(statement.body)
            else:
                if index >= len(nodes):
                    raise _Mismatch
                self._compound(statement, nodes[index], indents)
                index += 1
        if index != len(nodes):
            raise _Mismatch

    def _suite(self, suite: cst.BaseSuite, nodes: list[ast.stmt], indents: tuple[str, ...]) -> None:
        if isinstance(suite, cst.IndentedBlock):
            indent = self.default_indent if suite.indent is None else suite.indent
            self._block(suite.body, nodes, (*indents, indent))
        elif isinstance(suite, cst.SimpleStatementSuite):
            if len(suite.body) != len(nodes):
                raise _Mismatch
        else:
            raise _Mismatch

    def _clause(self, clause: cst.Else | cst.Finally | None, nodes: list[ast.stmt], indents: tuple[str, ...]) -> None:
        if clause is None:
            if nodes:
                raise _Mismatch
            return
        if not nodes:
            raise _Mismatch
        self._suite(clause.body, nodes, indents)
        if isinstance(clause.body, cst.SimpleStatementSuite):
            # `else: x` - the only line ast knows is the one its statements are on.
            self.lines[id(clause)] = (nodes[0].lineno, indents)
        elif isinstance(clause.body, cst.IndentedBlock):
            # ast has no line for `else:` itself: it is the line before the first statement's.
            first = clause.body.body[0]
            first_line = self.lines[id(first)][0] - len(getattr(first, "leading_lines", ()))
            self.lines[id(clause)] = (first_line - 1, indents)

    def _compound(self, statement: cst.CSTNode, node: ast.stmt, indents: tuple[str, ...]) -> None:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                raise _Mismatch
            if isinstance(statement, cst.ClassDef) != isinstance(node, ast.ClassDef):
                raise _Mismatch
            if len(statement.decorators) != len(node.decorator_list):
                raise _Mismatch
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            self.lines[id(statement)] = (first, indents)
            self._suite(statement.body, node.body, indents)
            return
        self.lines[id(statement)] = (node.lineno, indents)
        if isinstance(statement, cst.If) and isinstance(node, ast.If):
            self._suite(statement.body, node.body, indents)
            if isinstance(statement.orelse, cst.If):
                if len(node.orelse) != 1:
                    raise _Mismatch
                self.elifs.add(id(statement.orelse))
                self._compound(statement.orelse, node.orelse[0], indents)
            else:
                self._clause(statement.orelse, node.orelse, indents)
        elif isinstance(statement, (cst.For, cst.While)) and isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            if isinstance(statement, cst.While) != isinstance(node, ast.While):
                raise _Mismatch
            self._suite(statement.body, node.body, indents)
            self._clause(statement.orelse, node.orelse, indents)
        elif isinstance(statement, cst.With) and isinstance(node, (ast.With, ast.AsyncWith)):
            self._suite(statement.body, node.body, indents)
        elif isinstance(statement, (cst.Try, cst.TryStar)) and isinstance(node, _AST_TRY_TYPES):
            if isinstance(statement, cst.TryStar) != (type(node).__name__ == "TryStar"):
                raise _Mismatch
            self._suite(statement.body, node.body, indents)
            if len(statement.handlers) != len(node.handlers):
                raise _Mismatch
            handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler] = statement.handlers
            for handler, handler_node in zip(handlers, node.handlers):
                self.lines[id(handler)] = (handler_node.lineno, indents)
                self._suite(handler.body, handler_node.body, indents)
            self._clause(statement.orelse, node.orelse, indents)
            self._clause(statement.finalbody, node.finalbody, indents)
        elif isinstance(statement, cst.Match) and type(node).__name__ == "Match":
            cases = node.cases  # type: ignore[attr-defined]
            if len(statement.cases) != len(cases):
                raise _Mismatch
            indent = self.default_indent if statement.indent is None else statement.indent
            for case, case_node in zip(statement.cases, cases):
                self.lines[id(case)] = (case_node.pattern.lineno, (*indents, indent))
                self._suite(case.body, case_node.body, (*indents, indent))
        else:
            raise _Mismatch


#: `ast.Try` and, from Python 3.11, `ast.TryStar` (same fields; typed as the one 3.10 has).
_AST_TRY_TYPES: tuple[type[ast.Try], ...] = tuple(
    kind for kind in (getattr(ast, "Try", None), getattr(ast, "TryStar", None)) if kind is not None
)


class PositionResolver:
    """Ranges of the nodes of one module, computed piece by piece as they are asked for.

    `owners` (node id -> the piece it lies in) and `pieces` (the pieces being walked, the
    module at the bottom) are filled in by the walker as it enters and leaves nodes.
    """

    def __init__(self, module: cst.Module, source: str) -> None:
        self._module = module
        self._source = source
        self._ranges: dict[int, Range] = {}
        self._whole_module = False
        self._anchors: _Anchors | None = None
        self._anchoring_failed = False
        self._line_starts: list[int] | None = None
        self._generated: set[int] = set()  # pieces (and whole pieces) already generated
        self._nested: dict[int, list[cst.CSTNode]] = {}  # searched piece -> the pieces inside it
        self._frontiers: dict[int, deque[cst.CSTNode]] = {}  # start piece -> pieces left to search
        self.owners: dict[int, cst.CSTNode] = {}
        self.pieces: list[cst.CSTNode] = [module]

    def range(self, node: cst.CSTNode) -> Range:
        key = id(node)
        found = self._ranges.get(key)
        if found is None:
            if not self._whole_module:
                self._place(node)
            found = self._ranges.get(key)
            if found is None:
                self._generate_module()
                found = self._ranges[key]
        return found

    # ------------------------------------------------------------------ pieces
    def _place(self, node: cst.CSTNode) -> None:
        """Generate the ranges of the piece `node` lies in, when it can be placed in one."""
        if node.__class__ in PIECE_TYPES:
            self._generate(node, whole=True)
            return
        owner = self.owners.get(id(node))
        if owner is None:
            owner = self._search(node)
        if owner is None or owner is self._module:
            return
        # A node of a compound statement outside its header (its body block) needs all of it.
        if self._generate(owner, whole=False) and id(node) not in self._ranges:
            self._generate(owner, whole=True)

    def _search(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The piece holding a node the walk has not reached yet: look in the current piece,
        its own nodes first, then the pieces nested in it, level by level.

        Every node a search passes is recorded in `owners`, so a node in a piece already
        searched is found there and never searched for. The breadth-first queue of each starting
        piece is kept between searches and resumed: restarting it from the top went through
        every nested piece again, which made a rule that reports n nodes ahead of the walk (one
        per statement of a long function) cost n^2.
        """
        start = self.pieces[-1]
        if start is self._module:
            return None
        target = id(node)
        owners = self.owners
        levels = self._frontiers.get(id(start))
        if levels is None:
            levels = self._frontiers[id(start)] = deque([start])
        while levels:
            piece = levels[0]
            nested = self._nested.get(id(piece))
            if nested is None:
                nested = []
                stack = children(piece)
                stack.reverse()
                found = False
                while stack:
                    current = stack.pop()
                    owners[id(current)] = piece
                    if id(current) == target:
                        found = True
                    if current.__class__ in PIECE_TYPES:
                        nested.append(current)
                        continue
                    more = children(current)
                    more.reverse()
                    stack.extend(more)
                self._nested[id(piece)] = nested  # this level holds no other node: never again
                if found:
                    return piece  # left at the front of the queue: its nested pieces come next
            levels.popleft()
            levels.extend(nested)
        return None

    def _generate(self, piece: cst.CSTNode, *, whole: bool) -> bool:
        key = (id(piece) << 1) | whole
        if key in self._generated:
            return True
        anchors = self._anchor_lines()
        if anchors is None:
            return False
        anchor = anchors.lines.get(id(piece))
        if anchor is None:
            return False
        own_line, indents = anchor
        first_line = own_line - len(getattr(piece, "leading_lines", ()))
        subject, stop = (piece, None) if whole else _header(piece)
        recorder = _RangeRecorder(self._module, first_line, indents, stop)
        if id(piece) in anchors.elifs:
            subject._codegen(recorder, is_elif=True)  # noqa: SLF001
        else:
            subject._codegen(recorder)  # noqa: SLF001
        tokens = recorder.tokens if recorder.stopped_at is None else recorder.tokens[: recorder.stopped_at]
        if not self._matches_source(tokens, first_line):
            return False
        ranges = recorder.ranges
        # Keep the real nodes only: the stand-ins are about to be freed, and an id must not
        # outlive its node.
        if stop is not None:
            end_of_header = ranges[id(stop)][:2]
            ranges = {node_id: found for node_id, found in ranges.items() if found[:2] < end_of_header}
        if subject is not piece:
            ranges.pop(id(subject), None)
        self._ranges.update(ranges)
        self._generated.add(key)
        return True

    def _matches_source(self, tokens: list[str], first_line: int) -> bool:
        """Whether the generated code is the source's, from the start of `first_line`."""
        offset = self._offset(first_line)
        code = "".join(tokens)
        if self._source.startswith(code, offset):
            return True
        # The file's last line may lack the line break every statement's code ends with.
        last = tokens[-1] if tokens else ""
        return (
            last in ("\n", "\r\n", "\r")
            and offset + len(code) - len(last) == len(self._source)
            and self._source.startswith(code[: len(code) - len(last)], offset)
        )

    def _anchor_lines(self) -> _Anchors | None:
        if self._anchors is None and not self._anchoring_failed:
            try:
                self._anchors = _Anchors(self._module, ast.parse(self._source))
            except (_Mismatch, SyntaxError, ValueError, RecursionError, MemoryError, AttributeError):
                self._anchoring_failed = True  # a grammar this Python lacks, or a disagreement
        return self._anchors

    def _offset(self, line: int) -> int:
        if self._line_starts is None:
            self._line_starts = [0, 0] + [match.end() for match in _NEWLINE.finditer(self._source)]
        starts = self._line_starts
        return starts[line] if 0 < line < len(starts) else len(self._source) + 1

    def _generate_module(self) -> None:
        if not self._whole_module:
            self._ranges = module_ranges(self._module)
            self._whole_module = True


def _header(piece: cst.CSTNode) -> tuple[cst.CSTNode, cst.CSTNode | None]:
    """A stand-in for a piece's first line(s): its body replaced by a marker, clauses dropped.

    A shallow copy shares every header node with the original, so their ranges are the real
    ones; the code up to the marker is the header's code.
    """
    if isinstance(piece, (cst.SimpleStatementLine, cst.Match, cst.TryStar)):
        return piece, None  # `match` and `try`/`except*` code needs its clauses: generated whole (rare)
    stand_in = copy.copy(piece)
    for name in _CLAUSE_FIELDS.get(piece.__class__, ()):
        object.__setattr__(stand_in, name, _EMPTY_CLAUSE[name])
    stop: cst.CSTNode | None = None
    body = getattr(piece, "body", None)
    if isinstance(body, cst.IndentedBlock):
        stop = cst.SimpleStatementSuite(body=(cst.Pass(),))
        object.__setattr__(stand_in, "body", stop)
    return stand_in, stop
