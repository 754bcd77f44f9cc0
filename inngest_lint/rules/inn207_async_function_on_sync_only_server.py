"""INN207 async-function-on-sync-only-server."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.facts.model import InngestFunction
from inngest_lint.rules.base import ProjectRule


class AsyncFunctionOnSyncOnlyServer(ProjectRule):
    """An `async def` Inngest function served by a framework that runs sync functions only.

    ## What it does
    Flags an async Inngest function in the function list of `inngest.tornado.serve(...)` or
    `inngest.digital_ocean.serve(...)`.

    ## Why is this bad?
    Those integrations only wire the SDK's synchronous handlers. An async function reaches a
    code path that raises `UnreachableError("handler is not sync")` on every run.

    ## Use instead
    Make the function a plain `def` (its context is then `inngest.ContextSync`), or serve async
    functions with FastAPI, Flask, Django or Connect.
    """

    code = "INN207"
    name = "async-function-on-sync-only-server"

    VALID = (
        """
        import inngest
        import inngest.tornado
        import tornado.web

        client = inngest.Inngest(app_id="app")
        app = tornado.web.Application()

        @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
        def a(ctx): ...

        inngest.tornado.serve(app, client, [a])
        """,
    )
    INVALID = (
        """
        import inngest
        import inngest.tornado
        import tornado.web

        client = inngest.Inngest(app_id="app")
        app = tornado.web.Application()

        @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
        async def a(ctx): ...

        inngest.tornado.serve(app, client, [a])  # error: INN207
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        for _, serve in self.index.serve_calls():
            if not serve.sync_only:
                continue
            items, _ = self.index.expand_list(serve.functions)
            for resolved, location in items:
                if (
                    resolved.kind == "function"
                    and isinstance(resolved.value, InngestFunction)
                    and resolved.value.is_async
                ):
                    framework = serve.entry_point.rsplit(".", 2)[-2]
                    yield self.diagnostic(
                        location,
                        f"async Inngest function '{resolved.value.handler_name}' is served by "
                        f"{serve.entry_point}, which runs sync functions only ({framework} raises "
                        f"'handler is not sync'); make it a plain def or serve it with another framework",
                        caused_by=resolved.value.location,
                    )
