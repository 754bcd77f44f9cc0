"""What a def or lambda returns that is, or may be, unbounded: a whole table, file, frame or
response, or a call or attribute that INN501's settings may name.

The fact collector records it for every step handler, Inngest function and module-level def, so
that INN501 can follow a handler imported from another module. The facts say what the code is
(`ReturnedValue`: a kind, the method or attribute, the code); the rule judges, with its settings
and its wording. A bound anywhere along a method chain (`.first()`, `.limit(n)`, `[:n]`) makes
the value bounded. Whether an object is an HTTP response is `Origins.is_http_response`'s call,
the same judgement INN502 makes.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from inngest_lint.facts.model import ReturnedValue
from inngest_lint.semantic.context import FileContext, snippet
from inngest_lint.semantic.replay import Origins
from inngest_lint.semantic.values import local_binding, returned_statements

_MAX_DEPTH = 8

#: Attributes that hold a whole HTTP response body.
_BODY_ATTRIBUTES = frozenset({"content", "text"})
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


def _returned(
    context: FileContext, origins: Origins, node: cst.BaseExpression, depth: int, wrapped: int
) -> Iterator[tuple[str, str, cst.CSTNode, int]]:
    """(kind, name, node, comprehensions) for each part of a returned expression that is or may
    be unbounded, in the order a reader meets them (see `RETURN_KINDS`).

    Containers are looked into (every item, in order), comprehensions through their iterable,
    a local name through the one value it holds. A bound anywhere along a call chain
    (`.first()`, `.limit(n)`, `[:n]`) makes the call bounded: it records nothing.
    """
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, cst.Await):
        yield from _returned(context, origins, node.expression, depth + 1, wrapped)
        return
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        yield from _returned(context, origins, node.for_in.iter, depth + 1, wrapped + 1)
        return
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                yield from _returned(context, origins, element.value, depth + 1, wrapped)
        return
    if isinstance(node, (cst.List, cst.Tuple)):
        for item in node.elements:
            yield from _returned(context, origins, item.value, depth + 1, wrapped)
        return
    if isinstance(node, cst.Name):
        local = local_binding(context, node.value)
        if isinstance(local, cst.BaseExpression):
            yield from _returned(context, origins, local, depth + 1, wrapped)
        return
    if isinstance(node, cst.Attribute):
        attribute = node.attr.value
        body = attribute in _BODY_ATTRIBUTES and origins.is_http_response(node.value) is not None
        yield ("response-body" if body else "attribute"), attribute, node, wrapped
        return
    if not isinstance(node, cst.Call):
        return
    for link in _call_chain(node):
        if isinstance(link, cst.Subscript):
            return
        if isinstance(link.func, cst.Attribute) and link.func.attr.value in _BOUNDING_METHODS:
            return
    func = node.func
    qualified = context.qualify(func) if isinstance(func, (cst.Name, cst.Attribute)) else None
    if qualified and qualified.startswith("pandas.read_"):
        yield "data-frame", "", node, wrapped
        return
    if isinstance(func, cst.Name) and func.value in ("list", "tuple", "set", "sorted") and node.args:
        yield from _returned(context, origins, node.args[0].value, depth + 1, wrapped)
        if _looks_like_queryset(node.args[0].value):
            yield "query-set", "", node, wrapped
        return
    if isinstance(func, cst.Name):
        # A plain function call (`load_all()`): unbounded only when large-return-calls names it.
        yield "function-call", func.value, node, wrapped
        return
    if not isinstance(func, cst.Attribute):
        return
    method = func.attr.value
    if method == "all" and not node.args:
        kind = "all-rows"
    elif method == "filter" and _looks_like_queryset(func.value):
        kind = "filtered-query-set"
    elif method == "find" and (not node.args or isinstance(node.args[0].value, cst.Dict)):
        kind = "cursor"
    elif method == "read" and not node.args:
        kind = "file-read"
    else:
        kind = "call"
    yield kind, method, node, wrapped


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


def returned_values_of(context: FileContext, node: cst.FunctionDef | cst.Lambda) -> tuple[ReturnedValue, ...]:
    """What `node` returns that is or may be unbounded: its return statements in order (not
    those of nested defs or lambdas), a lambda's body."""
    origins = Origins(context)
    if isinstance(node, cst.Lambda):
        returned: list[tuple[cst.CSTNode, cst.CSTNode | None, cst.BaseExpression]] = [(node.body, None, node.body)]
    else:
        returned = [
            (statement, line, statement.value)
            for statement, line in returned_statements(node.body)
            if statement.value is not None
        ]
    found: list[ReturnedValue] = []
    for anchor, line, value in returned:
        parts = list(_returned(context, origins, value, 0, 0))
        if not parts:
            continue
        location = context.location(anchor) if line is None else context.location_in(anchor, line)
        for kind, name, part, wrapped in parts:
            qualified = ""
            if kind in ("call", "function-call") and isinstance(part, cst.Call):
                qualified = context.qualify(part.func) or "" if isinstance(part.func, (cst.Name, cst.Attribute)) else ""
            found.append(ReturnedValue(kind, name, snippet(context, part, None), location, wrapped, qualified))
    return tuple(found)
