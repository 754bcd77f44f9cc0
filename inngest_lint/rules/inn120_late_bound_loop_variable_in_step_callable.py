"""INN120 late-bound-loop-variable-in-step-callable."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from inngest_lint.diagnostics import Fix
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import block_statements
from inngest_lint.semantic.names import BindingScan, names_in, parameter_names, target_names
from inngest_lint.semantic.replay import binding_frame
from inngest_lint.semantic.steps import is_builtin, parents
from inngest_lint.semantic.values import argument

#: `ctx.group.parallel(callables, parallel_mode=...)`: the keyword of its first argument.
_CALLABLES_KEYWORD = "callables"
#: Builtins that consume a comprehension into a container before `parallel` calls anything.
_CONSUMERS = frozenset({"tuple", "list"})
#: The list method that adds a callable built in a loop.
_APPEND = "append"

_Comprehension = (cst.ListComp, cst.GeneratorExp)

#: (the callable, the loop names it reads late, "loop" or "comprehension", whether binding the
#: names as defaults is certain to keep each callable's own value).
_LateBound = tuple[cst.Lambda | cst.FunctionDef, list[str], str, bool]


class LateBoundLoopVariableInStepCallable(Rule):
    """A callable given to `ctx.group.parallel` that reads a loop variable it captured late.

    ## What it does
    Flags a `lambda` (or a `def`) given to `ctx.group.parallel` that was created in a loop or a
    comprehension, reads that loop's variable, and is called only after the loop has ended:
    built into a tuple or list (`tuple(lambda: ... for item in items)`, `[lambda: ... for ...]`),
    or appended to a list in a `for` loop that `parallel` receives after the loop.

    Not flagged: a variable bound as a default (`lambda item=item: ...`), `functools.partial`,
    a generator expression given to `parallel` directly (it creates each lambda just before
    `parallel` calls it), and a callable that reads no loop variable.

    ## Why is this bad?
    A Python closure reads the variable, not its value at creation: every callable created in
    the loop sees the value the variable holds when it is called. `Group.parallel`
    (`inngest/_internal/step_lib/group.py`, `GroupSync.parallel` for sync functions) calls the
    callables one after the other (`for cb in callables: await cb()`) once it has the whole
    tuple, so every one runs with the loop's last value: the same item is processed N times,
    and the step IDs built from it repeat (the SDK then suffixes them, `StepIDCounter` in
    `step_lib/base.py`, so nothing warns).

    ## Fix
    Binds each loop variable the callable reads as a default of its own (`lambda: ship(order)`
    becomes `lambda order=order: ship(order)`; the same for a `def` made in the loop), so each
    callable keeps the value it was created with. Safe: `Group.parallel` calls every callable
    with no arguments (`await cb()` in `inngest/_internal/step_lib/group.py`, `cb()` in
    `GroupSync.parallel`), so a parameter with a default is never given another value, and the
    code then does what it reads as instead of running the last item N times. Offered for a
    `for` loop only when the names read are the loop's own targets (a name assigned later in the
    loop's body may not exist yet when the callable is made).
    """

    code = "INN120"
    name = "late-bound-loop-variable-in-step-callable"
    fixable = "safe"

    VALID = (
        """
        import functools

        import inngest

        client = inngest.Inngest(app_id="shop")


        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/ship"))
        async def ship_all(ctx: inngest.Context) -> None:
            orders = ctx.event.data["orders"]
            await ctx.group.parallel(
                tuple(lambda order=order: ctx.step.run(f"ship-{order}", ship, order) for order in orders)
            )
            await ctx.group.parallel(
                tuple(functools.partial(ctx.step.run, f"bill-{order}", bill, order) for order in orders)
            )
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/ship"))
        async def ship_all(ctx: inngest.Context) -> None:
            orders = ctx.event.data["orders"]
            await ctx.group.parallel(
                tuple(lambda: ctx.step.run(f"ship-{order}", ship, order) for order in orders)  # error: INN120
            )
        """,
    )

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="shop")


            @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/ship"))
            async def ship_all(ctx: inngest.Context) -> None:
                orders = ctx.event.data["orders"]
                await ctx.group.parallel(tuple(lambda: ctx.step.run(f"ship-{order}", ship, order) for order in orders))
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="shop")


            @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/ship"))
            async def ship_all(ctx: inngest.Context) -> None:
                orders = ctx.event.data["orders"]
                await ctx.group.parallel(tuple(lambda order=order: ctx.step.run(f"ship-{order}", ship, order) for order in orders))
            """,
        ),
        (
            """
            import inngest

            client = inngest.Inngest(app_id="shop")


            @client.create_function(fn_id="bill", trigger=inngest.TriggerEvent(event="shop/bill"))
            async def bill_all(ctx: inngest.Context) -> None:
                calls = []
                for index, order in enumerate(ctx.event.data["orders"]):
                    async def bill_one(retries: int = 3):
                        return await ctx.step.run(f"bill-{index}", bill, order, retries)

                    calls.append(bill_one)
                await ctx.group.parallel(tuple(calls))
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="shop")


            @client.create_function(fn_id="bill", trigger=inngest.TriggerEvent(event="shop/bill"))
            async def bill_all(ctx: inngest.Context) -> None:
                calls = []
                for index, order in enumerate(ctx.event.data["orders"]):
                    async def bill_one(retries: int = 3, index=index, order=order):
                        return await ctx.step.run(f"bill-{index}", bill, order, retries)

                    calls.append(bill_one)
                await ctx.group.parallel(tuple(calls))
            """,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        if not self.context.is_group_parallel(node):
            return
        callables = argument(node, 0, _CALLABLES_KEYWORD)
        if callables is None:
            return
        for created, names, loop_kind, bindable in self._late_bound(node, callables, follow_name=True):
            shown = ", ".join(f"`{name}`" for name in names)
            defaults = ", ".join(f"{name}={name}" for name in names)
            what = "lambda" if isinstance(created, cst.Lambda) else f"`{created.name.value}`"
            self.report(
                created if isinstance(created, cst.Lambda) else created.name,
                f"{what} given to ctx.group.parallel reads the {loop_kind} variable{'s' if len(names) > 1 else ''} "
                f"{shown}, which it looks up "
                f"only when parallel calls it, after the {loop_kind} has ended: every callable sees the last "
                f"value (the same item N times, repeated step IDs); bind it as a default ({defaults})",
                fix=self._bind_fix(created, names) if bindable else None,
            )

    def _bind_fix(self, created: cst.Lambda | cst.FunctionDef, names: list[str]) -> Fix | None:
        """Each name in `names` added to the callable's parameters as `name=name` (keyword-only
        after a `*`); the whole lambda or def is the replaced node."""
        params = created.params
        defaults = [
            cst.Param(
                cst.Name(name),
                default=cst.Name(name),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            )
            for name in names
        ]
        if isinstance(params.star_arg, cst.MaybeSentinel):
            bound = params.with_changes(params=[*params.params, *defaults])
        else:
            bound = params.with_changes(kwonly_params=[*params.kwonly_params, *defaults])
        shown = ", ".join(f"{name}={name}" for name in names)
        return self.context.fix(f"bind {shown} as defaults", [(created, created.with_changes(params=bound))])

    def _late_bound(self, parallel: cst.Call, node: cst.BaseExpression, *, follow_name: bool) -> Iterator[_LateBound]:
        # `tuple(...)` / `list(...)` consume their argument before `parallel` runs.
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value in _CONSUMERS
            and is_builtin(self.context, node.func.value)
            and len(node.args) == 1
            and not node.args[0].star
        ):
            inner = node.args[0].value
            if isinstance(inner, _Comprehension):
                yield from self._from_comprehension(inner)
            elif isinstance(inner, cst.Name) and follow_name:
                yield from self._late_bound(parallel, inner, follow_name=True)
            return
        if isinstance(node, cst.ListComp):
            yield from self._from_comprehension(node)
            return
        if isinstance(node, cst.Name) and follow_name:
            value = self.context.local_value(node.value)
            if value is not None and not _is_empty_list(value):
                yield from self._late_bound(parallel, value, follow_name=False)
            elif value is not None:
                yield from self._from_appends(parallel, node.value)

    def _from_comprehension(self, comprehension: cst.ListComp | cst.GeneratorExp) -> Iterator[_LateBound]:
        element = comprehension.elt
        if not isinstance(element, cst.Lambda):
            return
        targets: set[str] = set()
        comp: cst.CompFor | None = comprehension.for_in
        while comp is not None:
            targets.update(target_names(comp.target))
            comp = comp.inner_for_in
        names = _free_reads(element, targets)
        if names:
            yield element, names, "comprehension", True

    def _from_appends(self, parallel: cst.Call, name: str) -> Iterator[_LateBound]:
        """Callables appended to the list `name` inside a `for` loop that `parallel` follows."""
        found = binding_frame(self.context, name)
        if found is None:
            return
        _, frame = found
        if name in frame.params or name in frame.scan.other or not isinstance(frame.node, cst.FunctionDef):
            return
        mapping = parents(self.context, frame.node)
        parallel_ancestors = set(_ancestor_ids(mapping, parallel))
        for append in frame.scan.mutations.get(name, []):
            if not (isinstance(append.func, cst.Attribute) and append.func.attr.value == _APPEND):
                continue
            if len(append.args) != 1 or append.args[0].star or append.args[0].keyword is not None:
                continue
            loop = _enclosing_for(mapping, append, frame.node)
            if loop is None or id(loop) in parallel_ancestors:
                continue
            targets = set(target_names(loop.target))
            changed = targets | _bound_in(loop.body)
            value = append.args[0].value
            created: cst.Lambda | cst.FunctionDef | None = None
            if isinstance(value, cst.Lambda):
                created = value
            elif isinstance(value, cst.Name):
                created = _def_in_loop(loop, value.value)
            if created is None:
                continue
            names = _free_reads(
                created, changed - ({created.name.value} if isinstance(created, cst.FunctionDef) else set())
            )
            if names:
                yield created, names, "loop", set(names) <= targets


