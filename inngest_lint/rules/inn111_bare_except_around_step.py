"""INN111 bare-except-around-step."""

from __future__ import annotations

import libcst as cst

from inngest_lint.diagnostics import Fix
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import block_statements
from inngest_lint.semantic.steps import (
    SCOPE_NODES,
    calls_in,
    is_builtin,
    step_id_context,
    step_label,
)
from inngest_lint.semantic.traverse import children

#: The exception class that also catches the SDK's control-flow signals.
_BASE_EXCEPTION = "BaseException"
_BUILTINS_BASE_EXCEPTION = "builtins.BaseException"


class BareExceptAroundStep(Rule):
    """A bare `except:` or `except BaseException:` around a step call.

    ## What it does
    Flags a `try` whose body makes a step call (`ctx.step.run`, `sleep`, `wait_for_event`, ...,
    or `ctx.group.parallel`) directly, not in a nested function, when one of its handlers is a
    bare `except:` or catches `BaseException` (alone or in a tuple) and does not re-raise.

    ## Why is this bad?
    The SDK drives execution with control-flow signals raised from step calls (a step that
    just finished interrupts the run to report its result; a nested step is detected the same
    way). They derive from `BaseException` precisely so that `except Exception` lets them
    through. A bare `except:` swallows them: the function goes on as if the step had run, the
    step's result never reaches Inngest, and the run misbehaves or repeats.

    ## Not flagged
    A handler that re-raises with a bare `raise` (or `raise e`) unconditionally or after testing the
    exception's type, and `except Exception` (which the signals pass through).

    ## Fix
    `except:` becomes `except Exception:`, and `BaseException` in the handler becomes
    `Exception`. Safe: the SDK's signals (`ResponseInterrupt`, `SkipInterrupt`,
    `NestedStepInterrupt` in `inngest/_internal/step_lib/base.py`) extend `BaseException` so that
    they pass `except Exception`, and every error a step or the code around it raises is still
    caught. The only others that now pass are `KeyboardInterrupt`, `SystemExit`,
    `GeneratorExit` and `asyncio.CancelledError`, which a handler around a step should not
    swallow either. Not offered when `Exception` is rebound in the file.
    """

    code = "INN111"
    name = "bare-except-around-step"
    fixable = "safe"

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="app/order"))
            async def charge(ctx: inngest.Context) -> None:
                try:
                    await ctx.step.run("charge", charge_card, ctx.event.data["order_id"])
                except:
                    ctx.logger.exception("charge failed")
                try:
                    await ctx.step.run("refund", refund)
                except (ValueError, BaseException) as error:
                    ctx.logger.exception("refund failed: %s", error)
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="app/order"))
            async def charge(ctx: inngest.Context) -> None:
                try:
                    await ctx.step.run("charge", charge_card, ctx.event.data["order_id"])
                except Exception:
                    ctx.logger.exception("charge failed")
                try:
                    await ctx.step.run("refund", refund)
                except (ValueError, Exception) as error:
                    ctx.logger.exception("refund failed: %s", error)
            """,
        ),
    )

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="app/order"))
        async def charge(ctx: inngest.Context) -> None:
            try:
                await ctx.step.run("charge", charge_card, ctx.event.data["order_id"])
            except Exception:
                ctx.logger.exception("charge failed")
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="app/order"))
        async def charge(ctx: inngest.Context) -> None:
            try:
                await ctx.step.run("charge", charge_card, ctx.event.data["order_id"])
            except Exception:
                ctx.logger.exception("charge failed")
            try:
                await ctx.step.run("receipt", send_receipt)
            except BaseException:
                ctx.logger.warning("receipt interrupted")
                raise
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="app/order"))
        async def charge(ctx: inngest.Context) -> None:
            try:
                await ctx.step.run("charge", charge_card, ctx.event.data["order_id"])
            except:  # error: INN111
                ctx.logger.exception("charge failed")
        """,
    )

    def visit_Try(self, node: cst.Try) -> None:
        context = self.context
        broad = [handler for handler in node.handlers if self._catch_all(handler) is not None]
        if not broad:
            return
        step_call = next(
            (
                call
                for call in calls_in(node.body)
                if context.step_method(call) is not None or context.is_group_parallel(call)
            ),
            None,
        )
        if step_call is None:
            return
        if context.step_method(step_call) is not None:
            what = step_label(context, step_call)
        else:
            what = "ctx.group.parallel"
        for handler in broad:
            if _reraises(handler):
                continue
            caught = self._catch_all(handler)
            self.report(
                handler,
                f"{caught} around {what} also catches the SDK's control-flow signals (BaseException "
                f"subclasses) and breaks the run; catch `Exception` instead, or re-raise",
                context=step_id_context(step_call) if context.step_method(step_call) else "",
                fix=self._fix(handler),
            )

    def _fix(self, handler: cst.ExceptHandler) -> Fix | None:
        """`except Exception:` in place of a bare `except:`; `Exception` in place of each
        `BaseException` the handler names."""
        if not is_builtin(self.context, "Exception"):
            return None
        description = "catch Exception instead"
        if handler.type is None:
            narrowed = handler.with_changes(
                type=cst.Name("Exception"), whitespace_after_except=cst.SimpleWhitespace(" ")
            )
            return self.context.fix(description, [(handler, narrowed)])
        types = (
            [element.value for element in handler.type.elements]
            if isinstance(handler.type, cst.Tuple)
            else [handler.type]
        )
        replacements: list[tuple[cst.CSTNode, cst.CSTNode]] = []
        for exception in types:
            if isinstance(exception, cst.Name) and exception.value == _BASE_EXCEPTION:
                replacements.append((exception, exception.with_changes(value="Exception")))
            elif isinstance(exception, cst.Attribute) and self.context.qualify(exception) == _BUILTINS_BASE_EXCEPTION:
                replacements.append((exception.attr, exception.attr.with_changes(value="Exception")))
        return self.context.fix(description, replacements) if replacements else None

    def _catch_all(self, handler: cst.ExceptHandler) -> str | None:
        """'bare `except:`' or '`except BaseException`' for a handler that catches everything."""
        if handler.type is None:
            return "bare `except:`"
        types = (
            [element.value for element in handler.type.elements]
            if isinstance(handler.type, cst.Tuple)
            else [handler.type]
        )
        for exception in types:
            if isinstance(exception, cst.Name) and exception.value == _BASE_EXCEPTION:
                if is_builtin(self.context, _BASE_EXCEPTION):
                    return "`except BaseException`"
            elif isinstance(exception, cst.Attribute) and self.context.qualify(exception) == _BUILTINS_BASE_EXCEPTION:
                return "`except BaseException`"
        return None


