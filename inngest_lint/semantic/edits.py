"""Fixes as libcst edits: a rule names the node to replace and the node to put in its place.

An edit replaces exactly the code of one node of the tree the walker visits. The replaced span is
the node's range; its code is checked against the source before the edit is made (a node whose
range does not cover its whole code, such as a statement with comments above it, is rendered
from the whole module instead, and the changed text must stay inside the node's lines). The new
code is libcst's code for the new node, generated with the module's settings (its line ending and
indentation), so every byte outside the replaced node is the file's own.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint.diagnostics import SAFE, UNSAFE, Edit, Fix

if TYPE_CHECKING:
    from inngest_lint.semantic.positions import PositionResolver

_NEWLINE = re.compile(r"\r\n?|\n")

#: (the node to replace, the node to put in its place).
Replacement = tuple[cst.CSTNode, cst.CSTNode]


class EditMaker:
    """Builds `Edit`s for one file's tree and source."""

    def __init__(self, path: str, source: str, tree: cst.Module, positions: PositionResolver) -> None:
        self.path = path
        self.source = source
        self.tree = tree
        self.positions = positions
        self._line_starts: list[int] | None = None

    # ------------------------------------------------------------------ positions
    def offset(self, line: int, column: int) -> int:
        """The string index of a 1-based line and 0-based column."""
        if self._line_starts is None:
            self._line_starts = [0, 0] + [match.end() for match in _NEWLINE.finditer(self.source)]
        return self._line_starts[line] + column

    def position(self, offset: int) -> tuple[int, int]:
        """(1-based line, 1-based column) of a string index."""
        self.offset(1, 0)
        assert self._line_starts is not None
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line, offset - self._line_starts[line] + 1

    def _edit(self, start: int, end: int, replacement: str) -> Edit:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Edit(self.path, line, column, end_line, end_column, self.source[start:end], replacement)

    # ------------------------------------------------------------------ edits
    def replace(self, node: cst.CSTNode, new_node: cst.CSTNode) -> Edit | None:
        """The edit that puts `new_node` in the place of `node`, or None when it cannot be made
        without touching code outside `node`."""
        try:
            found = self.positions.range(node)
        except (KeyError, RecursionError):
            return None
        start = self.offset(found.start_line, found.start_column)
        end = self.offset(found.end_line, found.end_column)
        original = self.tree.code_for_node(node)
        if self.source[start:end] == original:
            return self._edit(start, end, self.tree.code_for_node(new_node))
        return self._replace_in_module(node, new_node, found.start_line, found.end_line)

    def _replace_in_module(
        self, node: cst.CSTNode, new_node: cst.CSTNode, first_line: int, last_line: int
    ) -> Edit | None:
        """The module's code with the node replaced, as the one span that differs; it must lie in
        the lines of the node (its comments above included)."""
        try:
            new_code = self.tree.deep_replace(node, new_node)
        except (RecursionError, ValueError):
            return None
        assert isinstance(new_code, cst.Module)
        code = new_code.code
        old = self.source
        prefix = 0
        limit = min(len(old), len(code))
        while prefix < limit and old[prefix] == code[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old[len(old) - 1 - suffix] == code[len(code) - 1 - suffix]:
            suffix += 1
        if prefix == len(old) == len(code):
            return None  # no change
        leading = len(getattr(node, "leading_lines", ()))
        low = self.offset(max(1, first_line - leading), 0)
        high_line = last_line + 1
        high = self.offset(high_line, 0) if high_line < len(self._line_starts or ()) else len(old)
        if prefix < low or len(old) - suffix > high:
            return None
        return self._edit(prefix, len(old) - suffix, code[prefix : len(code) - suffix])

    def insert_statement(self, statement: cst.SimpleStatementLine) -> Edit | None:
        """An edit adding a top-level statement (an import) after the module's docstring,
        `__future__` imports and leading imports, as isort would place it."""
        start = self.import_offset()
        if start is None:
            return None
        return self._insert(start, self.tree.code_for_node(statement))

    def import_offset(self) -> int | None:
        """Where a new top-level import goes: the start of the line after the docstring and the
        leading imports (after the comments the module starts with, such as a `coding:` cookie,
        when there are none); None when that cannot be told."""
        body = self.tree.body
        index = 0
        if body and _is_docstring(body[0]):
            index = 1
        while index < len(body) and _is_import_line(body[index]):
            index += 1
        if index == 0:
            header = "".join(self.tree.code_for_node(line) for line in self.tree.header)
            return len(header) if self.source.startswith(header) else None
        try:
            found = self.positions.range(body[index - 1])
        except (KeyError, RecursionError):
            return None
        next_line = found.end_line + 1
        return self.offset(next_line, 0) if next_line < self._line_count() else len(self.source)

    def import_line(self) -> int:
        """`import_offset` as a 1-based line, when it starts a line inside the file; else 0."""
        offset = self.import_offset()
        if offset is None or offset >= len(self.source):
            return 0
        line, column = self.position(offset)
        return line if column == 1 else 0

    def _insert(self, start: int, code: str) -> Edit:
        if start == len(self.source) and self.source and not self.source.endswith(("\n", "\r")):
            code = self.tree.default_newline + code
        return self._edit(start, start, code)

    def _line_count(self) -> int:
        self.offset(1, 0)
        return len(self._line_starts or ())

    def fix(
        self,
        description: str,
        replacements: Sequence[Replacement],
        *,
        safe: bool = True,
        statements: Sequence[cst.SimpleStatementLine] = (),
    ) -> Fix | None:
        """A fix of all `replacements` (and top-level `statements` to add), or None when any
        edit cannot be made."""
        edits: list[Edit] = []
        for node, new_node in replacements:
            edit = self.replace(node, new_node)
            if edit is None:
                return None
            edits.append(edit)
        for statement in statements:
            edit = self.insert_statement(statement)
            if edit is None:
                return None
            edits.append(edit)
        if not edits:
            return None
        return Fix(description, SAFE if safe else UNSAFE, tuple(edits))


def with_keyword_argument(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """`call` with `name=value` added after its last argument, in the layout of its arguments
    (one per line when they are; a trailing comma kept at the end)."""
    new = cst.Arg(
        value, keyword=cst.Name(name), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):  # a trailing comma: the new argument takes it
        between = args[-2].comma if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma) else None
        separator = cst.Comma(
            whitespace_after=between.whitespace_after if between else _opening(call.whitespace_before_args)
        )
        args[-1] = last.with_changes(comma=separator)
        new = new.with_changes(comma=last.comma)
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return call.with_changes(args=[*args, new])


def with_list_element(display: cst.List, value: cst.BaseExpression) -> cst.List:
    """`display` with `value` added at the end, in the layout of its elements (as
    `with_keyword_argument`)."""
    elements = list(display.elements)
    new = cst.Element(value)
    if not elements:
        return display.with_changes(elements=[new])
    last = elements[-1]
    if isinstance(last.comma, cst.Comma):
        between = elements[-2].comma if len(elements) >= 2 and isinstance(elements[-2].comma, cst.Comma) else None
        separator = cst.Comma(
            whitespace_after=between.whitespace_after if between else _opening(display.lbracket.whitespace_after)
        )
        elements[-1] = last.with_changes(comma=separator)
        new = new.with_changes(comma=last.comma)
    else:
        elements[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return display.with_changes(elements=[*elements, new])


def _opening(whitespace: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """What goes between two items of a bracket whose first item follows `whitespace`: the same
    line break and indentation when the items are one per line, else a space."""
    return whitespace if isinstance(whitespace, cst.ParenthesizedWhitespace) else cst.SimpleWhitespace(" ")


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )
