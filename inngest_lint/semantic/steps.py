"""Predicates shared by the step rules (INN103-INN116, INN607): how a step call is used.

The semantic model (`FileContext.step_method`) says *whether* a call is a step call. The step
rules also need to know whether the step object is the async `Step` or the blocking `StepSync`,
what the call's value flows into (awaited, returned, discarded), which function a `step.run`
handler names, and a short label for messages. Those answers live here so every step rule gives
the same one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.traverse import children
from inngest_lint.semantic.values import argument

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext, Frame

ASYNC = "async"
SYNC = "sync"

#: `functools.partial(handler, ...)` wraps a handler without calling it.
PARTIAL = "functools.partial"

#: Nodes that open a new scope: a step call inside one of them is not "directly" in a block.
SCOPE_NODES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


# ---------------------------------------------------------------------------- async or sync
def step_flavor(context: FileContext, call: cst.Call) -> str | None:
    """ASYNC when the call's receiver is an async `Step`/`Group`, SYNC for `StepSync`, else None.

    Decided where the receiver's name is bound: an Inngest function's own `ctx`/`step`
    parameter follows the handler (`async def` gets `Context`, plain `def` gets `ContextSync`;
    the SDK ignores annotations), an annotated helper parameter follows its annotation, and a
    `step = ctx.step` alias follows `ctx`. Unknown when none of these says.
    """
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    receiver = func.value
    if isinstance(receiver, cst.Attribute) and receiver.attr.value in sdk.STEP_TOOL_METHODS:
        receiver = receiver.value  # `step.ai.infer`: the tool follows its step object
    if isinstance(receiver, cst.Name):
        return _flavor_of_name(context, receiver.value, "step", len(context.frames))
    if (
        isinstance(receiver, cst.Attribute)
        and isinstance(receiver.value, cst.Name)
        and receiver.attr.value in (sdk.CONTEXT_STEP_ATTRIBUTE, sdk.CONTEXT_GROUP_ATTRIBUTE)
    ):
        return _flavor_of_name(context, receiver.value.value, "ctx", len(context.frames))
    return None


def _flavor_of_name(context: FileContext, name: str, kind: str, limit: int, depth: int = 0) -> str | None:
    if depth > 4:
        return None
    for index in range(limit - 1, -1, -1):
        frame = context.frames[index]
        if frame.kind == "class":
            continue
        names = frame.ctx_names if kind == "ctx" else frame.step_names
        if name in names:
            return _flavor_in_frame(context, frame, name, index, depth)
        if frame.kind != "module" and (name in frame.params or name in frame.scan.bound):
            return None  # shadowed by something that is not a context or step
    return None


def _flavor_in_frame(context: FileContext, frame: Frame, name: str, index: int, depth: int) -> str | None:
    node = frame.node
    if isinstance(node, cst.FunctionDef) and name in frame.params:
        if frame.inngest is not None and name in _leading_positional_names(node, 2):
            return ASYNC if frame.inngest.is_async else SYNC
        annotation = _annotation_of(node, name)
        if annotation is not None:
            qualified = context.qualify(annotation)
            if qualified in sdk.ASYNC_CONTEXT_OR_STEP_CLASSES:
                return ASYNC
            if qualified in sdk.SYNC_CONTEXT_OR_STEP_CLASSES:
                return SYNC
        return None
    values = frame.scan.assignments.get(name)
    if values and len(values) == 1:
        value = values[0]
        if (
            isinstance(value, cst.Attribute)
            and value.attr.value == sdk.CONTEXT_STEP_ATTRIBUTE
            and isinstance(value.value, cst.Name)
        ):
            return _flavor_of_name(context, value.value.value, "ctx", index + 1, depth + 1)
    return None


def _leading_positional_names(node: cst.FunctionDef, count: int) -> set[str]:
    params = [*node.params.posonly_params, *node.params.params][:count]
    return {param.name.value for param in params}


def _annotation_of(node: cst.FunctionDef, name: str) -> cst.BaseExpression | None:
    params = node.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value == name and param.annotation is not None:
            return param.annotation.annotation
    return None


def enclosing_def(context: FileContext) -> cst.FunctionDef | None:
    """The innermost `def` being walked, or None when the innermost scope is not a def."""
    node = context.frame.node
    return node if isinstance(node, cst.FunctionDef) else None


# ---------------------------------------------------------------------------- parents
_parent_cache: list[tuple[cst.Module, dict[int, tuple[cst.CSTNode, dict[int, cst.CSTNode]]]]] = []


def parents(context: FileContext, scope: cst.CSTNode) -> dict[int, cst.CSTNode]:
    """`id(node) -> parent` for every node under `scope` (a function), built once per scope.

    Scoped rather than whole-file because libcst's `children` is costly: only functions that
    hold a step call needing it pay, once, shared by every step rule.
    """
    tree = context.tree
    if not _parent_cache or _parent_cache[0][0] is not tree:
        _parent_cache[:] = [(tree, {})]
    by_scope = _parent_cache[0][1]
    cached = by_scope.get(id(scope))
    if cached is not None and cached[0] is scope:
        return cached[1]
    mapping: dict[int, cst.CSTNode] = {}
    stack: list[cst.CSTNode] = [scope]
    while stack:
        current = stack.pop()
        for child in children(current):
            mapping[id(child)] = current
            stack.append(child)
    by_scope[id(scope)] = (scope, mapping)
    return mapping


def value_parent(mapping: dict[int, cst.CSTNode], node: cst.CSTNode) -> tuple[cst.CSTNode | None, cst.CSTNode]:
    """The node that receives `node`'s value, looking through `a if c else b` branches.

    Returns (parent, child) where child is `node` or the conditional expression holding it.
    """
    child = node
    parent = mapping.get(id(child))
    while isinstance(parent, cst.IfExp) and child is not parent.test:
        child = parent
        parent = mapping.get(id(child))
    return parent, child


# ---------------------------------------------------------------------------- handlers
def step_run_handler(call: cst.Call) -> cst.BaseExpression | None:
    """The callback given to `step.run` (second positional argument or `handler=`)."""
    if call.args and call.args[0].star:
        return None
    return argument(call, 1, sdk.STEP_RUN_HANDLER_KEYWORD)


def unwrap_partial(context: FileContext, node: cst.BaseExpression) -> cst.BaseExpression:
    """`functools.partial(fn, ...)` -> `fn`; anything else unchanged."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, (cst.Name, cst.Attribute))
        and context.qualify(node.func) == PARTIAL
        and node.args
        and not node.args[0].star
        and node.args[0].keyword is None
    ):
        return node.args[0].value
    return node