def _reraises(handler: cst.ExceptHandler) -> bool:
    """True if the handler re-raises what it caught: a bare `raise` (or `raise <bound name>`)
    that runs unconditionally, or under a test of the caught exception (`isinstance(e, ...)`)."""
    bound = None
    if handler.name is not None and isinstance(handler.name.name, cst.Name):
        bound = handler.name.name.value

    def is_reraise(small: cst.CSTNode) -> bool:
        if not isinstance(small, cst.Raise):
            return False
        # `raise e from other` still raises the same object, so the signal keeps its type.
        return small.exc is None or (bound is not None and isinstance(small.exc, cst.Name) and small.exc.value == bound)

    def search(statements: list[cst.BaseStatement], conditional: bool, on_exception: bool) -> bool:
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                if any(is_reraise(small) for small in statement.body) and (not conditional or on_exception):
                    return True
            elif isinstance(statement, SCOPE_NODES):
                continue
            elif isinstance(statement, cst.If):
                tests_exception = on_exception or (bound is not None and _mentions(statement.test, bound))
                branch: cst.If | cst.Else | None = statement
                while branch is not None:
                    if search(block_statements(branch.body), True, tests_exception):
                        return True
                    orelse = branch.orelse if isinstance(branch, cst.If) else None
                    if isinstance(orelse, cst.If):
                        tests_exception = tests_exception or (bound is not None and _mentions(orelse.test, bound))
                    branch = orelse
            elif isinstance(statement, cst.With):
                if search(block_statements(statement.body), conditional, on_exception):
                    return True
            elif isinstance(statement, cst.Match) and bound is not None and _mentions(statement.subject, bound):
                for case in statement.cases:
                    if search(block_statements(case.body), True, True):
                        return True
        return False

    return search(block_statements(handler.body), False, False)


def _mentions(node: cst.CSTNode, name: str) -> bool:
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name) and current.value == name:
            return True
        stack.extend(children(current))
    return False
