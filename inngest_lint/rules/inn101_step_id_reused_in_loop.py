"""INN101 step-id-reused-in-loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
from inngest_lint.rules._helpers import (
    calls_run_once_per_loop,
    has_opaque_call,
    loop_target_hint,
    uses_any,
)
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.traverse import children
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

    ## Fix
    For a plain string ID in a `for` loop or comprehension over one plain name, the ID becomes
    an f-string with the loop variable (`"process"` -> `f"process-{order_id}"`), unless the
    call reads a field of that variable (`item["id"]`: the item is a record, and a human should
    pick its key). Unsafe: the
    step IDs change, so runs in flight when the change deploys do not find their memoized
    results and run those steps again; and the loop variable makes a good key only when its
    text is short, stable and unique per item (an ID, not a whole dict). Prefer a field such as
    `{item['id']}` where the items are records.
    """

    code = "INN101"
    name = "step-id-reused-in-loop"
    fixable = "unsafe"

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
            async def handler(ctx: inngest.Context) -> None:
                for order_id in ctx.event.data["order_ids"]:
                    await ctx.step.run("process", process, order_id)
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
            async def handler(ctx: inngest.Context) -> None:
                for order_id in ctx.event.data["order_ids"]:
                    await ctx.step.run(f"process-{order_id}", process, order_id)
            """,
        ),
    )

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
            fix=self._fix(node, step_id, loop.node),
        )

    def _fix(self, call: cst.Call, step_id: cst.BaseExpression, loop: cst.CSTNode) -> Fix | None:
        """`f"<id>-{<loop variable>}"` for a plain string ID in a loop over one plain name that
        the call does not use as a record (`item["id"]`, `item.id`: its text is no key). A loop
        variable named `_` says the value is unused: which key tells the iterations apart is for
        a human to choose."""
        target = loop.target if isinstance(loop, cst.For) else getattr(getattr(loop, "for_in", None), "target", None)
        if not isinstance(target, cst.Name) or not isinstance(step_id, cst.SimpleString) or target.value == "_":
            return None
        if _used_as_record(call, target.value):
            return None
        quote = step_id.quote
        body = step_id.value[len(step_id.prefix) + len(quote) : len(step_id.value) - len(quote)]
        if step_id.prefix or len(quote) != 1 or any(char in body for char in "\\{}"):
            return None
        new_id = cst.FormattedString(
            parts=[cst.FormattedStringText(f"{body}-"), cst.FormattedStringExpression(cst.Name(target.value))],
            start=f"f{quote}",
            end=quote,
        )
        return self.context.fix(f"add {{{target.value}}} to the step ID", [(step_id, new_id)], safe=False)


def _used_as_record(call: cst.Call, name: str) -> bool:
    """Whether `call` reads a field or item of `name` (`name["id"]`, `name.id`)."""
    stack: list[cst.CSTNode] = [call]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Subscript, cst.Attribute)) and isinstance(current.value, cst.Name):
            if current.value.value == name:
                return True
        stack.extend(children(current))
    return False
