"""What a def or lambda returns that is likely unbounded: a whole table, file, frame or response.

The fact collector applies it to every step handler, Inngest function and module-level def, so
that INN501 can follow a handler imported from another module. A bound anywhere along a method
chain (`.first()`, `.limit(n)`, `[:n]`) makes the value bounded. Whether an object is an HTTP
response is `Origins.is_http_response`'s call, the same judgement INN502 makes.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from inngest_lint.facts.model import LargeReturn
from inngest_lint.semantic.context import FileContext, snippet
from inngest_lint.semantic.replay import Origins
from inngest_lint.semantic.values import local_binding, returned_values

_MAX_DEPTH = 8

_DEFAULT_LARGE_METHODS = frozenset(
    {"fetchall", "get_all", "find_all", "scan", "readlines", "read_text", "read_bytes", "iter_all", "list_all"}
)
_BOUNDING_METHODS = frozenset(
    {
        "first",
        "one",
        "one_or_none",
        "scalar",
        "scalar_one",
        "fetchone",
        "fetchmany",
        "limit",
        "head",
        "get",
        "count",
        "exists",
        "last",
        "latest",
        "earliest",
        "aggregate",
    }
)


def _call_chain(node: cst.BaseExpression) -> Iterator[cst.Call | cst.Subscript]:
    """The calls and subscripts along a method chain, outermost first."""
    while True:
        if isinstance(node, cst.Await):
            node = node.expression
            continue
        if isinstance(node, cst.Call):
            yield node
            node = node.func.value if isinstance(node.func, cst.Attribute) else node.func
            continue
        if isinstance(node, cst.Subscript):
            yield node
            node = node.value
            continue
        if isinstance(node, cst.Attribute):
            node = node.value
            continue
        return


def large_reason(context: FileContext, node: cst.BaseExpression, depth: int = 0) -> str | None:
    """Why a returned expression is likely unbounded, or None.

    A bound anywhere along the chain (`.first()`, `.limit(n)`, `[:n]`) makes it bounded.
    """
    if depth > _MAX_DEPTH:
        return None
    settings = context.settings
    large_methods = _DEFAULT_LARGE_METHODS | set(settings.large_return_calls)
    if isinstance(node, cst.Await):
        return large_reason(context, node.expression, depth + 1)
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        inner = large_reason(context, node.for_in.iter, depth + 1)
        return f"a comprehension over {inner}" if inner else None
    if isinstance(node, (cst.Dict,)):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                inner = large_reason(context, element.value, depth + 1)
                if inner:
                    return inner
        return None
    if isinstance(node, (cst.List, cst.Tuple)):
        for element in node.elements:
            inner = large_reason(context, element.value, depth + 1)
            if inner:
                return inner
        return None
    if isinstance(node, cst.Name):
        local = local_binding(context, node.value)
        if isinstance(local, cst.BaseExpression):
            return large_reason(context, local, depth + 1)
        return None
    if isinstance(node, cst.Attribute):
        attribute = node.attr.value
        if attribute in ("content", "text") or attribute in settings.large_return_attributes:
            if (
                attribute in settings.large_return_attributes
                or Origins(context).is_http_response(node.value) is not None
            ):
                return f"`{snippet(context, node, 60)}` (a whole response body)"
        return None
    if not isinstance(node, cst.Call):
        return None
    chain = list(_call_chain(node))
    for link in chain:
        if isinstance(link, cst.Subscript):
            return None
        if isinstance(link.func, cst.Attribute) and link.func.attr.value in _BOUNDING_METHODS:
            return None
    func = node.func
    qualified = context.qualify(func) if isinstance(func, (cst.Name, cst.Attribute)) else None
    if qualified and qualified.startswith("pandas.read_"):
        return f"`{snippet(context, node, 60)}` (a whole data frame)"
    if isinstance(func, cst.Name) and func.value in ("list", "tuple", "set", "sorted") and node.args:
        inner = large_reason(context, node.args[0].value, depth + 1)
        if inner:
            return inner
        argument_node = node.args[0].value
        if _looks_like_queryset(argument_node):
            return f"`{snippet(context, node, 60)}` (a whole query set)"
        return None
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    if method in large_methods:
        return f"`{snippet(context, node, 60)}`"
    if method == "all" and not node.args:
        return f"`{snippet(context, node, 60)}` (every row)"
    if method == "filter" and _looks_like_queryset(func.value):
        return f"`{snippet(context, node, 60)}` (an unbounded query set)"
    if method == "find" and (not node.args or isinstance(node.args[0].value, cst.Dict)):
        return f"`{snippet(context, node, 60)}` (an unbounded cursor)"
    if method == "read" and not node.args:
        return f"`{snippet(context, node, 60)}` (a whole file or body)"
    return None


def _looks_like_queryset(node: cst.BaseExpression) -> bool:
    """`Model.objects...` or a `.filter(...)`/`.all()`/`.exclude(...)` chain on it."""
    current = node
    while True:
        if isinstance(current, cst.Call):
            current = current.func
        elif isinstance(current, cst.Attribute):
            if current.attr.value == "objects":
                return True
            current = current.value
        else:
            return False


def large_returns_of(context: FileContext, node: cst.FunctionDef | cst.Lambda) -> tuple[LargeReturn, ...]:
    found: list[LargeReturn] = []
    if isinstance(node, cst.Lambda):
        reason = large_reason(context, node.body)
        if reason:
            found.append(LargeReturn(reason, context.location(node.body)))
        return tuple(found)
    for statement in returned_values(node.body):
        if statement.value is None:
            continue
        reason = large_reason(context, statement.value)
        if reason:
            found.append(LargeReturn(reason, context.location(statement)))
    return tuple(found)
