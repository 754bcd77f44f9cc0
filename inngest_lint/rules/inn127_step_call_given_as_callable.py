"""INN127 step-call-given-as-callable."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.steps import resolve_local_def
from inngest_lint.semantic.values import argument


class StepCallGivenAsCallable(Rule):
    """A step call or coroutine given to `ctx.group.parallel` where the SDK expects a callable.

    ## What it does
    Flags an element of the tuple or list given to `ctx.group.parallel(...)`, and a value of the
    `variants=` mapping of `ctx.group.experiment(...)`, that is a step call itself
    (`ctx.step.run("a", work)`, `step.invoke(...)`, `step.ai.infer(...)`) or a call of an
    `async def` of this file (`fetch(user)`), instead of a callable that makes it
    (`lambda: ctx.step.run("a", work)`).

    ## Why is this bad?
    `Group.parallel` (`inngest/_internal/step_lib/group.py`) calls each element: `await cb()`
    in the async group, `cb()` in the sync one; `Group.experiment` calls the chosen variant the
    same way (`inngest/experimental/experiment.py`). A step call written in the tuple runs
    before `parallel` is even called: in an `async def` it is a coroutine, and `cb()` raises
    `TypeError: 'coroutine' object is not callable`; in a plain `def` the steps run one after
    the other, not in parallel, and `cb()` then raises on their results. Either way the function
    fails on every run that reaches it.

    ## Use instead
    Or `functools.partial(ctx.step.run, "a", work_a)`.

    """

    code = "INN127"
    name = "step-call-given-as-callable"

    VALID = (
        """
        import functools

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="fan-out", trigger=inngest.TriggerEvent(event="app/fan-out"))
        async def fan_out(ctx: inngest.Context) -> None:
            await ctx.group.parallel((lambda: ctx.step.run("a", work_a), functools.partial(ctx.step.run, "b", work_b)))
            callables = [make_step(ctx, item) for item in ctx.event.data["items"]]
            await ctx.group.parallel(tuple(callables))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="fan-out", trigger=inngest.TriggerEvent(event="app/fan-out"))
        async def fan_out(ctx: inngest.Context) -> None:
            await ctx.group.parallel(
                (
                    ctx.step.run("a", work_a),  # error: INN127
                    lambda: ctx.step.run("b", work_b),
                )
            )
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if context.is_group_parallel(node):
            owner = f"{sdk.CONTEXT_GROUP_ATTRIBUTE}.{sdk.GROUP_PARALLEL_METHOD}"
            container = argument(node, 0, "callables")
            values = (
                [element.value for element in container.elements if isinstance(element, cst.Element)]
                if isinstance(container, (cst.Tuple, cst.List))
                else []
            )
        elif context.step_method(node) == sdk.GROUP_EXPERIMENT:
            owner = sdk.GROUP_EXPERIMENT
            variants = argument(node, 1, "variants")
            values = (
                [element.value for element in variants.elements if isinstance(element, cst.DictElement)]
                if isinstance(variants, cst.Dict)
                else []
            )
        else:
            return
        for value in values:
            what = self._not_callable(value)
            if what is None:
                continue
            written = snippet(context, value, 60)
            self.report(
                value,
                f"`ctx.{owner}` calls each of its callables, but `{written}` is {what}, not a callable: "
                f"it runs right away and fails with TypeError on every run that reaches it; "
                f"pass `lambda: {written}`",
                context=written,
            )

    def _not_callable(self, value: cst.BaseExpression) -> str | None:
        """What `value` is when it is certainly no callable: a step call, or a coroutine."""
        if isinstance(value, cst.Await):
            value = value.expression
        if not isinstance(value, cst.Call):
            return None
        if self.context.step_method(value) is not None:
            return "the step call itself"
        definition = resolve_local_def(self.context, value.func)
        if definition is not None and definition.asynchronous is not None and not definition.decorators:
            return f"a coroutine (`{definition.name.value}` is an `async def`)"
        return None
