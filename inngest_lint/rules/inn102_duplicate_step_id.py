"""INN102 duplicate-step-id."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.traverse import children
from inngest_lint.semantic.values import argument


@dataclass
class _Step:
    step_id: str
    node: cst.CSTNode


class _Branches:
    """Which earlier steps a new step can run together with, kept up to date during one walk.

    Two steps are exclusive when some branch point (an `if`, a conditional expression, the
    clauses of a `try`, the cases of a `match`, an early-return `if` and the rest of its block)
    holds them in different branches. The walk is depth first, so the branch points open around
    the current node form a stack, and the steps registered under one branch are a contiguous
    run of indices (two for a `try`'s body and `else`). Leaving a branch hides its steps (a
    counter per step); coming back to it, or closing the branch point, shows them again. The
    earliest visible step with the same ID is the clash, found with one heap per ID.

    This costs each step O(log n) per enclosing branch point it has left, where comparing every
    pair of steps by their branch paths cost (steps with one ID)^2 x (path length): a function
    of n guard clauses sharing an ID took n^3.
    """

    def __init__(self) -> None:
        self.steps: list[_Step] = []
        self.clashes: list[tuple[_Step, _Step]] = []  # (step, the earlier step it repeats)
        self._hidden: list[int] = []  # per step: how many open branch points hide it
        self._visible: dict[str, list[int]] = {}  # step ID -> heap of indices (hidden ones lazily)
        # Open branch points: [current branch, start index of its current run, {branch: runs}].
        self._open: list[list[Any]] = []

    def register(self, step: _Step) -> None:
        index = len(self.steps)
        self.steps.append(step)
        self._hidden.append(0)
        heap = self._visible.setdefault(step.step_id, [])
        while heap and self._hidden[heap[0]]:
            heapq.heappop(heap)
        if heap:
            self.clashes.append((step, self.steps[heap[0]]))
        heapq.heappush(heap, index)

    def open(self, branch: int) -> None:
        self._open.append([branch, len(self.steps), {}])

    def switch(self, branch: int) -> None:
        """Move the innermost branch point to `branch`: hide the branch left, show `branch`."""
        point = self._open[-1]
        current, start, runs = point
        runs.setdefault(current, []).append((start, len(self.steps)))
        if branch != current:
            self._shift(((start, len(self.steps)),), 1)
            self._shift(runs.get(branch, ()), -1)
        point[0] = branch
        point[1] = len(self.steps)

    def close(self) -> None:
        """Leave the innermost branch point: every step under it is visible again."""
        current, _start, runs = self._open.pop()
        for branch, branch_runs in runs.items():
            if branch != current:
                self._shift(branch_runs, -1)

    def _shift(self, runs: object, change: int) -> None:
        hidden = self._hidden
        for start, end in runs:  # type: ignore[attr-defined]
            for index in range(start, end):
                hidden[index] += change
                if change < 0 and not hidden[index]:
                    heapq.heappush(self._visible[self.steps[index].step_id], index)


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
    """

    code = "INN102"
    name = "duplicate-step-id"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"))
        async def ship(ctx: inngest.Context) -> None:
            await ctx.step.run("notify-customer", notify_customer)
            await ctx.step.run("notify-warehouse", notify_warehouse)
        """,
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
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"))
        async def ship(ctx: inngest.Context) -> None:
            await ctx.step.run("notify", notify_customer)
            await ctx.step.run("notify", notify_warehouse)  # error: INN102
        """,
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.context.frame.inngest is None:
            return
        branches = _Branches()
        self._walk(node.body, branches)
        for step, clash in branches.clashes:
            line = self.context.location(clash.node).line
            self.report(
                step.node,
                f"step ID {step.step_id!r} is already used by the step at line {line} of "
                f"'{node.name.value}': steps are memoized by ID and matched by position when IDs "
                f"repeat; give this step its own ID",
                context=step.step_id,
            )

    def _walk(self, node: cst.CSTNode, branches: _Branches) -> None:
        context = self.context
        if isinstance(
            node,
            (
                cst.For,
                cst.While,
                cst.ListComp,
                cst.SetComp,
                cst.GeneratorExp,
                cst.DictComp,
                cst.FunctionDef,
                cst.ClassDef,
            ),
        ):
            return  # loops belong to step-id-reused-in-loop; nested defs are other scopes
        if isinstance(node, cst.Call):
            method = context.step_method(node)
            step_id_node = argument(node, 0, sdk.STEP_ID_KEYWORD) if method else None
            value = literal_string(step_id_node) if step_id_node is not None else None
            if value is not None:
                branches.register(_Step(value, step_id_node))  # type: ignore[arg-type]
        if isinstance(node, cst.If):
            self._walk(node.test, branches)
            branches.open(0)
            self._walk(node.body, branches)
            if node.orelse is not None:
                branches.switch(1)
                self._walk(node.orelse if isinstance(node.orelse, cst.If) else node.orelse.body, branches)
            branches.close()
            return
        if isinstance(node, cst.IfExp):
            self._walk(node.test, branches)
            branches.open(0)
            self._walk(node.body, branches)
            branches.switch(1)
            self._walk(node.orelse, branches)
            branches.close()
            return
        if isinstance(node, (cst.Try, cst.TryStar)):
            branches.open(0)
            self._walk(node.body, branches)
            handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler] = node.handlers
            for number, handler in enumerate(handlers, start=1):
                branches.switch(number)
                self._walk(handler.body, branches)
            if node.orelse is not None:
                branches.switch(0)  # `else` runs after the body, never after a handler
                self._walk(node.orelse.body, branches)
            branches.close()
            if node.finalbody is not None:
                self._walk(node.finalbody.body, branches)
            return
        if isinstance(node, cst.Match):
            if node.cases:
                branches.open(0)
                for number, case in enumerate(node.cases):
                    if number:
                        branches.switch(number)
                    self._walk(case.body, branches)
                branches.close()
            return
        if isinstance(node, cst.IndentedBlock):
            # After `if cond: ...; return`, later statements cannot run with that branch: the
            # `if` is branch 0 of a branch point whose branch 1 is the rest of the block.
            guards = 0
            for statement in node.body:
                if isinstance(statement, cst.If) and _has_exiting_branch(statement):
                    branches.open(0)
                    self._walk(statement, branches)
                    branches.switch(1)
                    guards += 1
                    continue
                self._walk(statement, branches)
            for _ in range(guards):
                branches.close()
            return
        for child in children(node):
            self._walk(child, branches)


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
