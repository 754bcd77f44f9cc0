"""INN115 outer-state-mutated-in-step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.names import target_names
from inngest_lint.semantic.replay import (
    StepHandlers,
    is_container_value,
    scope_values,
    statements_without_nested_scopes,
    unwrap_await,
)
from inngest_lint.semantic.traverse import children
from inngest_lint.semantic.values import argument, returned_values

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext

#: Methods that change a list, dict or set in place.
MUTATING_METHODS = frozenset(
    {"append", "extend", "update", "add", "insert", "pop", "popitem", "setdefault", "clear", "remove", "discard"}
)


class OuterStateMutatedInStep(Rule):
    """A step handler that changes a variable defined outside the step.

    ## What it does
    Inside a step handler defined in an Inngest function (a lambda or nested def passed to
    `step.run`, directly, through `functools.partial`, or through a name bound to a lambda),
    flags:
    - an assignment to a name declared `nonlocal` or `global` in the handler;
    - an item, attribute or augmented assignment, or a `del`, whose target is rooted at a
      variable of the enclosing Inngest function (`results[key] = ...`, `order.status = ...`);
    - a call of `append`, `extend`, `update`, `add`, `insert`, `pop`, `popitem`, `setdefault`,
      `clear`, `remove` or `discard` on a variable of the enclosing Inngest function that holds a
      list, dict or set it created (a literal, a comprehension, `list()`, `defaultdict()`...).

    Not flagged:
    - changes to variables created inside the handler, and to the handler's own parameters
      (mutating an argument and returning it, `step.run("enrich", enrich, order)`, is correct:
      the returned value is memoized);
    - method calls on outer objects that are not known containers (`db.add(order)` is a
      database call, not lost state);
    - a variable that the function assigns from this handler's own step result
      (`items = ctx.step.run("collect", collect)`): replay restores it from the memo;
    - a change to a container or object that the handler then returns (`return results`): the
      function works with the memoized result (assignments through `nonlocal`/`global` are
      still flagged);
    - module-level state changed through method calls or item assignment (caches, registries):
      only an explicit `global` assignment is flagged there.

    ## Why is this bad?
    Inngest memoizes only what a step handler *returns*. When the function re-runs for the next
    step, a completed step's handler is skipped and its memoized result is returned instead, so
    whatever the handler changed outside itself is not changed this time: the list stays empty,
    the counter stays at zero, and the code after the step sees stale state.

    ## Use instead
    Return the value from the step and use what the step returns.
    """

    code = "INN115"
    name = "outer-state-mutated-in-step"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
        async def import_rows(ctx: inngest.Context) -> int:
            imported = await ctx.step.run("load", load_rows)
            await ctx.step.run("notify", notify, len(imported))
            return len(imported)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")


        @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
        def import_rows(ctx: inngest.ContextSync) -> int:
            rows = ctx.step.run("load", load_rows)

            def enrich(batch: list) -> list:
                found = []
                for row in batch:
                    row["seen"] = True  # the handler's own argument, returned: memoized
                    found.append(row)
                return found

            enriched = ctx.step.run("enrich", enrich, rows)
            return len(enriched)
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
        async def import_rows(ctx: inngest.Context) -> int:
            imported = []
            await ctx.step.run("load", lambda: imported.extend(load_rows()))  # error: INN115
            await ctx.step.run("notify", notify, len(imported))
            return len(imported)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")


        @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
        def import_rows(ctx: inngest.ContextSync) -> int:
            imported = []
            total = 0

            def load() -> None:
                nonlocal total
                rows = load_rows()
                imported.extend(rows)  # error: INN115
                total = len(rows)  # error: INN115

            ctx.step.run("load", load)
            return total
        """,
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.handlers = StepHandlers(context)
        self._reported: set[tuple[int, str]] = set()

    # ------------------------------------------------------------------ where we are
    def _scope(self) -> tuple[int, int] | None:
        """(Inngest function frame index, outermost handler frame index) around the current node."""
        inngest_index: int | None = None
        for index, frame in enumerate(self.context.frames):
            if frame.inngest is not None:
                inngest_index = index
            elif inngest_index is not None and (frame.is_step_handler or self.handlers.named_lambda(index)):
                return inngest_index, index
        return None

    def _outer_frame(self, name: str, scope: tuple[int, int], start: int | None = None) -> int | None:
        """Index of the Inngest-function scope that binds `name`, when it is outside the handler.

        None for names the handler binds (including its parameters and comprehension targets),
        module-level names and names of an enclosing factory.
        """
        inngest_index, handler_index = scope
        frames = self.context.frames
        last = len(frames) - 1 if start is None else start
        comprehension_targets: set[str] = set()
        for frame in frames[handler_index:]:
            for loop in frame.loops:
                if loop.kind == "comprehension":
                    comprehension_targets |= loop.changed
        if name in comprehension_targets:
            return None
        for index in range(last, -1, -1):
            frame = frames[index]
            if frame.kind == "class":
                continue
            if frame.kind == "module":
                return None
            if name in frame.params or (name in frame.scan.bound and name not in frame.scan.globals):
                if index >= handler_index or index < inngest_index:
                    return None
                return index
        return None

    def _restored_from_step(self, name: str, frame_index: int, handler: cst.CSTNode) -> bool:
        """The function assigns `name` from the result of this very handler's step
        (`items = ctx.step.run("collect", collect)`), so replay restores the changed value."""
        for value in self.context.frames[frame_index].scan.assignments.get(name, []):
            call = unwrap_await(value)
            if not isinstance(call, cst.Call) or self.context.step_method(call) != sdk.STEP_RUN:
                continue
            argument_node = argument(call, 1, "handler")
            if argument_node is not None and self.handlers.resolve(argument_node) is handler:
                return True
        return False

    def _report_once(self, handler: cst.CSTNode, name: str, node: cst.CSTNode, message: str) -> None:
        key = (id(handler), name)
        if key in self._reported:
            return
        self._reported.add(key)
        self.report(node, message, context=name)

    def _consequence(self) -> str:
        return "on replay the handler is skipped and the change never happens; return the value from the step instead"

    # ------------------------------------------------------------------ mutations through targets
    def _check_target(self, target: cst.BaseExpression, how: str) -> None:
        if not isinstance(target, (cst.Subscript, cst.Attribute)):
            return
        scope = self._scope()
        if scope is None:
            return
        root = _root_name(target)
        if root is None:
            return
        handler = self.context.frames[scope[1]].node
        outer = self._outer_frame(root, scope)
        if outer is None or self._restored_from_step(root, outer, handler) or _returns_name(handler, root):
            return
        shown = snippet(self.context, target, None)
        self._report_once(
            handler,
            root,
            target,
            f"{self.handlers.label(handler)} {how} `{shown}` of '{root}', which is defined outside the step: "
            f"{self._consequence()}",
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._check_target(target.target, "assigns")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._check_target(node.target, "assigns")

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._check_target(node.target, "updates")

    def visit_Del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, (cst.Tuple, cst.List)) else None
        if targets is None:
            self._check_target(node.target, "deletes")
            return
        for element in targets:
            self._check_target(element.value, "deletes")

    # ------------------------------------------------------------------ mutating method calls
    def visit_Call(self, node: cst.Call) -> None:
        self.handlers.visit_Call(node)
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in MUTATING_METHODS:
            return
        if not isinstance(func.value, (cst.Name, cst.Attribute, cst.Subscript)):
            return
        scope = self._scope()
        if scope is None:
            return
        root = _root_name(func.value) if not isinstance(func.value, cst.Name) else func.value.value
        if root is None:
            return
        handler = self.context.frames[scope[1]].node
        outer = self._outer_frame(root, scope)
        if outer is None or self._restored_from_step(root, outer, handler) or _returns_name(handler, root):
            return
        frame = self.context.frames[outer]
        values = scope_values(self.context, frame, root)
        if not values or not all(is_container_value(self.context, value) for value in values):
            return
        shown = snippet(self.context, func, None)
        self._report_once(
            handler,
            root,
            node,
            f"{self.handlers.label(handler)} changes '{root}' (`{shown}()`), which is defined outside the "
            f"step: {self._consequence()}",
        )

    # ------------------------------------------------------------------ nonlocal / global
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = self._scope()
        if scope is None:
            return
        declared: dict[str, str] = {}
        for inner in statements_without_nested_scopes(node.body):
            if isinstance(inner, cst.Nonlocal):
                declared.update({item.name.value: "nonlocal" for item in inner.names})
            elif isinstance(inner, cst.Global):
                declared.update({item.name.value: "global" for item in inner.names})
        if not declared:
            return
        own_index = len(self.context.frames) - 1
        handler = self.context.frames[scope[1]].node
        for name, target in _first_assignments(node.body, set(declared)):
            kind = declared[name]
            if kind == "nonlocal":
                outer = self._outer_frame(name, scope, start=own_index - 1)
                if outer is None or self._restored_from_step(name, outer, handler):
                    continue
            self._report_once(
                handler,
                name,
                target,
                f"{self.handlers.label(handler)} assigns {kind} '{name}': {self._consequence()}",
            )


