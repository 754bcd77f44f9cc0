"""INN118 http-without-timeout-in-step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint.diagnostics import Severity
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.replay import (
    REQUESTS_TIMEOUT_METHODS,
    SESSION_REQUEST_TIMEOUT_INDEX,
    URLOPEN_TIMEOUT_INDEX,
    Deferred,
    Origins,
    StepHandlers,
    call_label,
    has_keyword_splat,
    has_star_args,
    positional_count,
)
from inngest_lint.semantic.traverse import children
from inngest_lint.semantic.values import keyword

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

    Not flagged: `httpx` (its clients default to a 5-second timeout), calls that pass
    `**kwargs` (the timeout may be in them), and calls outside step handlers.

    Severity warning, as in pylint's `missing-timeout`: the call hangs only when the server
    misbehaves.

    ## Why is this bad?
    `requests` and `urlopen` wait forever by default. A server that accepts the connection and
    never answers keeps the step running until the platform or host kills it; the step then
    fails with a timeout far from the cause, after holding a worker the whole time. With a
    timeout, the step fails fast and Inngest retries it.
    """

    code = "INN118"
    name = "http-without-timeout-in-step"
    severity = Severity.WARNING

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
        self.origins = Origins(context)
        self.deferred = Deferred()
        self._mounts: bool | None = None

    def visit_Call(self, node: cst.Call) -> None:
        self.handlers.visit_Call(node)
        if not isinstance(node.func, (cst.Name, cst.Attribute)):
            return
        if has_keyword_splat(node) or keyword(node, "timeout") is not None:
            return
        scope = self.handlers.scope()
        if scope is None:
            return
        found = self.origins.http_call(node)
        if found is None:
            return
        library, method = found
        if library == "urllib":
            if has_star_args(node) or positional_count(node) > URLOPEN_TIMEOUT_INDEX:
                return
        elif library == "requests":
            short = method.rsplit(".", 1)[-1]
            if short not in REQUESTS_TIMEOUT_METHODS:
                return
            if method.startswith("requests-client."):
                if self._file_mounts_adapters():
                    return
                if short == "request" and (
                    has_star_args(node) or positional_count(node) > SESSION_REQUEST_TIMEOUT_INDEX
                ):
                    return
        else:
            return  # httpx defaults to a timeout; aiohttp sessions default to 5 minutes
        label = call_label(self.context, node)
        message = (
            f"`{label}` without `timeout=` in {self.handlers.label(scope.node)} can hang until the platform "
            f"kills the step; pass `timeout=` (e.g. `timeout=30`) so it fails fast and is retried"
        )
        if scope.certain:
            self.report(node, message, context=label)
        else:
            self.deferred.add(scope.node, node, message, label)

    def finish(self) -> None:
        for handler, node, message, context in self.deferred.items():
            if self.handlers.is_handler(handler):
                self.report(node, message, context=context)

    def _file_mounts_adapters(self) -> bool:
        """Whether the file calls `.mount(...)` anywhere (a transport adapter may set a timeout)."""
        if self._mounts is None:
            self._mounts = False
            stack: list[cst.CSTNode] = [self.context.tree]
            while stack:
                current = stack.pop()
                if (
                    isinstance(current, cst.Call)
                    and isinstance(current.func, cst.Attribute)
                    and current.func.attr.value == "mount"
                ):
                    self._mounts = True
                    break
                stack.extend(children(current))
        return self._mounts
