"""INN119 except-never-matches-step-error."""

from __future__ import annotations

import builtins

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import block_statements
from inngest_lint.semantic.replay import unwrap_await
from inngest_lint.semantic.steps import is_builtin, step_id_context, step_label
from inngest_lint.semantic.traverse import children
from inngest_lint.semantic.values import keyword

#: Step methods whose handler's errors reach the body only as `StepError` (`send_event` runs
#: its send through `run`). `invoke` is left out: its result passes through the client's
#: serializer in the body, which may raise anything.
_WRAPPING_METHODS = frozenset({sdk.STEP_RUN, sdk.STEP_SEND_EVENT})
#: `step.run(..., output_type=...)` deserializes the memoized output in the body.
_OUTPUT_TYPE_KEYWORD = "output_type"

#: Builtin classes the call itself can raise in the body whatever the handler does: a wrong
#: argument (TypeError), a missing attribute or name, an argument's subscript, and the
#: interpreter's own failures. Catching them around a step is not provably dead.
_POSSIBLE_IN_BODY = frozenset(
    {
        "Exception",
        "TypeError",
        "AttributeError",
        "NameError",
        "UnboundLocalError",
        "MemoryError",
        "RecursionError",
        "RuntimeError",
        "StopIteration",
        "StopAsyncIteration",
    }
)
_POSSIBLE_FROM_SUBSCRIPT = frozenset({"LookupError", "KeyError", "IndexError"})

#: Third-party exception modules: their classes are never an SDK error. A class qualified by
#: one of these prefixes (through the file's imports) cannot match what a step call raises.
_LIBRARY_ERROR_MODULES = (
    "httpx.",
    "requests.",
    "aiohttp.",
    "urllib3.",
    "sqlalchemy.",
    "psycopg.",
    "psycopg2.",
    "asyncpg.",
    "redis.",
    "botocore.",
    "stripe.",
    "openai.",
    "anthropic.",
    "json.JSONDecodeError",
)

#: Argument expressions whose evaluation runs no user code (so raises nothing a handler names).
_INERT_NODES = (
    cst.Name,
    cst.Attribute,
    cst.Subscript,
    cst.SubscriptElement,
    cst.Index,
    cst.Arg,
    cst.Lambda,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.FormattedStringText,
    cst.FormattedStringExpression,
    cst.Integer,
    cst.Float,
    cst.List,
    cst.Tuple,
    cst.Dict,
    cst.DictElement,
    cst.Element,
    cst.Comma,
    cst.BaseParenthesizableWhitespace,
)


