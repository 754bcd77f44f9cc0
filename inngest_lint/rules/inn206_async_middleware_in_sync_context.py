"""INN206 async-middleware-in-sync-context."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules._config import qualified_call
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.values import keyword


@dataclass
class _Client:
    """A module-level `name = inngest.Inngest(..., middleware=[...])` and its async middleware."""

    name: str
    async_middleware: list[tuple[cst.CSTNode, str]]
    sync_uses: list[str] = field(default_factory=list)


class AsyncMiddlewareInSyncContext(Rule):
    """An `inngest.Middleware` (async) on a client that runs sync functions or `send_sync`.

    ## What it does
    Flags a class of this file that derives from `inngest.Middleware` when it is given to
    `inngest.Inngest(middleware=[...])` of a client that, in the same file, creates a plain
    `def` Inngest function or calls `send_sync`, or to `create_function(middleware=[...])` of a
    plain `def` function. `inngest.MiddlewareSync` subclasses are never flagged: they work in
    both kinds of code.

    ## Why is this bad?
    `inngest.Middleware`'s hooks are all `async def` (`inngest/_internal/middleware_lib/middleware.py`),
    so a subclass keeps async hooks even where it overrides none. A sync function runs its
    middleware through `MiddlewareManager.before_execution_sync`, `transform_input_sync`, ...
    and `send_sync` through `before_send_events_sync` (`middleware_lib/manager.py`), which test
    each hook with `inspect.iscoroutinefunction` and fail with
    `AsyncUnsupportedError("encountered async middleware in non-async context")`: every sync
    run fails, and so does every `send_sync` (SDK 0.3 to 0.5).

    ## Why no automatic fix
    None automatic: the hooks must become plain `def`s (and stop awaiting), which is the
    author's rewrite.
    """

    code = "INN206"
    name = "async-middleware-in-sync-context"

    VALID = (
        """
        import inngest


        class Tracing(inngest.MiddlewareSync):
            def before_execution(self) -> None:
                pass


        client = inngest.Inngest(app_id="shop", middleware=[Tracing])


        @client.create_function(fn_id="job", trigger=inngest.TriggerEvent(event="shop/job"))
        def job(ctx: inngest.ContextSync) -> None:
            pass
        """,
    )
    INVALID = (
        """
        import inngest


        class Tracing(inngest.Middleware):
            async def before_execution(self) -> None:
                pass


        client = inngest.Inngest(app_id="shop", middleware=[Tracing])  # error: INN206


        @client.create_function(fn_id="job", trigger=inngest.TriggerEvent(event="shop/job"))
        def job(ctx: inngest.ContextSync) -> None:
            pass
        """,
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._async_classes: set[str] = set()
        self._clients: dict[str, _Client] = {}

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if len(self.context.frames) > 2:  # the class's own frame and the module
            return
        for base in node.bases:
            if isinstance(base.value, (cst.Name, cst.Attribute)) and self.context.qualify(base.value) == (
                sdk.ASYNC_MIDDLEWARE_CLASS
            ):
                self._async_classes.add(node.name.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.context.frame.kind != "module" or len(node.targets) != 1:
            return
        target = node.targets[0].target
        value = node.value
        if not isinstance(target, cst.Name) or not isinstance(value, cst.Call):
            return
        if qualified_call(self.context, value) != sdk.CLIENT_CLASS:
            return
        found = self._async_items(keyword(value, sdk.MIDDLEWARE_KEYWORD))
        if found:
            self._clients[target.value] = _Client(target.value, found)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        info = self.context.frame.inngest
        if info is None or info.handler is not node or info.is_async:
            return
        for item, class_name in self._async_items(keyword(info.create_call, sdk.MIDDLEWARE_KEYWORD)):
            self.report(
                item,
                f"'{class_name}' is an `inngest.Middleware` (async hooks) on the plain `def` function "
                f"'{node.name.value}': the SDK fails every run with AsyncUnsupportedError; derive it from "
                f"`inngest.MiddlewareSync`",
            )
        client = info.client_expr
        if isinstance(client, cst.Name) and client.value in self._clients:
            self._clients[client.value].sync_uses.append(f"the plain `def` function '{node.name.value}'")

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == sdk.CLIENT_SYNC_SEND_METHOD
            and isinstance(func.value, cst.Name)
            and func.value.value in self._clients
            and self.context.qualify(func.value) is not None
        ):
            self._clients[func.value.value].sync_uses.append(f"`{func.value.value}.send_sync()`")

    def finish(self) -> None:
        for client in self._clients.values():
            if not client.sync_uses:
                continue
            uses = client.sync_uses[0] + (
                f" (and {len(client.sync_uses) - 1} more)" if len(client.sync_uses) > 1 else ""
            )
            for item, class_name in client.async_middleware:
                self.report(
                    item,
                    f"'{class_name}' is an `inngest.Middleware` (async hooks), but client '{client.name}' runs "
                    f"{uses}: the SDK fails each with AsyncUnsupportedError; derive it from `inngest.MiddlewareSync`, "
                    f"which works in both",
                )

    def _async_items(self, middleware: cst.BaseExpression | None) -> list[tuple[cst.CSTNode, str]]:
        if not isinstance(middleware, (cst.List, cst.Tuple)):
            return []
        return [
            (element.value, element.value.value)
            for element in middleware.elements
            if isinstance(element.value, cst.Name) and element.value.value in self._async_classes
        ]
