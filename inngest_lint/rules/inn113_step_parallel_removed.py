"""INN113 step-parallel-removed."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
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

    ## Fix
    `step.parallel(...)` becomes `ctx.group.parallel(...)` with the same arguments (`ctx` being
    the function's context parameter). Safe: the call as written raises `AttributeError` on SDK
    0.5, and `Group.parallel` (`inngest/_internal/step_lib/group.py`) takes the same tuple of
    callables and runs them as one parallel group, as `step.parallel` did. Not offered when the
    function's context parameter cannot be told.
    """

    code = "INN113"
    name = "step-parallel-removed"
    fixable = "safe"

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="fan-out", trigger=inngest.TriggerEvent(event="app/fan-out"))
            async def fan_out(ctx: inngest.Context, step: inngest.Step) -> None:
                await step.parallel((lambda: step.run("a", work_a), lambda: step.run("b", work_b)))
                await ctx.step.parallel((lambda: ctx.step.run("c", work_c),))
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="fan-out", trigger=inngest.TriggerEvent(event="app/fan-out"))
            async def fan_out(ctx: inngest.Context, step: inngest.Step) -> None:
                await ctx.group.parallel((lambda: step.run("a", work_a), lambda: step.run("b", work_b)))
                await ctx.group.parallel((lambda: ctx.step.run("c", work_c),))
            """,
        ),
    )

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
            fix=self._fix(node),
        )

    def _fix(self, node: cst.Call) -> Fix | None:
        func = node.func
        assert isinstance(func, cst.Attribute)
        receiver = func.value
        if isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name):
            context_name = receiver.value.value  # ctx.step.parallel
        else:
            names = self._context_names()
            if len(names) != 1:
                return None
            context_name = names[0]
        if not self.context.is_context_name(context_name):
            return None
        group = cst.Attribute(cst.Name(context_name), cst.Name(sdk.CONTEXT_GROUP_ATTRIBUTE))
        new_func = cst.Attribute(group, cst.Name(sdk.GROUP_PARALLEL_METHOD))
        return self.context.fix(f"call {context_name}.group.parallel", [(func, new_func)])

    def _context_names(self) -> list[str]:
        """The context names of the nearest function that has one."""
        for frame in reversed(self.context.frames):
            if frame.ctx_names:
                return sorted(frame.ctx_names)
        return []
