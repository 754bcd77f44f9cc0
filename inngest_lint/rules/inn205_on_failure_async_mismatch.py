"""INN205 on-failure-async-mismatch."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.steps import resolve_local_def
from inngest_lint.semantic.values import keyword


class OnFailureAsyncMismatch(Rule):
    """An `on_failure` handler that is `async def` for a plain `def` function, or the reverse.

    ## What it does
    Flags `create_function(on_failure=handler)` when `handler` is a def of this file (not
    decorated) whose kind, `async def` or `def`, differs from the Inngest function's own handler.

    ## Why is this bad?
    SDK 0.5 refuses the pair when the function is created: `Function.__init__`
    (`inngest/_internal/function.py`) raises `inngest.Error("an async function cannot have a
    non-async on_failure handler ...")` or its reverse, so the module fails to import and the
    app does not start. SDK 0.4 accepts the pair and runs the failure handler through the
    function's own execution (`Function.call_sync` -> `ExecutionV0Sync.run`,
    `inngest/_internal/execution_lib/v0.py`): an `async def` handler of a sync function is
    answered with `AsyncUnsupportedError("encountered async function in non-async context")`, so
    it never runs, exactly when it is needed; a sync handler of an async function runs there.

    ## Not flagged
    A plain `def` on_failure handler of an `async def` function in a project that names SDK 0.3
    or 0.4 (a lock file, a pin or a constraint, read as `facts.sdk_version` reads them): it runs
    there. With no version named, the newest SDK is assumed and the pair is flagged.

    ## Why no automatic fix
    None automatic: turning a handler into `async def` (or back) changes how its body must call
    steps (`await`), which is more than one edit.
    """

    code = "INN205"
    name = "on-failure-async-mismatch"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        async def release_seat(ctx: inngest.Context) -> None:
            await ctx.step.run("release", release, ctx.event.data["event"]["data"]["seat"])


        @client.create_function(
            fn_id="reserve", trigger=inngest.TriggerEvent(event="shop/seat"), on_failure=release_seat
        )
        async def reserve(ctx: inngest.Context) -> None:
            await ctx.step.run("reserve", reserve_seat)
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        def release_seat(ctx: inngest.ContextSync) -> None:
            ctx.step.run("release", release, ctx.event.data["event"]["data"]["seat"])


        @client.create_function(
            fn_id="reserve",
            trigger=inngest.TriggerEvent(event="shop/seat"),
            on_failure=release_seat,  # error: INN205
        )
        async def reserve(ctx: inngest.Context) -> None:
            await ctx.step.run("reserve", reserve_seat)
        """,
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        info = self.context.frame.inngest
        if info is None or info.handler is not node:
            return
        handler = keyword(info.create_call, sdk.CREATE_FUNCTION_ON_FAILURE_KEYWORD)
        if handler is None:
            return
        definition = resolve_local_def(self.context, handler)
        if definition is None or definition.decorators:
            return
        failure_is_async = definition.asynchronous is not None
        if failure_is_async == info.is_async:
            return
        if not failure_is_async and _keyword_era(self.context):
            return  # 0.3/0.4 run a sync on_failure handler of an async function as they run any
        kinds = ("async def", "def") if failure_is_async else ("def", "async def")
        self.report(
            handler,
            f"on_failure handler '{definition.name.value}' is `{kinds[0]}` but Inngest function "
            f"'{node.name.value}' is `{kinds[1]}`: the SDK raises when the function is created (0.5; the app does "
            f"not start) or cannot run the handler; make both the same kind",
        )


def _keyword_era(context: FileContext) -> bool:
    """Whether the project pins an SDK before 0.5 (a lock file, a pin or a constraint names it,
    see `facts.sdk_version`). Only 0.5's `Function.__init__` rejects a plain `def` on_failure
    handler for an `async def` function; 0.3 and 0.4 call it as they call any sync handler. With
    no version named, the newest (0.5) is assumed, as the rest of the table is. Read only when a
    mismatch is found: the lock files are not read for other files."""
    from inngest_lint.facts.sdk_version import SdkVersions

    version = SdkVersions(context.settings.sdk_version).for_path(context.path)
    return version.known and version.series < (0, 5)