class ExceptNeverMatchesStepError(Rule):
    """An `except SomeError:` around `step.run` that can never match what the step raises.

    ## What it does
    Flags an `except` clause of a `try` whose body only makes `step.run` / `step.send_event`
    calls (awaited or not, optionally assigned to a name or returned) when every class it names
    is one the step call can never raise in the function body: a builtin exception such as
    `ValueError` or `KeyError`, an exception class of a well-known library (`httpx`, `requests`,
    `sqlalchemy`, ...), or an exception class of the same file that derives only from builtin
    classes (the SDK never raises an instance of a class of yours).

    Not flagged: `except Exception`, `except inngest.StepError`, `NonRetriableError`,
    `RetryAfterError` (the SDK lets these two through as themselves), classes the call itself
    can raise in the body (`TypeError`, `AttributeError`, `KeyError` when an argument is
    subscripted, `RuntimeError`), classes imported from elsewhere in the project (they may
    derive from an SDK class), a `try` body that does anything besides the step calls, and
    `step.run(..., output_type=...)` or `step.invoke` (their output is deserialized in the body,
    which may raise anything).

    ## Why is this bad?
    The handler of `step.run` does not run in the function body's call stack the way it reads.
    `Step.run` (`inngest/_internal/step_lib/step_async.py`, and `StepSync.run` in
    `step_sync.py`; the same in SDK 0.3 and 0.4) catches every `Exception` the handler raises,
    except `NonRetriableError` and `RetryAfterError`, and turns it into a `ResponseInterrupt`
    (a `BaseException`) that ends the request: Inngest retries the step. Once the retries are
    exhausted, the next request finds the error memoized, and `ExecutionV0.report_step`
    (`inngest/_internal/execution_lib/v0.py`) raises it as `inngest.StepError`, with the
    original class name in `.name` and its message in `.message`. So `except ValueError:`
    around `step.run` never runs: the run fails although the code seems to handle the error.

    ## Use instead
    Or handle the error inside the step's handler and return a result that says what happened.

    ## Why no automatic fix
    None automatic: replacing the class by `inngest.StepError` catches every failed step, so
    the test of `error.name` is the author's to write.
    """

    code = "INN119"
    name = "except-never-matches-step-error"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="shop/order"))
        async def charge(ctx: inngest.Context) -> None:
            try:
                await ctx.step.run("charge", charge_card, ctx.event.data["order_id"])
            except inngest.StepError as error:
                if error.name != "PaymentDeclined":
                    raise
                await ctx.step.run("notify-declined", notify_declined)
            try:
                receipt = await ctx.step.run("receipt", send_receipt)
                total = int(receipt["total"])
            except ValueError:
                total = 0
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        class PaymentDeclined(Exception):
            pass


        @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="shop/order"))
        async def charge(ctx: inngest.Context) -> None:
            try:
                await ctx.step.run("charge", charge_card)
            except PaymentDeclined:  # error: INN119
                await ctx.step.run("notify-declined", notify_declined)
        """,
    )

    def visit_Try(self, node: cst.Try) -> None:
        step_calls = self._step_only_body(node)
        if not step_calls:
            return
        subscripted = any(_has_subscript(call) for call in step_calls)
        first = step_calls[0]
        for handler in node.handlers:
            if handler.type is None:
                continue
            types = (
                [element.value for element in handler.type.elements]
                if isinstance(handler.type, cst.Tuple)
                else [handler.type]
            )
            names = [self._never_raised(kind, subscripted) for kind in types]
            if not names or any(name is None for name in names):
                continue
            caught = " ".join(self.context.tree.code_for_node(handler.type).split())
            self.report(
                handler.type,
                f"`except {caught}` around {step_label(self.context, first)} never matches: an error raised "
                f"in a step's handler reaches the function body as `inngest.StepError` (its class name in "
                f"`.name`) once retries are exhausted; catch `inngest.StepError` and test `error.name`, or "
                f"handle the error inside the step",
                context=step_id_context(first),
            )

    def _step_only_body(self, node: cst.Try) -> list[cst.Call]:
        """The step calls of a `try` body that does nothing else, or [] when it does more."""
        calls: list[cst.Call] = []
        for statement in block_statements(node.body):
            if not isinstance(statement, cst.SimpleStatementLine):
                return []
            for small in statement.body:
                value: cst.BaseExpression | None
                if isinstance(small, cst.Expr):
                    value = small.value
                elif isinstance(small, cst.Return):
                    value = small.value
                elif isinstance(small, cst.Assign) and all(
                    isinstance(target.target, cst.Name) for target in small.targets
                ):
                    value = small.value
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    value = small.value
                else:
                    return []
                call = unwrap_await(value) if value is not None else None
                if not isinstance(call, cst.Call) or not self._wrapping_step_call(call):
                    return []
                calls.append(call)
        return calls

    def _wrapping_step_call(self, call: cst.Call) -> bool:
        if self.context.step_method(call) not in _WRAPPING_METHODS:
            return False
        if keyword(call, _OUTPUT_TYPE_KEYWORD) is not None:
            return False
        return all(_inert(arg) for arg in call.args)

    def _never_raised(self, kind: cst.BaseExpression, subscripted: bool) -> str | None:
        """The class's spelling when a step call can never raise it in the body, else None."""
        if isinstance(kind, cst.Name) and is_builtin(self.context, kind.value):
            return kind.value if _never_raised_builtin(kind.value, subscripted) else None
        qualified = self.context.qualify(kind)
        if qualified is None:
            return None
        spelled = self.context.tree.code_for_node(kind)
        if qualified.startswith(_LIBRARY_ERROR_MODULES) or qualified in _LIBRARY_ERROR_MODULES:
            return spelled
        if isinstance(kind, cst.Name) and self._local_plain_error(kind.value):
            return spelled
        return None

    def _local_plain_error(self, name: str, depth: int = 0) -> bool:
        """A class of this module, bound once, whose bases are builtins or such classes: the SDK
        never raises an instance of it (it raises its own classes and the builtins)."""
        scan = self.context.module_scan
        cls = scan.classes.get(name)
        if cls is None or depth > 8 or name in scan.assignments or name in scan.other or name in scan.imports:
            return False
        if not cls.bases or any(base.keyword is not None or base.star for base in cls.bases):
            return False
        for base in cls.bases:
            value = base.value
            if not isinstance(value, cst.Name):
                return False
            if value.value in scan.classes:
                if not self._local_plain_error(value.value, depth + 1):
                    return False
            elif not is_builtin(self.context, value.value) or not isinstance(
                getattr(builtins, value.value, None), type
            ):
                return False
        return True


def _never_raised_builtin(name: str, subscripted: bool) -> bool:
    """A builtin `Exception` subclass that no step call raises in the body."""
    if name in _POSSIBLE_IN_BODY or (subscripted and name in _POSSIBLE_FROM_SUBSCRIPT):
        return False
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, Exception) and value is not Exception


def _inert(node: cst.CSTNode) -> bool:
    """Whether evaluating `node` runs no user code: no call, operator or comprehension."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if not isinstance(current, _INERT_NODES):
            return False
        if isinstance(current, cst.Lambda):
            continue  # its body runs in the handler, not here
        if isinstance(current, cst.FormattedStringExpression) and (
            current.format_spec is not None or current.conversion is not None
        ):
            return False
        stack.extend(children(current))
    return True


def _has_subscript(call: cst.Call) -> bool:
    stack: list[cst.CSTNode] = list(call.args)
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Lambda):
            continue
        if isinstance(current, cst.Subscript):
            return True
        stack.extend(children(current))
    return False