def resolve_local_def(context: FileContext, node: cst.BaseExpression) -> cst.FunctionDef | None:
    """The `def` in this file that a bare name refers to here, when that is certain.

    The nearest scope binding the name decides; a name that scope also assigns, imports or
    takes as a parameter is not certain, and neither is a name from another module (phase 2).
    """
    if not isinstance(node, cst.Name):
        return None
    name = node.value
    for frame in reversed(context.frames):
        if frame.kind == "class":
            continue
        scan = frame.scan
        if frame.kind != "module" and name in frame.params:
            return None
        if name in scan.defs:
            if name in scan.assignments or name in scan.other or name in scan.imports or name in scan.classes:
                return None
            return scan.defs[name]
        if name in scan.bound:
            return None
    return None


def decorated_step_id(context: FileContext, call: cst.Call) -> cst.BaseExpression | None:
    """For a call of a def of this file decorated `@inngest.experimental.step("id")`, the step ID
    the decorator gives it, else None.

    Inside an Inngest function such a call is `step.run("id", ...)` (the decorator's wrapper in
    `inngest/_internal/execution_lib/context_var.py` calls `step.run(step_id, handler)` on the
    step object of the running function): with the async `Step`, a coroutine to await.
    """
    definition = resolve_local_def(context, call.func)
    if definition is None:
        return None
    for decorator in definition.decorators:
        expression = decorator.decorator
        if (
            isinstance(expression, cst.Call)
            and isinstance(expression.func, (cst.Name, cst.Attribute))
            and context.qualify(expression.func) == sdk.EXPERIMENTAL_STEP_DECORATOR
        ):
            return argument(expression, 0, sdk.STEP_ID_KEYWORD)
    return None


def called_def(context: FileContext, node: cst.BaseExpression) -> cst.FunctionDef | None:
    """For `lambda: helper(...)`, the local `def helper` the lambda calls, else None."""
    if isinstance(node, cst.Lambda) and isinstance(node.body, cst.Call):
        return resolve_local_def(context, node.body.func)
    return None


# ---------------------------------------------------------------------------- walking
def calls_in(node: cst.CSTNode) -> Iterator[cst.Call]:
    """Every call under `node` (itself included), not entering nested defs, lambdas or classes."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if current is not node and isinstance(current, SCOPE_NODES):
            continue
        if isinstance(current, cst.Call):
            yield current
        stack.extend(reversed(children(current)))


def is_builtin(context: FileContext, name: str) -> bool:
    """True if `name` here is the builtin of that name: no import, assignment or parameter binds it."""
    for frame in context.frames:
        if frame.kind == "class":
            continue
        if name in frame.params or name in frame.scan.bound:
            return False
        if frame.kind == "module" and frame.scan.star_imports:
            return False
    return True


# ---------------------------------------------------------------------------- messages
def step_id_node(call: cst.Call) -> cst.BaseExpression | None:
    """The step ID argument (first positional or `step_id=`), None when a `*args` hides it."""
    if call.args and call.args[0].star:
        return None
    return argument(call, 0, sdk.STEP_ID_KEYWORD)


def step_id_display(context: FileContext, call: cst.Call) -> str | None:
    """`'fetch'` for a literal step ID, the source text for a computed one, None if hidden."""
    node = step_id_node(call)
    if node is None:
        return None
    literal = literal_string(node)
    if literal is not None:
        return repr(literal)
    return snippet(context, node, 40)


def step_label(context: FileContext, call: cst.Call) -> str:
    """`step 'fetch'` for a literal ID, `step f"fetch-{i}"` for a computed one, `a step` if none."""
    shown = step_id_display(context, call)
    return "a step" if shown is None else f"step {shown}"


def step_id_context(call: cst.Call) -> str:
    """A stable identity for baselines: the literal step ID, or empty."""
    node = step_id_node(call)
    if node is None:
        return ""
    return literal_string(node) or ""


def written_method(context: FileContext, call: cst.Call) -> str:
    """The call target as written (`ctx.step.run`, `step.wait_for_event`)."""
    return snippet(context, call.func, 40)
