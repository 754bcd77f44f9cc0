"""INN102 duplicate-step-id."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from inngest_lint import sdk
from inngest_lint.engine.names import literal_string
from inngest_lint.engine.traverse import children
from inngest_lint.facts.values import argument
from inngest_lint.rules.base import Rule


@dataclass
class _Step:
    step_id: str
    node: cst.CSTNode
    path: tuple[tuple[object, int], ...]


class DuplicateStepId(Rule):
    """Two step calls in one Inngest function with the same constant step ID.

    ## What it does
    Flags the second of two step calls in one Inngest function (outside loops, which
    `step-id-reused-in-loop` covers) that use the same literal step ID, and points to the first.
    Calls in mutually exclusive branches (`if`/`else`, `try`/`except`, `match` cases, or a
    branch that returns before the other call) are not flagged.

    ## Why is this bad?
    Inngest memoizes steps by ID. The SDK does not reject a repeated ID: it silently suffixes a
    hidden counter (`notify`, `notify:1`), so the two steps are matched by position. Insert a step
    between them, or reorder them in a deploy while runs are in flight, and each gets the
    other's memoized result.

    ## Example
    ```python
    await ctx.step.run("notify", notify_customer, order)
    await ctx.step.run("notify", notify_warehouse, order)
    ```

    ## Use instead
    ```python
    await ctx.step.run("notify-customer", notify_customer, order)
    await ctx.step.run("notify-warehouse", notify_warehouse, order)
    ```
    """

    code = "INN102"
    name = "duplicate-step-id"

    VALID = [
        """
        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"))
        async def ship(ctx: inngest.Context) -> None:
            if ctx.event.data["express"]:
                await ctx.step.run("notify", notify_express)
            else:
                await ctx.step.run("notify", notify_standard)
        """,
    ]
    INVALID = [
        """
        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"))
        async def ship(ctx: inngest.Context) -> None:
            await ctx.step.run("notify", notify_customer)
            await ctx.step.run("notify", notify_warehouse)  # error: INN102
        """,
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.context.frame.inngest is None:
            return
        steps: list[_Step] = []
        self._walk(node.body, (), steps)
        first_by_id: dict[str, list[_Step]] = {}
        for step in steps:
            earlier = first_by_id.setdefault(step.step_id, [])
            clash = next((other for other in earlier if not _exclusive(other.path, step.path)), None)
            if clash is not None:
                line = self.context.location(clash.node).line
                self.report(
                    step.node,
                    f"step ID {step.step_id!r} is already used by the step at line {line} of "
                    f"'{node.name.value}': steps are memoized by ID and matched by position when IDs "
                    f"repeat; give this step its own ID",
                    context=step.step_id,
                )
            earlier.append(step)

    def _walk(self, node: cst.CSTNode, path: tuple[tuple[object, int], ...], steps: list[_Step]) -> None:
        context = self.context
        if isinstance(node, (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp,
                             cst.FunctionDef, cst.ClassDef)):
            return  # loops belong to step-id-reused-in-loop; nested defs are other scopes
        if isinstance(node, cst.Call):
            method = context.step_method(node)
            step_id_node = argument(node, 0, sdk.STEP_ID_KEYWORD) if method else None
            value = literal_string(step_id_node) if step_id_node is not None else None
            if value is not None:
                steps.append(_Step(value, step_id_node, path))  # type: ignore[arg-type]
        if isinstance(node, cst.If):
            self._walk(node.test, path, steps)
            self._walk(node.body, (*path, (id(node), 0)), steps)
            if node.orelse is not None:
                target = node.orelse if isinstance(node.orelse, cst.If) else node.orelse.body
                self._walk(target, (*path, (id(node), 1)), steps)
            return
        if isinstance(node, cst.IfExp):
            self._walk(node.test, path, steps)
            self._walk(node.body, (*path, (id(node), 0)), steps)
            self._walk(node.orelse, (*path, (id(node), 1)), steps)
            return
        if isinstance(node, (cst.Try, cst.TryStar)):
            self._walk(node.body, (*path, (id(node), 0)), steps)
            for number, handler in enumerate(node.handlers, start=1):
                self._walk(handler.body, (*path, (id(node), number)), steps)
            if node.orelse is not None:
                self._walk(node.orelse.body, (*path, (id(node), 0)), steps)
            if node.finalbody is not None:
                self._walk(node.finalbody.body, path, steps)
            return
        if isinstance(node, cst.Match):
            for number, case in enumerate(node.cases):
                self._walk(case.body, (*path, (id(node), number)), steps)
            return
        if isinstance(node, cst.IndentedBlock):
            # After `if cond: ...; return`, later statements cannot run with that branch.
            markers: list[tuple[object, int]] = []
            for statement in node.body:
                current = (*path, *markers)
                if isinstance(statement, cst.If) and _has_exiting_branch(statement):
                    owner = ("exit", id(statement))
                    self._walk(statement, (*current, (owner, 0)), steps)
                    markers.append((owner, 1))
                    continue
                self._walk(statement, current, steps)
            return
        for child in children(node):
            self._walk(child, path, steps)


def _exits(block: cst.BaseSuite) -> bool:
    if isinstance(block, cst.IndentedBlock) and block.body:
        last = block.body[-1]
        if isinstance(last, cst.SimpleStatementLine) and last.body:
            return isinstance(last.body[-1], (cst.Return, cst.Raise))
    return False


def _has_exiting_branch(statement: cst.If) -> bool:
    """An `if` without `else` whose body leaves the function (ends in return/raise): calls in
    that body cannot run together with calls after the `if` statement."""
    return _exits(statement.body) and statement.orelse is None


def _exclusive(a: tuple[tuple[object, int], ...], b: tuple[tuple[object, int], ...]) -> bool:
    branches_a = dict(a)
    return any(owner in branches_a and branches_a[owner] != branch for owner, branch in b)
