"""INN114 async-callback-in-sync-step."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.steps import (
    SYNC,
    called_def,
    resolve_local_def,
    step_flavor,
    step_id_context,
    step_label,
    step_run_handler,
    unwrap_partial,
)


class AsyncCallbackInSyncStep(Rule):
    """An `async def` callback given to the blocking `StepSync.run` of a plain `def` function.

    ## What it does
    Flags `ctx.step.run(...)` in a plain `def` Inngest function (or a helper whose step object is
    annotated `inngest.StepSync` / context `inngest.ContextSync`) whose callback is an
    `async def` of the same file: by name, through `functools.partial`, or called by the lambda
    given as the callback; or an `async def` imported from another module of the project.

    ## Why is this bad?
    A plain `def` handler gets `StepSync`, whose `run` simply calls the callback. Calling an
    `async def` only creates a coroutine: the callback's body never runs, the coroutine cannot
    be serialized as the step's output (a non-retriable `OutputUnserializableError`), and Python
    warns that it was never awaited.

    ## Use instead
    Make the Inngest function async (its `Step.run` awaits async callbacks), or the callback a
    plain `def`.

    ## Not flagged
    Decorated `async def` callbacks: a decorator such as `async_to_sync` may make them sync.
    """

    code = "INN114"
    name = "async-callback-in-sync-step"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        async def fetch_profile(user_id: str) -> dict:
            return {"id": user_id}

        @client.create_function(fn_id="profile", trigger=inngest.TriggerEvent(event="app/user"))
        async def profile(ctx: inngest.Context) -> None:
            await ctx.step.run("fetch", fetch_profile, ctx.event.data["user_id"])
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        async def fetch_profile(user_id: str) -> dict:
            return {"id": user_id}

        def fetch_profile_sync(user_id: str) -> dict:
            return {"id": user_id}

        @client.create_function(fn_id="profile-async", trigger=inngest.TriggerEvent(event="app/user"))
        async def profile_async(ctx: inngest.Context) -> None:
            await ctx.step.run("fetch", fetch_profile, ctx.event.data["user_id"])

        @client.create_function(fn_id="profile-sync", trigger=inngest.TriggerEvent(event="app/user"))
        def profile_sync(ctx: inngest.ContextSync) -> None:
            ctx.step.run("fetch", fetch_profile_sync, ctx.event.data["user_id"])
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        async def fetch_profile(user_id: str) -> dict:
            return {"id": user_id}

        @client.create_function(fn_id="profile", trigger=inngest.TriggerEvent(event="app/user"))
        def profile(ctx: inngest.ContextSync) -> None:
            ctx.step.run("fetch", fetch_profile, ctx.event.data["user_id"])  # error: INN114
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if context.step_method(node) != sdk.STEP_RUN:
            return
        handler = step_run_handler(node)
        if handler is None:
            return
        if step_flavor(context, node) != SYNC:
            return
        handler = unwrap_partial(context, handler)
        definition = (
            called_def(context, handler) if isinstance(handler, cst.Lambda) else resolve_local_def(context, handler)
        )
        if definition is None or definition.asynchronous is None or definition.decorators:
            return
        function = context.enclosing_function()
        where = (
            f"the plain def function '{function.handler.name.value}'"
            if function is not None and function.handler is not None
            else "a sync step object"
        )
        how = "a lambda calling " if isinstance(handler, cst.Lambda) else ""
        self.report(
            node,
            f"{step_label(context, node)} runs {how}async def '{definition.name.value}' with the "
            f"blocking StepSync.run of {where}: it returns an un-awaited coroutine that cannot be "
            f"serialized; make the callback a plain def or the function async",
            context=step_id_context(node),
        )
