"""INN101 step-id-reused-in-loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules._helpers import (
    calls_run_once_per_loop,
    has_opaque_call,
    loop_target_hint,
    uses_any,
)
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.values import argument

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext


class StepIdReusedInLoop(Rule):
    """A step call in a loop whose step ID is the same on every iteration.

    ## What it does
    Flags a step call (`ctx.step.run`, `sleep`, `wait_for_event`, `send_event`, `invoke`, ...)
    inside a `for`, `async for`, `while` or comprehension whose step ID does not change with the
    loop: a constant string, or an f-string, `.format()` or concatenation that uses none of the
    names the loop binds or changes.

    ## Why is this bad?
    Inngest memoizes each step by its ID. The Python SDK tolerates repeats by suffixing a hidden
    counter (`process`, `process:1`, ...), so memoized results are matched by *position*. When
    the list changes between retries (a new item, another order), results land on the wrong
    items, and a step that already ran for one item is skipped for another.

    ## Use instead
    Include a stable per-item key in the ID.

    ## Not flagged
    A call followed by `break` or `return` in the same block: it runs once.
    """

    code = "INN101"
    name = "step-id-reused-in-loop"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
        async def handler(ctx: inngest.Context) -> None:
            for item in ctx.event.data["items"]:
                await ctx.step.run(f"process-{item['id']}", process, item)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
        async def handler(ctx: inngest.Context) -> None:
            for i, item in enumerate(ctx.event.data["items"]):
                await ctx.step.run(f"process-{i}", process, item)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
        def handler(ctx: inngest.ContextSync) -> None:
            attempt = 0
            while attempt < 3:
                attempt += 1
                ctx.step.run("try-" + str(attempt), work)
            for order in ctx.event.data["orders"]:
                step_id = "charge-{}".format(order["id"])
                ctx.step.run(step_id, charge, order)
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
        async def handler(ctx: inngest.Context) -> None:
            for item in ctx.event.data["items"]:
                await ctx.step.run("process", process, item)  # error: INN101
        """,
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # Loop node id -> the calls in it that run once. Computed once per loop, not once per
        # step call: a loop of n steps would otherwise walk its body n times.
        self._run_once: dict[int, set[int]] = {}

    def _runs_once(self, loop: cst.CSTNode, call: cst.Call) -> bool:
        once = self._run_once.get(id(loop))
        if once is None:
            once = self._run_once[id(loop)] = calls_run_once_per_loop(loop)
        return id(call) in once

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        method = context.step_method(node)
        if method is None:
            return
        loops = context.loop_frames()
        if not loops:
            return
        step_id = argument(node, 0, sdk.STEP_ID_KEYWORD)
        if step_id is None:
            return
        loop = loops[-1]
        if uses_any(step_id, loop.changed) or has_opaque_call(step_id):
            return
        if isinstance(loop.node, (cst.For, cst.While)) and self._runs_once(loop.node, node):
            return
        literal = literal_string(step_id)
        shown = repr(literal) if literal is not None else context.tree.code_for_node(step_id)
        key = loop_target_hint(loop.node)
        base = literal if literal is not None else "step"
        kind = {"comprehension": "comprehension", "while": "while loop"}.get(loop.kind, f"{loop.kind} loop")
        self.report(
            step_id,
            f"step ID {shown} is the same on every iteration of this {kind}: memoized results are "
            f"matched by position and land on the wrong items when the list changes; "
            f'include a stable per-item key, e.g. f"{base}-{{{key}.id}}"',
            context=literal or "",
        )