def _is_empty_list(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.List):
        return not node.elements
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "list" and not node.args
    )


def _free_reads(created: cst.Lambda | cst.FunctionDef, loop_names: set[str]) -> list[str]:
    """The loop names the callable reads from the enclosing scope (not as its own parameter)."""
    own = set(parameter_names(created.params))
    if isinstance(created, cst.FunctionDef):
        own |= _bound_in(created.body)
        read = names_in(created.body)
    else:
        read = names_in(created.body)
    return sorted((read & loop_names) - own)


def _ancestor_ids(mapping: dict[int, cst.CSTNode], node: cst.CSTNode) -> Iterator[int]:
    current = mapping.get(id(node))
    while current is not None:
        yield id(current)
        current = mapping.get(id(current))


def _enclosing_for(mapping: dict[int, cst.CSTNode], node: cst.CSTNode, scope: cst.CSTNode) -> cst.For | None:
    """The nearest `for` statement around `node` within `scope` (no nested def or lambda between)."""
    current = mapping.get(id(node))
    while current is not None and current is not scope:
        if isinstance(current, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return None
        if isinstance(current, cst.For):
            return current
        current = mapping.get(id(current))
    return None


def _def_in_loop(loop: cst.For, name: str) -> cst.FunctionDef | None:
    """The `def name` made directly in the loop's body (the one the append sees)."""
    found = [
        statement
        for statement in block_statements(loop.body)
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name
    ]
    return found[0] if len(found) == 1 else None


def _bound_in(block: cst.BaseSuite) -> frozenset[str]:
    """Names a block binds (not entering nested scopes)."""
    statements = [statement for statement in block_statements(block) if isinstance(statement, cst.BaseStatement)]
    return BindingScan().scan(statements).bound
