"""INN117 exception-swallowed-as-success."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Severity
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.replay import (
    Deferred,
    StepHandlers,
    function_label,
    swallowing_handlers,
    tail_trys,
)
from inngest_lint.semantic.replay_flow import makes_step_call

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext

NON_RETRIABLE_NAME = sdk.NON_RETRIABLE_ERROR.rsplit(".", 1)[-1]


class ExceptionSwallowedAsSuccess(Rule):
    """A broad `except` in an Inngest function or step handler that ends without raising.

    ## What it does
    Flags an `except:`, `except Exception` or `except BaseException` handler (or a tuple that
    contains one of them) directly in an Inngest function body or in a step handler (a lambda or
    def given to `step.run` in the same file, including module-level defs) when the handler
    returns, or when it falls off the end of the function or handler (the `try` is its last
    statement).

    Not flagged:
    - a handler that raises anywhere (`raise`, `raise NonRetriableError(...) from err`, a
      conditional `if ctx.attempt < 3: raise`): failing is a deliberate choice there;
    - narrow exception types (`except httpx.TimeoutException`);
    - per-item handlers in a loop that `continue` or fall through to the next item;
    - a handler that falls through to more code after the `try` (a fallback value,
      `except Exception: data = None`), which may still fail the run;
    - in a function body, a handler that makes a step call (a compensating step, a failure
      notification): the run's history shows the handling.

    Severity warning: what the handler does is certain, but a best-effort step (a metric push, a
    probe that answers `False` on any error) may swallow failures on purpose.

    Handlers that call a project helper which always raises are not followed yet (a later
    version will read such helpers); add `raise` after the call, or a `# noqa: INN117`.

    Project helpers are followed one level deep, in this file or another module, when their
    own body has such a handler and their result becomes the step's or the run's result: a
    `def` imported from another module given to `step.run` (reported at the `step.run`), and a
    helper call whose value a step handler defined in the function, or the function itself,
    returns: `lambda: fetch_profile(user_id)`, `return load_settings()`,
    `return await fetch(...)` (reported at the call, naming the helper). A helper called as a
    statement (`notify_slack(...)`) or whose result the caller keeps and checks is not
    reported: a best-effort helper that logs and returns a fallback is deliberate there, and
    the caller can still fail the step on the fallback. Decorated helpers and generators are
    not followed.

    ## Why is this bad?
    Inngest retries a step or a function when it raises, and calls `on_failure` when retries are
    exhausted. A handler that catches everything and returns turns every failure, including
    transient ones a retry would fix, into a success: the step's fallback value is memoized for
    good, the run is marked completed, and nobody is alerted.

    ## Use instead
    Let the error propagate so the step is retried, or stop retrying when it cannot help.
    """

    code = "INN117"
    name = "exception-swallowed-as-success"
    severity = Severity.WARNING

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")


        def fetch_profile(user_id: str) -> dict:
            try:
                return crm.get_profile(user_id)
            except crm.NotFound as err:
                raise inngest.NonRetriableError(f"no profile for {user_id}") from err


        @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="app/sync"))
        def sync(ctx: inngest.ContextSync) -> None:
            profile = ctx.step.run("fetch", fetch_profile, ctx.event.data["user_id"])
            ctx.step.run("store", store_profile, profile)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")


        def fetch_profile(user_id: str) -> dict:
            try:
                return crm.get_profile(user_id)
            except crm.NotFound as err:
                raise inngest.NonRetriableError(f"no profile for {user_id}") from err


        @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="app/sync"))
        def sync(ctx: inngest.ContextSync) -> dict:
            profile = ctx.step.run("fetch", fetch_profile, ctx.event.data["user_id"])
            failed = []
            for item in ctx.event.data["items"]:
                try:
                    ctx.step.run(f"push-{item['id']}", push, item)
                except Exception:
                    failed.append(item["id"])
                    continue
            try:
                ctx.step.run("charge", charge, profile)
            except Exception:
                ctx.step.run("refund", refund, profile)  # a compensating step
                raise
            return {"failed": failed}
        """,
        {
            "app/slack.py": """
                import logging

                logger = logging.getLogger(__name__)

                def notify_slack(text: str) -> bool:
                    try:
                        slack.post(text)
                        return True
                    except Exception:
                        logger.warning("slack notification failed")
                        return False
            """,
            "app/jobs.py": """
                import inngest
                from app.slack import notify_slack

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="app/sync"))
                async def sync(ctx: inngest.Context) -> dict:
                    profile = await ctx.step.run("fetch", fetch_profile, ctx.event.data["user_id"])
                    notify_slack(f"synced {profile['id']}")  # best effort, on purpose
                    return profile
            """,
        },
    )
    INVALID = (
        """
        import logging

        import inngest

        client = inngest.Inngest(app_id="app")
        logger = logging.getLogger(__name__)


        def fetch_profile(user_id: str) -> dict | None:
            try:
                return crm.get_profile(user_id)
            except Exception:  # error: INN117
                logger.exception("profile fetch failed")
                return None


        @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="app/sync"))
        def sync(ctx: inngest.ContextSync) -> None:
            profile = ctx.step.run("fetch", fetch_profile, ctx.event.data["user_id"])
            ctx.step.run("store", store_profile, profile)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")


        def fetch_profile(user_id: str) -> dict | None:
            try:
                return crm.get_profile(user_id)
            except Exception:  # error: INN117
                return None


        @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="app/sync"))
        def sync(ctx: inngest.ContextSync) -> dict:
            try:
                profile = ctx.step.run("fetch", fetch_profile, ctx.event.data["user_id"])
                return {"ok": bool(profile)}
            except Exception as err:  # error: INN117
                ctx.logger.error("sync failed: %s", err)
                return {"ok": False}
        """,
        {
            "app/profiles.py": """
                import logging

                logger = logging.getLogger(__name__)

                def fetch_profile(user_id: str) -> dict | None:
                    try:
                        return crm.get_profile(user_id)
                    except Exception:
                        logger.exception("profile fetch failed")
                        return None
            """,
            "app/jobs.py": """
                import inngest
                from app.profiles import fetch_profile

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="app/sync"))
                async def sync(ctx: inngest.Context) -> None:
                    user_id = ctx.event.data["user_id"]
                    profile = await ctx.step.run("fetch", lambda: fetch_profile(user_id))  # error: INN117
                    await ctx.step.run("store", store_profile, profile)
            """,
        },
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.handlers = StepHandlers(context)
        self.deferred = Deferred()
        self._tails: dict[int, set[int]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        self.handlers.visit_Call(node)

    def visit_Try(self, node: cst.Try) -> None:
        context = self.context
        frame = context.frame
        innermost = len(context.frames) - 1
        scope = None
        if frame.inngest is None:
            scope = self.handlers.scope()
            if scope is None or scope.index != innermost:
                return
        in_loop = bool(context.loop_frames())
        at_tail = id(node) in self._tail_trys(frame.node)
        for swallowing in swallowing_handlers(context, node, in_loop=in_loop, at_tail=at_tail):
            handler, caught = swallowing.handler, swallowing.caught
            ending = "returns" if swallowing.returns else "ends without raising"
            if scope is None:
                assert frame.inngest is not None  # no step scope: the try is in the function's own body
                if makes_step_call(context, handler.body):
                    continue
                message = (
                    f"`{caught}` in Inngest function {function_label(frame.inngest)} {ending}: the run is "
                    f"recorded as succeeded, so retries and on_failure never happen; re-raise, or raise "
                    f"{NON_RETRIABLE_NAME} when retrying cannot help"
                )
                self.report(handler, message, context=caught)
                continue
            message = (
                f"`{caught}` in {self.handlers.label(scope.node)} {ending}: the step is recorded as "
                f"succeeded with that result and is never retried; re-raise, or raise {NON_RETRIABLE_NAME} "
                f"when retrying cannot help"
            )
            if scope.certain:
                self.report(handler, message, context=caught)
            else:
                self.deferred.add(scope.node, handler, message, caught)

    def finish(self) -> None:
        for handler, node, message, context in self.deferred.items():
            if self.handlers.is_handler(handler):
                self.report(node, message, context=context)

    def _tail_trys(self, function: cst.CSTNode) -> set[int]:
        """ids of `try` statements whose fall-through ends the function (its last statement)."""
        if id(function) not in self._tails:
            self._tails[id(function)] = tail_trys(function)
        return self._tails[id(function)]