def _returns_name(handler: cst.CSTNode, name: str) -> bool:
    """The handler returns the variable itself (`return results`): the function uses its result."""
    if isinstance(handler, cst.Lambda):
        return isinstance(handler.body, cst.Name) and handler.body.value == name
    if isinstance(handler, cst.FunctionDef):
        return any(
            isinstance(statement.value, cst.Name) and statement.value.value == name
            for statement in returned_values(handler.body)
        )
    return False


def _root_name(node: cst.BaseExpression) -> str | None:
    """`results` for `results["a"].items`; None when the chain passes through a call."""
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _first_assignments(body: cst.CSTNode, names: set[str]) -> list[tuple[str, cst.CSTNode]]:
    """The first node (in source order) that assigns each of `names` in a def body."""
    found: dict[str, tuple[int, cst.CSTNode]] = {}
    stack: list[cst.CSTNode] = [body]
    ordered: list[cst.CSTNode] = []
    # Depth-first in source order, not entering nested scopes.
    while stack:
        current = stack.pop()
        ordered.append(current)
        if isinstance(current, (cst.FunctionDef, cst.Lambda, cst.ClassDef)) and current is not body:
            continue
        stack.extend(reversed(children(current)))
    for order, node in enumerate(ordered):
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [target.target for target in node.targets]
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
            targets = [node.target] if not isinstance(node, cst.AnnAssign) or node.value is not None else []
        elif isinstance(node, cst.For):
            targets = [node.target]
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            targets = [node.asname.name]
        elif isinstance(node, cst.Del):
            targets = [node.target]
        for target in targets:
            for name in target_names(target):
                if name in names and name not in found:
                    found[name] = (order, target)
    return [(name, node) for name, (_, node) in sorted(found.items(), key=lambda item: item[1][0])]
