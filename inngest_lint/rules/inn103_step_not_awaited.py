"""INN103 step-not-awaited."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.steps import (
    ASYNC,
    SCOPE_NODES,
    decorated_step_id,
    enclosing_def,
    parents,
    step_flavor,
    step_id_context,
    step_label,
    value_parent,
    written_method,
)
from inngest_lint.semantic.traverse import children

if TYPE_CHECKING:
    from inngest_lint.diagnostics import Fix
    from inngest_lint.semantic.context import FileContext

_AWAITED = "awaited"
_DISCARDED = "discarded"
_VALUE = "value"

#: Where a value is consumed as data: a coroutine there is certainly a mistake.
_VALUE_USES = (
    cst.Attribute,
    cst.Subscript,
    cst.Comparison,
    cst.BinaryOperation,
    cst.UnaryOperation,
    cst.BooleanOperation,
    cst.FormattedStringExpression,
    cst.AugAssign,
)
#: Where a value is handed on to code that may await it later: never flagged.
_HANDED_ON = (
    cst.Await,
    cst.Return,
    cst.Yield,
    cst.Lambda,
    cst.Arg,
    cst.Element,
    cst.StarredElement,
    cst.DictElement,
    cst.StarredDictElement,
    cst.ListComp,
    cst.SetComp,
    cst.GeneratorExp,
    cst.DictComp,
    cst.NamedExpr,
    cst.Assign,
    cst.AnnAssign,
)


class StepNotAwaited(Rule):
    """An async step call whose coroutine is never awaited, so the step never runs.

    ## What it does
    Flags a call to an async `Step` method (`ctx.step.run`, `sleep`, `wait_for_event`,
    `send_event`, `invoke`, ...) or `ctx.group.parallel` in an `async def` Inngest function,
    async helper or step handler, when its result is not awaited: the call is a statement of
    its own, its result is used as data (`ctx.step.run(...)["id"]`, `if ctx.step.run(...)`),
    or it is stored in a variable that is only ever used as data. `step.ai.infer(...)` and
    `ctx.group.experiment(...)` are step calls too, and so is a call, directly in an async
    Inngest function, of a def of this file decorated `@inngest.experimental.step("id")`: its
    wrapper returns `step.run("id", ...)` on the running function's step object
    (`inngest/_internal/execution_lib/context_var.py`), a coroutine with the async `Step`, even
    for a plain `def`.

    ## Why is this bad?
    In an `async def` handler, `ctx.step` is an `inngest.Step` whose methods are coroutines.
    Without `await` the call only creates a coroutine object: the step never runs, nothing is
    memoized, and Python prints "coroutine was never awaited" long after the function returned.

    ## Not flagged
    Plain `def` functions (their `StepSync` methods block and return the result), lambdas given to
    `step.run` or `ctx.group.parallel` (the SDK awaits what they return), and a coroutine that is
    awaited later, returned, or passed on to other code.

    ## Fix
    Adds `await` before the call (in parentheses when the result is indexed or read as an
    attribute). Safe: in an `async def`, the SDK's `Step` methods are coroutine functions
    (`inngest/_internal/step_lib/step_async.py`), so awaiting the call is the only way the step
    runs at all; the code then does what it was written to do.
    """

    code = "INN103"
    name = "step-not-awaited"
    fixable = "safe"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
        async def signup(ctx: inngest.Context) -> None:
            await ctx.step.run("send-welcome", send_welcome_email)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
        async def signup(ctx: inngest.Context) -> None:
            await ctx.step.run("send-welcome", send_welcome_email)
            pending = ctx.step.sleep("cool-down", 60_000)
            await pending
            await ctx.group.parallel((lambda: ctx.step.run("a", work), lambda: ctx.step.run("b", work)))
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
        def signup(ctx: inngest.ContextSync) -> None:
            ctx.step.run("send-welcome", send_welcome_email)
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
        async def signup(ctx: inngest.Context) -> None:
            ctx.step.run("send-welcome", send_welcome_email)  # error: INN103
        """,
    )

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
            async def signup(ctx: inngest.Context) -> None:
                ctx.step.run("send-welcome", send_welcome_email)
                user = ctx.step.run("load", load_user)["name"]
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
            async def signup(ctx: inngest.Context) -> None:
                await ctx.step.run("send-welcome", send_welcome_email)
                user = (await ctx.step.run("load", load_user))["name"]
            """,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # What the parent does with an expression, recorded top-down while walking (a parent is
        # visited before its children), so the common cases need no parent map: id -> role.
        self._roles: dict[int, str] = {}
        # id of an expression assigned to a single name -> that name.
        self._assigned_to: dict[int, str] = {}
        # id of a function -> its names (see `_names_of`); the tree outlives the walk.
        self._names_by_function: dict[int, _Names] = {}
        # ids of expressions an attribute or subscript reads from: `await` needs parentheses.
        self._read_from: set[int] = set()

    # ------------------------------------------------------------------ roles, set by parents
    def _mark(self, node: cst.CSTNode | None, role: str) -> None:
        if node is not None:
            self._roles[id(node)] = role

    def visit_Await(self, node: cst.Await) -> None:
        self._mark(node.expression, _AWAITED)

    def visit_Expr(self, node: cst.Expr) -> None:
        self._mark(node.value, _DISCARDED)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._mark(node.value, _VALUE)
        self._read_from.add(id(node.value))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._mark(node.value, _VALUE)
        self._read_from.add(id(node.value))

    def visit_If(self, node: cst.If) -> None:
        self._mark(node.test, _VALUE)

    def visit_While(self, node: cst.While) -> None:
        self._mark(node.test, _VALUE)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._mark(node.test, _VALUE)
        # `a if c else b` passes a branch on to whatever receives the whole expression.
        role = self._roles.get(id(node))
        if role is not None:
            self._mark(node.body, role)
            self._mark(node.orelse, role)
        target = self._assigned_to.get(id(node))
        if target is not None:
            self._assigned_to[id(node.body)] = target
            self._assigned_to[id(node.orelse)] = target

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self._mark(node.left, _VALUE)
        for target in node.comparisons:
            self._mark(target.comparator, _VALUE)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        self._mark(node.left, _VALUE)
        self._mark(node.right, _VALUE)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        self._mark(node.left, _VALUE)
        self._mark(node.right, _VALUE)

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        self._mark(node.expression, _VALUE)

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        self._mark(node.expression, _VALUE)

    def visit_For(self, node: cst.For) -> None:
        self._mark(node.iter, _VALUE)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._mark(node.iter, _VALUE)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._mark(node.value, _VALUE)

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self._assigned_to[id(node.value)] = node.targets[0].target.value

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and isinstance(node.target, cst.Name):
            self._assigned_to[id(node.value)] = node.target.value

    def _names(self, function: cst.FunctionDef) -> _Names:
        """`_names_of(function)`, computed once per function of the file."""
        found = self._names_by_function.get(id(function))
        if found is None:
            found = self._names_by_function[id(function)] = _names_of(function)
        return found

    # ------------------------------------------------------------------ the step calls
    def visit_Call(self, node: cst.Call) -> None:
        role = self._roles.get(id(node))
        target = self._assigned_to.get(id(node))
        if role == _AWAITED or (role is None and target is None):
            return  # awaited, or handed on to a call, a container, `return`, a lambda...
        context = self.context
        method = context.step_method(node)
        decorated: cst.BaseExpression | None = None
        if method is None:
            if not context.is_group_parallel(node):
                decorated = decorated_step_id(context, node)
                if decorated is None:
                    return
        elif method not in sdk.STEP_ID_METHODS:
            return  # the removed `step.parallel` is INN113's
        function = enclosing_def(context)
        if function is None or function.asynchronous is None:
            return  # only an `async def` can await; lambdas return the coroutine to the SDK
        if decorated is not None:
            info = context.frame.inngest
            if info is None or not info.is_async:
                return  # a decorated step called directly in an async Inngest function only
        elif step_flavor(context, node) != ASYNC:
            return
        outcome = "the step never runs" if method is not None or decorated is not None else "its steps never run"
        if role == _DISCARDED:
            problem = outcome
        elif role == _VALUE:
            problem = f"{outcome} and the value used is a coroutine, not the result"
        elif target is not None and _only_used_as_data(parents(context, function), self._names(function), target):
            problem = f"{outcome} ('{target}' holds the coroutine and is never awaited)"
        else:
            return
        if decorated is not None:
            shown = snippet(context, decorated, 40)
            what = f"step {shown} (`@inngest.experimental.step`)"
        else:
            what = step_label(context, node) if method is not None else "the parallel group"
        self.report(
            node,
            f"{what} is not awaited: `{written_method(context, node)}(...)` returns a coroutine in an "
            f"async function, so {problem}; add `await`",
            context=step_id_context(node) if decorated is None else (literal_string(decorated) or ""),
            fix=self._await_fix(node) if decorated is None else None,
        )

    def _await_fix(self, node: cst.Call) -> Fix | None:
        """`await` before the call; in parentheses when an attribute or subscript reads the
        result (`(await ctx.step.run(...))["id"]`)."""
        parens = id(node) in self._read_from
        awaited = cst.Await(
            expression=node,
            lpar=[cst.LeftParen()] if parens else [],
            rpar=[cst.RightParen()] if parens else [],
        )
        return self.context.fix("add `await`", [(node, awaited)])


def _is_value_use(parent: cst.CSTNode | None, child: cst.CSTNode) -> bool:
    """True when `child` is consumed as data by `parent` (attribute, test, iteration, ...)."""
    if parent is None or isinstance(parent, _HANDED_ON):
        return False
    if isinstance(parent, cst.Attribute):
        return parent.value is child
    if isinstance(parent, cst.Subscript):
        return parent.value is child
    if isinstance(parent, (cst.If, cst.While)):
        return parent.test is child
    if isinstance(parent, cst.IfExp):
        return parent.test is child
    if isinstance(parent, (cst.For, cst.CompFor)):
        return parent.iter is child
    if isinstance(parent, cst.ComparisonTarget):
        return True
    return isinstance(parent, _VALUE_USES)


_Names = tuple[frozenset[str], dict[str, list[tuple[cst.Name, bool]]]]


def _only_used_as_data(mapping: dict[int, cst.CSTNode], names: _Names, name: str) -> bool:
    """True when every read of `name` in the function `names` indexes (`_names_of`) uses it as
    data (or there is none).

    Any read that may hand the coroutine on (awaited, returned, passed to a call, put in a
    container, aliased, captured by a nested scope) makes the answer False; so does a
    `global`/`nonlocal` declaration of the name.
    """
    declared, occurrences = names
    if name in declared:
        return False
    for current, nested in occurrences.get(name, ()):
        parent = mapping.get(id(current))
        if _is_binding_or_label(parent, current):
            continue
        if nested:
            return False
        parent, child = value_parent(mapping, current)
        if isinstance(parent, (cst.Expr, cst.Del)):
            continue
        if not _is_value_use(parent, child):
            return False
    return True


def _names_of(function: cst.FunctionDef) -> _Names:
    """(names declared global/nonlocal anywhere in `function`, name -> every Name node with that
    value and whether it lies in a nested scope), from one walk of the function.

    Walking the function again for each unawaited step call assigned to a name cost its size per
    call: a function of n such calls took n^2.
    """
    declared: set[str] = set()
    occurrences: dict[str, list[tuple[cst.Name, bool]]] = {}
    stack: list[tuple[cst.CSTNode, bool]] = [(function.body, False)]
    while stack:
        current, nested = stack.pop()
        if isinstance(current, (cst.Global, cst.Nonlocal)):
            declared.update(item.name.value for item in current.names)
        if isinstance(current, cst.Name):
            occurrences.setdefault(current.value, []).append((current, nested))
            continue
        child_nested = nested or isinstance(current, SCOPE_NODES)
        for child in children(current):
            stack.append((child, child_nested))
    return frozenset(declared), occurrences


def _is_binding_or_label(parent: cst.CSTNode | None, name: cst.Name) -> bool:
    """A Name that is not a read: an attribute label, keyword, target, parameter or def name."""
    if isinstance(parent, cst.Attribute):
        return parent.attr is name
    if isinstance(parent, cst.Arg):
        return parent.keyword is name
    if isinstance(parent, (cst.AssignTarget, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr, cst.AsName)):
        return getattr(parent, "target", None) is name or getattr(parent, "name", None) is name
    return isinstance(parent, (cst.Param, cst.FunctionDef, cst.ClassDef, cst.ImportAlias))
