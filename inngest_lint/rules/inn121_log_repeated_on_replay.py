"""INN121 log-repeated-on-replay."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix, Severity
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
#: The level a `print` becomes.
_PRINT_LEVEL = "info"
_STDLIB_LOGGER_FACTORY = "logging.getLogger"
#: `_log_call_kind`: a standard-library logging call, or another library's.
_STDLIB = "stdlib"
_OTHER = "other"


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

    ## Fix
    A standard-library logging call (`logging.info(...)`, or a logger from `logging.getLogger`)
    is made on `ctx.logger` instead, with the same method and arguments; `print(a, b)` (positional
    arguments only) becomes `ctx.logger.info("%s %s", a, b)`, and `print("text")` becomes
    `ctx.logger.info("text")`. `ctx` is the function's context parameter, and the fix is offered
    only where that name still means it. The client's logger is a standard `logging.Logger`
    unless `Inngest(logger=...)` says otherwise (`client_lib/client.py`), and `FilteredLogger`
    (`inngest/_internal/log.py`) forwards each method with its arguments. Unsafe: the line goes to
    another logger (its name, level and handlers; `print` wrote to stdout), and it is no longer
    written while the SDK replays memoized steps, which is the point. structlog and loguru calls
    get no fix: their arguments (key-value fields, `{}` formatting) mean something else to a
    standard logger.
    """

    code = "INN121"
    name = "log-repeated-on-replay"
    severity = Severity.WARNING
    # Off by default: repeated log lines cost noise, not correctness, and logging before the first
    # step is common in working code (40 of 67 findings on 13 public repositories were this rule).
    # Teams that read their logs per run turn it on (`extend-select = ["INN121"]`).
    default_enabled = False
    fixable = "unsafe"

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

    FIXES = (
        (
            """
            import logging

            import inngest

            client = inngest.Inngest(app_id="app")
            logger = logging.getLogger(__name__)


            @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
            async def import_rows(ctx: inngest.Context) -> None:
                logger.info("importing %s", ctx.event.data["file"])
                print("reading", ctx.event.data["file"])
                rows = await ctx.step.run("read", read_rows)
                print(f"read {len(rows)} rows")
                await ctx.step.run("write", write_rows, rows)
            """,
            """
            import logging

            import inngest

            client = inngest.Inngest(app_id="app")
            logger = logging.getLogger(__name__)


            @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
            async def import_rows(ctx: inngest.Context) -> None:
                ctx.logger.info("importing %s", ctx.event.data["file"])
                ctx.logger.info("%s %s", "reading", ctx.event.data["file"])
                rows = await ctx.step.run("read", read_rows)
                ctx.logger.info(f"read {len(rows)} rows")
                await ctx.step.run("write", write_rows, rows)
            """,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        self.body.visit_Call(node)
        kind = self._log_call_kind(node)
        if kind is None:
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
                fix=self._logger_fix(node, kind, state.info.handler),
            ),
        )

    def leave_Call(self, node: cst.Call) -> None:
        self.body.leave_Call(node)

    def _log_call_kind(self, call: cst.Call) -> str | None:
        """`_PRINT`, `_STDLIB` (the logging module or a `logging.getLogger` logger), `_OTHER`
        (another logging library), or None for a call that is not logging."""
        func = call.func
        context = self.context
        if isinstance(func, cst.Name):
            return _PRINT if func.value == _PRINT and is_builtin(context, _PRINT) else None
        if not isinstance(func, cst.Attribute) or func.attr.value not in sdk.FILTERED_LOGGER_METHODS:
            return None
        receiver = func.value
        if not isinstance(receiver, cst.Name):
            return None
        qualified = context.qualify(receiver)
        if qualified == _LOGGING_MODULE:
            return _STDLIB
        if qualified in _IMPORTED_LOGGERS:
            return _OTHER
        value = context.local_value(receiver.value)
        if value is None and qualified is not None:
            value = context.module_value(receiver.value)
        if not isinstance(value, cst.Call) or not isinstance(value.func, (cst.Name, cst.Attribute)):
            return None
        factory = context.qualify(value.func)
        if factory not in _LOGGER_FACTORIES:
            return None
        return _STDLIB if factory == _STDLIB_LOGGER_FACTORY else _OTHER

    # ------------------------------------------------------------------ fix
    def _logger_fix(self, call: cst.Call, kind: str, handler: cst.FunctionDef | None) -> Fix | None:
        """The call made on `ctx.logger` (see the docs' Fix section), or None."""
        if kind == _OTHER or handler is None:
            return None
        positional = positional_parameters(handler.params)
        if not positional or not self._sees_parameter(handler, positional[0].name.value):
            return None
        logger = cst.Attribute(cst.Name(positional[0].name.value), cst.Name(sdk.CONTEXT_LOGGER_ATTRIBUTE))
        if kind == _STDLIB:
            assert isinstance(call.func, cst.Attribute)
            return self.context.fix("log with `ctx.logger`", [(call.func.value, logger)], safe=False)
        args = call.args
        if not args or any(arg.keyword is not None or arg.star for arg in args):
            return None  # `print()` writes an empty line; `sep=`, `end=`, `file=` have no logging twin
        if len(args) == 1 and _is_text(args[0].value):
            logged = [args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
        else:
            template = cst.SimpleString('"' + " ".join(["%s"] * len(args)) + '"')
            logged = [cst.Arg(template, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), *args]
        info = cst.Attribute(logger, cst.Name(_PRINT_LEVEL))
        return self.context.fix(
            "log with `ctx.logger.info`", [(call, call.with_changes(func=info, args=logged))], safe=False
        )

    def _sees_parameter(self, handler: cst.FunctionDef, name: str) -> bool:
        """Whether `name` here is the handler's parameter: no scope in between binds it, and the
        handler does not rebind it."""
        for frame in reversed(self.context.frames):
            if frame.node is handler:
                return name not in frame.scan.bound
            if frame.kind == "class" or name in frame.params or name in frame.scan.bound:
                return False
        return False


def _is_text(node: cst.BaseExpression) -> bool:
    """A str literal (plain, f-string or concatenated), which `print` and `%s` write alike."""
    if isinstance(node, cst.SimpleString):
        return "b" not in node.prefix.lower()
    if isinstance(node, cst.FormattedString):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _is_text(node.left) and _is_text(node.right)
    return False


def _context_parameter(handler: cst.FunctionDef | None) -> str:
    if handler is not None:
        positional = positional_parameters(handler.params)
        if positional:
            return positional[0].name.value
    return "ctx"
