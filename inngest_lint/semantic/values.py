"""Turning expressions into facts: string refs, function lists, event data shapes, returns.

These helpers read the semantic model (`FileContext`) but never report; the fact collector and
file rules share them so that "what is this event name" has one answer in the whole linter.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Location
from inngest_lint.facts.model import UNKNOWN, DataShape, Ref, ReturnedCall
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.names import BindingScan, dotted_name, literal_string
from inngest_lint.semantic.traverse import children

_MAX_DEPTH = 8


def keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def positional(call: cst.Call, index: int) -> cst.BaseExpression | None:
    position = 0
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            continue
        if position == index:
            return arg.value
        position += 1
    return None


def argument(call: cst.Call, index: int, name: str) -> cst.BaseExpression | None:
    """An argument given by position `index` or keyword `name`."""
    value = keyword(call, name)
    return value if value is not None else positional(call, index)


def evaluate(context: FileContext, node: cst.BaseExpression, depth: int = 0) -> Ref:
    """What a string-ish expression is: a literal, a symbol to resolve later, or unknown."""
    if depth > _MAX_DEPTH:
        return UNKNOWN
    literal = literal_string(node)
    if literal is not None:
        return Ref.string(literal)
    if isinstance(node, cst.IfExp):
        return Ref.choice((evaluate(context, node.body, depth + 1), evaluate(context, node.orelse, depth + 1)))
    if isinstance(node, cst.Name):
        local = local_binding(context, node.value)
        if local == "param":
            return UNKNOWN
        if isinstance(local, cst.BaseExpression):
            return evaluate(context, local, depth + 1)
        qualified = context.qualify(node)
        return Ref.symbol(qualified, context.path) if qualified else UNKNOWN
    if isinstance(node, cst.Attribute):
        qualified = context.qualify(node)
        return Ref.symbol(qualified, context.path) if qualified else UNKNOWN
    return UNKNOWN


def local_binding(context: FileContext, name: str) -> cst.BaseExpression | str | None:
    """The value a function-local name holds, "param" for parameters, None if not local."""
    for frame in reversed(context.frames):
        if frame.kind == "class":
            continue
        if frame.kind == "module":
            return None
        if name in frame.params:
            return "param"
        if name in frame.scan.bound and name not in frame.scan.globals:
            value = context.local_value(name)
            return value if value is not None else "param"
    return None


def callable_ref(context: FileContext, node: cst.BaseExpression) -> Ref:
    """A reference to a function object (serve-list item, step handler, invoke target)."""
    if isinstance(node, (cst.Name, cst.Attribute)):
        if isinstance(node, cst.Name):
            local = local_binding(context, node.value)
            if local is not None:
                return UNKNOWN
        qualified = context.qualify(node)
        return Ref.symbol(qualified, context.path) if qualified else UNKNOWN
    return UNKNOWN


class ListParts:
    """Items, spread lists and completeness of a function list while it is being built."""

    def __init__(self) -> None:
        self.items: list[Ref] = []
        self.item_locations: list[Location] = []
        self.spreads: list[Ref] = []
        self.complete = True

    def add_item(self, ref: Ref, location: Location) -> None:
        if ref.kind == "unknown":
            self.complete = False
        else:
            self.items.append(ref)
            self.item_locations.append(location)

    def add_spread(self, ref: Ref) -> None:
        if ref.kind == "unknown":
            self.complete = False
        else:
            self.spreads.append(ref)


def evaluate_list(context: FileContext, node: cst.BaseExpression, parts: ListParts, depth: int = 0) -> None:
    """Describe a list of functions: literals, `a + b`, `[*a, b]`, `list(a)`, names, attributes."""
    if depth > _MAX_DEPTH:
        parts.complete = False
        return
    if isinstance(node, (cst.List, cst.Tuple)):
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                evaluate_list(context, element.value, parts, depth + 1)
            else:
                parts.add_item(callable_ref(context, element.value), context.location(element.value))
        return
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        evaluate_list(context, node.left, parts, depth + 1)
        evaluate_list(context, node.right, parts, depth + 1)
        return
    if isinstance(node, cst.Call) and dotted_name(node.func) in ("list", "tuple") and len(node.args) == 1:
        evaluate_list(context, node.args[0].value, parts, depth + 1)
        return
    if isinstance(node, cst.Name):
        local = local_binding(context, node.value)
        if local == "param":
            # A list bound in the function with several assignments or mutations: describe them.
            frame_scan = _binding_scan_for(context, node.value)
            if frame_scan is None:
                parts.complete = False
                return
            add_binding(context, frame_scan, node.value, parts, depth)
            return
        if isinstance(local, cst.BaseExpression):
            frame_scan = _binding_scan_for(context, node.value)
            evaluate_list(context, local, parts, depth + 1)
            if frame_scan is not None:
                add_mutations(context, frame_scan, node.value, parts, depth)
            return
    if isinstance(node, (cst.Name, cst.Attribute)):
        qualified = context.qualify(node)
        if qualified:
            parts.add_spread(Ref.symbol(qualified, context.path))
            return
    parts.complete = False


def _binding_scan_for(context: FileContext, name: str) -> BindingScan | None:
    for frame in reversed(context.frames):
        if frame.kind in ("class", "module"):
            continue
        if name in frame.params:
            return None
        if name in frame.scan.bound:
            return frame.scan
    return None


def add_binding(context: FileContext, scan: BindingScan, name: str, parts: ListParts, depth: int) -> None:
    """All assignments of `name` in a scope (union), plus its mutations."""
    values = scan.assignments.get(name, [])
    if not values or (name in scan.other and name not in scan.aug_assignments):
        parts.complete = False
        return
    for value in values:
        evaluate_list(context, value, parts, depth + 1)
    add_mutations(context, scan, name, parts, depth)


def add_mutations(context: FileContext, scan: BindingScan, name: str, parts: ListParts, depth: int) -> None:
    """`name.append(x)`, `name.extend(xs)`, `name += xs`, `name.insert(i, x)` in the same scope."""
    for call in scan.mutations.get(name, []):
        assert isinstance(call.func, cst.Attribute)
        method = call.func.attr.value
        if method == "append" and len(call.args) == 1:
            parts.add_item(callable_ref(context, call.args[0].value), context.location(call.args[0].value))
        elif method == "extend" and len(call.args) == 1:
            evaluate_list(context, call.args[0].value, parts, depth + 1)
        elif method == "insert" and len(call.args) == 2:
            parts.add_item(callable_ref(context, call.args[1].value), context.location(call.args[1].value))
        elif method in ("remove", "pop", "clear"):
            parts.complete = False
    for aug in scan.aug_assignments.get(name, []):
        if isinstance(aug.operator, cst.AddAssign):
            evaluate_list(context, aug.value, parts, depth + 1)
        else:
            parts.complete = False


# ---------------------------------------------------------------------------- event data
def value_type(node: cst.BaseExpression) -> str:
    """The CEL type of a literal value in event data; "unknown" for anything computed."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return "string" if not isinstance(node, cst.SimpleString) or "b" not in node.prefix.lower() else "unknown"
    if isinstance(node, (cst.Integer, cst.Float)):
        return "number"
    if isinstance(node, cst.UnaryOperation) and isinstance(node.expression, (cst.Integer, cst.Float)):
        return "number"
    if isinstance(node, cst.Name):
        if node.value in ("True", "False"):
            return "bool"
        if node.value == "None":
            return "null"
    if isinstance(node, (cst.List, cst.ListComp, cst.Tuple)):
        return "list"
    if isinstance(node, (cst.Dict, cst.DictComp)):
        return "map"
    if isinstance(node, cst.Call) and dotted_name(node.func) == "str":
        return "string"
    return "unknown"


