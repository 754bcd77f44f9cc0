"""INN113 step-parallel-removed."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import snippet


class StepParallelRemoved(Rule):
    """`step.parallel(...)`, which SDK 0.5 removed.

    ## What it does
    Flags `ctx.step.parallel(...)` and `step.parallel(...)` (the second parameter of an old
    `(ctx, step)` handler, or any alias of `ctx.step`).

    ## Why is this bad?
    `step.parallel` existed in SDK 0.3, was deprecated in 0.4 in favour of `ctx.group.parallel`,
    and was removed in 0.5: the call raises `AttributeError` when the function reaches it, after
    the earlier steps already ran.

    ## Not flagged
    A `parallel` method on an object that is not the step object.
    """

    code = "INN113"
    name = "step-parallel-removed"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="fan-out", trigger=inngest.TriggerEvent(event="app/fan-out"))
        async def fan_out(ctx: inngest.Context) -> None:
            await ctx.group.parallel((lambda: ctx.step.run("a", work_a), lambda: ctx.step.run("b", work_b)))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="fan-out", trigger=inngest.TriggerEvent(event="app/fan-out"))
        async def fan_out(ctx: inngest.Context, step: inngest.Step) -> None:
            await step.parallel((lambda: step.run("a", work_a), lambda: step.run("b", work_b)))  # error: INN113
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        method = context.step_method(node)
        if method is None or method not in sdk.REMOVED_STEP_METHODS:
            return
        self.report(
            node,
            f"`{snippet(context, node.func)}(...)` was removed in SDK 0.5 (deprecated since 0.4): "
            f"use ctx.group.parallel((...)) with the same callables",
        )
