"""Small predicates shared by several rules (kept out of the rule files to avoid repeating them)."""

from __future__ import annotations

import libcst as cst

from inngest_lint.semantic.names import names_in
from inngest_lint.semantic.traverse import children

#: Calls that build a string from their inputs without adding anything that varies by itself.
PURE_FUNCTIONS = frozenset({"str", "int", "float", "repr", "len", "abs", "round", "hex", "format"})
PURE_METHODS = frozenset(
    {
        "format",
        "join",
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "replace",
        "title",
        "casefold",
        "removeprefix",
        "removesuffix",
        "zfill",
        "isoformat",
        "hex",
        "get",
    }
)


def has_opaque_call(node: cst.CSTNode) -> bool:
    """True if the expression calls something whose result may differ per call."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            func = current.func
            if isinstance(func, cst.Name) and func.value not in PURE_FUNCTIONS:
                return True
            if isinstance(func, cst.Attribute) and func.attr.value not in PURE_METHODS:
                return True
            if not isinstance(func, (cst.Name, cst.Attribute)):
                return True
        stack.extend(children(current))
    return False


def uses_any(node: cst.CSTNode, names: set[str] | frozenset[str]) -> bool:
    return bool(names_in(node) & names)


def _terminates(statement: cst.CSTNode, loop_exit_only: bool) -> bool:
    if isinstance(statement, cst.SimpleStatementLine) and statement.body:
        last = statement.body[-1]
        if isinstance(last, (cst.Return, cst.Raise)):
            return True
        if isinstance(last, cst.Break) and loop_exit_only:
            return True
    return False


#: Nodes whose blocks belong to another loop or scope: a `break` in them is not this loop's.
_OWN_BLOCKS_END = (cst.For, cst.While, cst.FunctionDef, cst.Lambda, cst.ClassDef)


def calls_run_once_per_loop(loop: cst.CSTNode) -> set[int]:
    """ids of Call nodes in a loop body that run at most once because a `break`, `return` or
    `raise` follows them in the same block (e.g. "find the first match, step, break").

    One pass over the loop body with an explicit stack: callers ask once per loop (a recursive
    generator per level cost depth x size, and asking per step call made a loop of n steps n^2).
    """
    once: set[int] = set()
    body = getattr(loop, "body", None)
    if body is None:
        return once
    blocks: list[list[cst.CSTNode]] = []
    pending: list[cst.CSTNode] = [body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.IndentedBlock):
            blocks.append(list(node.body))
        pending.extend(child for child in children(node) if not isinstance(child, _OWN_BLOCKS_END))
    for statements in blocks:
        for position, statement in enumerate(statements):
            if _terminates(statement, loop_exit_only=True):
                for earlier in statements[: position + 1]:
                    stack: list[cst.CSTNode] = [earlier]
                    while stack:
                        current = stack.pop()
                        if isinstance(current, (cst.For, cst.While, cst.FunctionDef, cst.ClassDef)):
                            continue
                        if isinstance(current, cst.Call):
                            once.add(id(current))
                        stack.extend(children(current))
                break
    return once


def loop_target_hint(loop: cst.CSTNode) -> str:
    """A short suggestion of a per-item key for the loop's message."""
    if isinstance(loop, cst.For) and isinstance(loop.target, cst.Name):
        return loop.target.value
    if isinstance(loop, cst.For) and isinstance(loop.target, cst.Tuple) and loop.target.elements:
        last = loop.target.elements[-1].value
        if isinstance(last, cst.Name):
            return last.value
    comp = getattr(loop, "for_in", None)
    if isinstance(comp, cst.CompFor) and isinstance(comp.target, cst.Name):
        return comp.target.value
    return "item"