def data_shape(context: FileContext, node: cst.BaseExpression | None, depth: int = 0) -> DataShape:
    if node is None:
        return DataShape(literal=True)
    if isinstance(node, cst.Name) and node.value == "None":
        return DataShape(literal=True)
    if isinstance(node, cst.Dict):
        keys: list[tuple[str, str]] = []
        literal = True
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = literal_string(element.key)
                if key is None:
                    literal = False
                    continue
                keys.append((key, value_type(element.value)))
            else:
                literal = False
        return DataShape(literal=literal, keys=tuple(keys))
    if (
        isinstance(node, cst.Call)
        and dotted_name(node.func) == "dict"
        and all(arg.keyword is not None for arg in node.args)
    ):
        return DataShape(
            literal=True,
            keys=tuple((arg.keyword.value, value_type(arg.value)) for arg in node.args if arg.keyword),
        )
    if isinstance(node, cst.Name) and depth < _MAX_DEPTH:
        local = local_binding(context, node.value)
        if isinstance(local, cst.BaseExpression):
            return data_shape(context, local, depth + 1)
    return DataShape(literal=False)


def returned_values(body: cst.CSTNode) -> Iterator[cst.Return]:
    """Return statements of a function body, not of nested functions or lambdas.

    Only statements are searched (a return cannot hide inside an expression), which keeps this
    cheap on long bodies.
    """
    for statement, _ in returned_statements(body):
        yield statement


