"""INN118 http-without-timeout-in-step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint.diagnostics import Fix, Severity
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.edits import with_keyword_argument
from inngest_lint.semantic.replay import (
    Deferred,
    MissingTimeouts,
    StepHandlers,
    call_label,
)

#: The timeout the fix adds, in seconds (`requests` and `urlopen` both take seconds).
HTTP_TIMEOUT_SECONDS = 30

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext


class HttpWithoutTimeoutInStep(Rule):
    """A `requests` or `urlopen` call without `timeout=` in a step handler.

    ## What it does
    Flags `requests.get/post/put/patch/delete/head/options/request(...)` and
    `urllib.request.urlopen(...)` called without a timeout inside a step handler: a lambda or
    def passed to `step.run` in the same file (module-level defs included, directly or through
    `functools.partial`). The same methods on a `requests.Session` are flagged only when the
    session's class is certain (`requests.Session()` created in the handler, the enclosing
    function or the module) and the file mounts no transport adapter (`session.mount(...)`,
    which is how a default timeout is usually set).

    Project helpers are followed too: a helper called in a step handler
    (`lambda: sync_all(order)`, a nested def given to `step.run`) or a handler passed by name
    from any module (`step.run("sync", sync.sync_all, order)`), the helpers those call, and so
    on, up to `follow-depth` calls deep (default 4; cycles cut), `except` handlers included.
    Reported at the call in the handler (or at `step.run` for a handler passed by name), naming
    the chain ("'sync_all' (app/sync.py:5) calls 'http.fetch' (app/http.py:5), which calls
    `requests.get()` without `timeout=` (app/http.py:6)"). Functions listed in
    `side-effect-free-functions` are not followed; generators and decorated helpers are not read.

    Not flagged: `httpx` (its clients default to a 5-second timeout), calls that pass
    `**kwargs` (the timeout may be in them), and calls outside step handlers.

    Severity warning, as in pylint's `missing-timeout`: the call hangs only when the server
    misbehaves.

    ## Why is this bad?
    `requests` and `urlopen` wait forever by default. A server that accepts the connection and
    never answers keeps the step running until the platform or host kills it; the step then
    fails with a timeout far from the cause, after holding a worker the whole time. With a
    timeout, the step fails fast and Inngest retries it.

    ## Fix
    Adds `timeout=30` (seconds, for both `requests` and `urlopen`). Unsafe: a request that
    used to wait as long as the server took now fails after 30 seconds (and the step is
    retried), which is what a step wants from a hung server but may cut off a slow endpoint
    that is merely slow; choose the value the endpoint needs.
    """

    code = "INN118"
    name = "http-without-timeout-in-step"
    severity = Severity.WARNING
    fixable = "unsafe"

    FIXES = (
        (
            """
            import inngest
            import requests

            client = inngest.Inngest(app_id="app")


            @client.create_function(fn_id="rates", trigger=inngest.TriggerEvent(event="app/rates"))
            def rates(ctx: inngest.ContextSync) -> None:
                ctx.step.run("ping", lambda: requests.post("https://hooks.example.com/ping"))
            """,
            """
            import inngest
            import requests

            client = inngest.Inngest(app_id="app")


            @client.create_function(fn_id="rates", trigger=inngest.TriggerEvent(event="app/rates"))
            def rates(ctx: inngest.ContextSync) -> None:
                ctx.step.run("ping", lambda: requests.post("https://hooks.example.com/ping", timeout=30))
            """,
        ),
    )

    VALID = (
        """
        import inngest
        import requests

        client = inngest.Inngest(app_id="app")


        def fetch_rates() -> dict:
            return requests.get("https://rates.example.com/latest", timeout=10).json()


        @client.create_function(fn_id="rates", trigger=inngest.TriggerEvent(event="app/rates"))
        def rates(ctx: inngest.ContextSync) -> None:
            ctx.step.run("rates", fetch_rates)
        """,
        """
        import httpx
        import inngest
        import requests

        client = inngest.Inngest(app_id="app")


        def fetch_rates() -> dict:
            return requests.get("https://rates.example.com/latest", timeout=10).json()


        def fetch_news() -> dict:
            return httpx.get("https://news.example.com/latest").json()  # httpx has a default timeout


        @client.create_function(fn_id="rates", trigger=inngest.TriggerEvent(event="app/rates"))
        def rates(ctx: inngest.ContextSync) -> None:
            ctx.step.run("rates", fetch_rates)
            ctx.step.run("news", fetch_news)
        """,
    )
    INVALID = (
        """
        import inngest
        import requests

        client = inngest.Inngest(app_id="app")


        def fetch_rates() -> dict:
            return requests.get("https://rates.example.com/latest").json()  # error: INN118


        @client.create_function(fn_id="rates", trigger=inngest.TriggerEvent(event="app/rates"))
        def rates(ctx: inngest.ContextSync) -> None:
            ctx.step.run("rates", fetch_rates)
        """,
        """
        import inngest
        import requests

        client = inngest.Inngest(app_id="app")


        def fetch_rates() -> dict:
            return requests.get("https://rates.example.com/latest").json()  # error: INN118


        @client.create_function(fn_id="rates", trigger=inngest.TriggerEvent(event="app/rates"))
        def rates(ctx: inngest.ContextSync) -> None:
            ctx.step.run("rates", fetch_rates)
            ctx.step.run("ping", lambda: requests.post("https://hooks.example.com/ping"))  # error: INN118
        """,
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.handlers = StepHandlers(context)
        self.timeouts = MissingTimeouts(context)
        self.deferred = Deferred()
        self._fixes: dict[int, Fix | None] = {}  # call id -> its fix, for reports made at the end

    def visit_Call(self, node: cst.Call) -> None:
        self.handlers.visit_Call(node)
        scope = self.handlers.scope()
        if scope is None or not self.timeouts.of(node):
            return
        label = call_label(self.context, node)
        message = (
            f"`{label}` without `timeout=` in {self.handlers.label(scope.node)} can hang until the platform "
            f"kills the step; pass `timeout=` (e.g. `timeout=30`) so it fails fast and is retried"
        )
        fix = self.context.fix(
            f"add timeout={HTTP_TIMEOUT_SECONDS}",
            [(node, with_keyword_argument(node, "timeout", cst.Integer(str(HTTP_TIMEOUT_SECONDS))))],
            safe=False,
        )
        if scope.certain:
            self.report(node, message, context=label, fix=fix)
        else:
            self._fixes[id(node)] = fix
            self.deferred.add(scope.node, node, message, label)

    def finish(self) -> None:
        for handler, node, message, context in self.deferred.items():
            if self.handlers.is_handler(handler):
                self.report(node, message, context=context, fix=self._fixes.get(id(node)))
