"""INN121 log-repeated-on-replay."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Severity
from inngest_lint.rules._replay_body import ReplayBodyRule
from inngest_lint.semantic.names import positional_parameters
from inngest_lint.semantic.replay import Held, call_label, function_label
from inngest_lint.semantic.steps import is_builtin

#: The standard library's module-level logging functions (`logging.info(...)`).
_LOGGING_MODULE = "logging"
#: Calls that make a logger object a `name.info(...)` call can go through.
_LOGGER_FACTORIES = frozenset({"logging.getLogger", "structlog.get_logger", "structlog.getLogger"})
#: Logger objects imported ready-made.
_IMPORTED_LOGGERS = frozenset({"loguru.logger"})
_PRINT = "print"


class LogRepeatedOnReplay(ReplayBodyRule):
    """`print` or a logger call in an Inngest function body that a step call can still follow.

    ## What it does
    Flags `print(...)`, `logging.info(...)` (and the other level functions), and calls of a
    logger object (`logger = logging.getLogger(__name__)`, `structlog.get_logger()`, loguru's
    `logger`) made directly in an Inngest function body, or in a lambda given to
    `ctx.group.parallel`, where a step call can still follow on some path, in a function that
    makes a step call. Not flagged: `ctx.logger`, logging inside a step handler or a helper,
    and logging that no step call can follow (after the last step, in a branch that returns
    before any step): that code runs once per attempt. Off by default
    (`extend-select = ["INN121"]` turns it on): a repeated line is noise in the logs, not a wrong
    result.

    ## Why is this bad?
    The SDK runs the function body from the top on every request of a run and returns at the
    first step with no memoized result (`ExecutionV0.run`, `inngest/_internal/execution_lib/v0.py`;
    see INN107), so a line logged before a step is logged again for every later step: a function
    of ten steps prints its "starting" line ten times. `ctx.logger` does not: the default
    `LoggerMiddleware` (`inngest/_internal/middleware_lib/log.py`, `transform_input`) wraps it
    in a `FilteredLogger` (`inngest/_internal/log.py`) whose methods do nothing until
    `before_execution` runs, which `ExecutionV0.report_step` calls once every memoized step has
    been replayed. (SDK 0.3 and 0.4 do the same with the logger's `enable()`.)

    ## Why no automatic fix
    Determined for a logger call whose method the SDK's logger has (`info`, `warning`, ...):
    replace the receiver by `ctx.logger` (the function's context parameter). A `print(...)` with
    positional arguments only becomes `ctx.logger.info(...)` with one `%s` per argument.
    """

    code = "INN121"
    name = "log-repeated-on-replay"
    severity = Severity.WARNING
    # Off by default: repeated log lines cost noise, not correctness, and logging before the first
    # step is common in working code (40 of 67 findings on 13 public repositories were this rule).
    # Teams that read their logs per run turn it on (`extend-select = ["INN121"]`).
    default_enabled = False

    VALID = (
        """
        import logging

        import inngest

        client = inngest.Inngest(app_id="app")
        logger = logging.getLogger(__name__)


        def read_rows(path: str) -> list:
            logger.info("reading %s", path)  # in the step handler: runs once per attempt
            return []


        @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
        async def import_rows(ctx: inngest.Context) -> int:
            ctx.logger.info("importing %s", ctx.event.data["file"])
            rows = await ctx.step.run("read", read_rows, ctx.event.data["file"])
            logger.info("imported %d rows", len(rows))  # after the last step: logged once
            return len(rows)
        """,
    )
    INVALID = (
        """
        import logging

        import inngest

        client = inngest.Inngest(app_id="app")
        logger = logging.getLogger(__name__)


        @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
        async def import_rows(ctx: inngest.Context) -> None:
            logger.info("importing %s", ctx.event.data["file"])  # error: INN121
            rows = await ctx.step.run("read", read_rows)
            await ctx.step.run("write", write_rows, rows)
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        self.body.visit_Call(node)
        if not self._is_log_call(node):
            return
        state = self.body.state()
        if state is None:
            return
        context_name = _context_parameter(state.info.handler)
        self.body.hold(
            state,
            Held(
                node,
                f"`{call_label(self.context, node)}` in Inngest function {function_label(state.info)} runs again on "
                f"every re-entry (the body re-runs for each step, and a step call can still follow it), so it is "
                f"logged once per step; use `{context_name}.{sdk.CONTEXT_LOGGER_ATTRIBUTE}`, which the SDK "
                f"silences while it replays memoized steps",
                message_without_steps=None,
            ),
        )

    def leave_Call(self, node: cst.Call) -> None:
        self.body.leave_Call(node)

    def _is_log_call(self, call: cst.Call) -> bool:
        func = call.func
        context = self.context
        if isinstance(func, cst.Name):
            return func.value == _PRINT and is_builtin(context, _PRINT)
        if not isinstance(func, cst.Attribute) or func.attr.value not in sdk.FILTERED_LOGGER_METHODS:
            return False
        receiver = func.value
        if not isinstance(receiver, cst.Name):
            return False
        qualified = context.qualify(receiver)
        if qualified == _LOGGING_MODULE or qualified in _IMPORTED_LOGGERS:
            return True
        value = context.local_value(receiver.value)
        if value is None and qualified is not None:
            value = context.module_value(receiver.value)
        return (
            isinstance(value, cst.Call)
            and isinstance(value.func, (cst.Name, cst.Attribute))
            and context.qualify(value.func) in _LOGGER_FACTORIES
        )


def _context_parameter(handler: cst.FunctionDef | None) -> str:
    if handler is not None:
        positional = positional_parameters(handler.params)
        if positional:
            return positional[0].name.value
    return "ctx"