def returned_statements(
    body: cst.CSTNode,
) -> Iterator[tuple[cst.Return, cst.SimpleStatementLine | cst.SimpleStatementSuite]]:
    """`returned_values`, each with the statement line (or one-line suite) that holds it."""
    stack: list[cst.CSTNode] = [body]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is cst.SimpleStatementLine or kind is cst.SimpleStatementSuite:
            for small in current.body:  # type: ignore[attr-defined]
                if type(small) is cst.Return:
                    yield small, current  # type: ignore[misc]
            continue
        if kind in _SCOPES:
            continue
        if kind is cst.IndentedBlock:
            stack.extend(current.body)  # type: ignore[attr-defined]
            continue
        for child in children(current):
            if type(child) not in _SKIP_IN_STATEMENTS:
                stack.append(child)


_SCOPES = frozenset({cst.FunctionDef, cst.ClassDef, cst.Lambda})
#: Expression-level children of compound statements: never hold a return.
_SKIP_IN_STATEMENTS = frozenset(
    {
        cst.Name,
        cst.Attribute,
        cst.Call,
        cst.Comparison,
        cst.BooleanOperation,
        cst.Subscript,
        cst.Tuple,
        cst.List,
        cst.Decorator,
        cst.Parameters,
        cst.Annotation,
        cst.Comment,
        cst.EmptyLine,
        cst.TrailingWhitespace,
        cst.SimpleWhitespace,
        cst.ParenthesizedWhitespace,
        cst.Newline,
    }
)


def returned_dict_keys(context: FileContext, node: cst.FunctionDef | cst.Lambda) -> tuple[str, ...] | None:
    """The keys of the dicts a function or lambda returns (all return statements together), when
    every one returns a literal dict with literal string keys; None otherwise (no return, a
    `return None`, a spread, a value built elsewhere)."""
    if isinstance(node, cst.Lambda):
        values: list[cst.BaseExpression | None] = [node.body]
    else:
        values = [statement.value for statement in returned_values(node.body)]
    if not values:
        return None
    keys: dict[str, None] = {}
    for value in values:
        if value is None or (isinstance(value, cst.Name) and value.value == "None"):
            return None
        shape = data_shape(context, value)
        if not shape.literal:
            return None
        keys.update(dict.fromkeys(shape.key_names()))
    return tuple(sorted(keys))


#: Methods that turn a model into plain data: `Page(...).model_dump()` returns what the model holds.
_DUMP_METHODS = frozenset({"model_dump", "model_dump_json", "dict", "json"})


def returned_calls_of(context: FileContext, node: cst.FunctionDef | cst.Lambda) -> tuple[ReturnedCall, ...]:
    """The calls of module-level names whose result a def or lambda returns (`return
    load(cursor)`), and those passed to a returned call (`Page(items=load(cursor))`, dumped or
    not), for phase 2 to follow: a step that returns another function's unbounded result."""
    if isinstance(node, cst.Lambda):
        values: list[cst.BaseExpression] = [node.body]
    else:
        values = [statement.value for statement in returned_values(node.body) if statement.value is not None]
    found: list[ReturnedCall] = []
    for value in values:
        call = _returned_call(value)
        if call is None:
            continue
        outer = _project_call(context, call)
        if outer is None:
            continue
        found.append(outer)
        for arg in call.args:
            inner_call = _returned_call(arg.value)
            inner = _project_call(context, inner_call) if inner_call is not None else None
            if inner is not None:
                found.append(ReturnedCall(inner.callee, inner.label, inner.location, outer.callee, outer.label))
    return tuple(found[:8])


def _returned_call(value: cst.BaseExpression) -> cst.Call | None:
    """`await x`, `x.model_dump()` -> the call `x` is."""
    while True:
        if isinstance(value, cst.Await):
            value = value.expression
            continue
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in _DUMP_METHODS
            and not value.args
            and isinstance(value.func.value, cst.Call)
        ):
            value = value.func.value
            continue
        return value if isinstance(value, cst.Call) else None


def _project_call(context: FileContext, call: cst.Call) -> ReturnedCall | None:
    func = call.func
    if not isinstance(func, (cst.Name, cst.Attribute)):
        return None
    callee = callable_ref(context, func)
    if callee.kind != "symbol" or callee.value.split(".", 1)[0] == sdk.PACKAGE:
        return None
    return ReturnedCall(callee, dotted_name(func) or "", context.location(call))


def is_sdk_event(context: FileContext, call: cst.Call) -> bool:
    return context.qualify(call.func) == sdk.EVENT_CLASS if isinstance(call.func, (cst.Name, cst.Attribute)) else False
