"""INN306 on-failure-reads-trigger-fields."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.names import literal_string, positional_parameters
from inngest_lint.semantic.traverse import children
from inngest_lint.semantic.values import keyword

_EVENT_ATTRIBUTE = "event"
_DATA_ATTRIBUTE = "data"
_GET_METHOD = "get"


class OnFailureReadsTriggerFields(Rule):
    """An `on_failure` handler that reads the trigger's data fields from `ctx.event.data`.

    ## What it does
    Flags `ctx.event.data["user_id"]` or `ctx.event.data.get("user_id")` in a function given as
    `on_failure=` to `create_function` in the same file, when the key is not one of the fields
    of the failure event's data (`error`, `event`, `function_id`, `run_id`).

    ## Why is this bad?
    The SDK registers the failure handler as a separate function whose trigger is the
    `inngest/function.failed` event (`Function.get_config`, `inngest/_internal/function.py`:
    `TriggerEvent(event="inngest/function.failed", expression="event.data.function_id == ...")`),
    and calls it with that event as `ctx.event` (`Function.call`, unchanged). Its data holds the
    error, the failed function's ID and run ID, and the original event under `event`
    (https://www.inngest.com/docs/reference/system-events/inngest-function-failed). So
    `ctx.event.data["user_id"]` raises `KeyError` (or `.get` returns `None`) exactly when the
    handler should clean up.

    ## Fix
    `ctx.event.data["order_id"]` becomes `ctx.event.data["event"]["data"]["order_id"]` (and
    `.get("order_id")` becomes `["event"]["data"].get("order_id")`): the field of the failed
    run's event, which the failure event carries under `event`. Unsafe: the linter knows the
    function is given as `on_failure=` here, not that nothing else calls it (a test, or another
    registration with the trigger event itself as `ctx.event`), and a field the author meant
    from the failure event's own data (a newer server's addition) would be moved away from it.
    """

    code = "INN306"
    name = "on-failure-reads-trigger-fields"
    fixable = "unsafe"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        async def refund_on_failure(ctx: inngest.Context) -> None:
            original = ctx.event.data["event"]
            ctx.logger.error("run %s failed", ctx.event.data["run_id"])
            await ctx.step.run("refund", refund, original["data"]["order_id"])


        @client.create_function(
            fn_id="charge", trigger=inngest.TriggerEvent(event="shop/order"), on_failure=refund_on_failure
        )
        async def charge(ctx: inngest.Context) -> None:
            await ctx.step.run("charge", charge_card, ctx.event.data["order_id"])
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        async def refund_on_failure(ctx: inngest.Context) -> None:
            await ctx.step.run("refund", refund, ctx.event.data["order_id"])  # error: INN306


        @client.create_function(
            fn_id="charge", trigger=inngest.TriggerEvent(event="shop/order"), on_failure=refund_on_failure
        )
        async def charge(ctx: inngest.Context) -> None:
            await ctx.step.run("charge", charge_card, ctx.event.data["order_id"])
        """,
    )

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="shop")


            async def refund_on_failure(ctx: inngest.Context) -> None:
                await ctx.step.run("refund", refund, ctx.event.data["order_id"], ctx.event.data.get("amount"))


            @client.create_function(
                fn_id="charge", trigger=inngest.TriggerEvent(event="shop/order"), on_failure=refund_on_failure
            )
            async def charge(ctx: inngest.Context) -> None:
                await ctx.step.run("charge", charge_card, ctx.event.data["order_id"])
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="shop")


            async def refund_on_failure(ctx: inngest.Context) -> None:
                await ctx.step.run("refund", refund, ctx.event.data["event"]["data"]["order_id"], ctx.event.data["event"]["data"].get("amount"))


            @client.create_function(
                fn_id="charge", trigger=inngest.TriggerEvent(event="shop/order"), on_failure=refund_on_failure
            )
            async def charge(ctx: inngest.Context) -> None:
                await ctx.step.run("charge", charge_card, ctx.event.data["order_id"])
            """,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._handlers = _failure_handlers(context)
        self._active: list[tuple[cst.FunctionDef, str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if id(node) in self._handlers:
            positional = positional_parameters(node.params)
            if positional:
                self._active.append((node, positional[0].name.value))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._active and self._active[-1][0] is node:
            self._active.pop()

    def visit_Subscript(self, node: cst.Subscript) -> None:
        name = self._context_name()
        if name is None or not _is_event_data(node.value, name) or len(node.slice) != 1:
            return
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            self._check(node, node.value, literal_string(index.value), '["{key}"]', name)

    def visit_Call(self, node: cst.Call) -> None:
        name = self._context_name()
        func = node.func
        if name is None or not isinstance(func, cst.Attribute) or func.attr.value != _GET_METHOD:
            return
        if not _is_event_data(func.value, name) or not node.args or node.args[0].keyword is not None:
            return
        self._check(node, func.value, literal_string(node.args[0].value), '.get("{key}")', name)

    def _check(self, node: cst.CSTNode, data: cst.BaseExpression, key: str | None, access: str, name: str) -> None:
        if key is None or key in sdk.FUNCTION_FAILED_DATA_KEYS:
            return
        handler = self._active[-1][0].name.value
        original = sdk.FUNCTION_FAILED_ORIGINAL_EVENT_KEY
        self.report(
            node,
            f"`{name}.event.data{access.format(key=key)}` in on_failure handler '{handler}' reads the failure event, "
            f"not the trigger: its data holds only error, event, function_id and run_id; the failed run's event is "
            f'under "{original}": `{name}.event.data["{original}"]["data"]{access.format(key=key)}`',
            fix=self._nested_fix(data),
        )

    def _nested_fix(self, data: cst.BaseExpression) -> Fix | None:
        """`ctx.event.data` -> `ctx.event.data["event"]["data"]`: the original event's data."""
        nested = data
        for key in (sdk.FUNCTION_FAILED_ORIGINAL_EVENT_KEY, _DATA_ATTRIBUTE):
            index = cst.Index(cst.SimpleString(f'"{key}"'))
            nested = cst.Subscript(nested, [cst.SubscriptElement(index)])
        original = sdk.FUNCTION_FAILED_ORIGINAL_EVENT_KEY
        return self.context.fix(
            f'read the failed run\'s event (`["{original}"]["data"]`)', [(data, nested)], safe=False
        )

    def _context_name(self) -> str | None:
        """The handler's context parameter, when the current node sees it unshadowed."""
        if not self._active:
            return None
        handler, name = self._active[-1]
        for frame in reversed(self.context.frames):
            if frame.node is handler:
                return name
            if frame.kind == "class" or name in frame.params or name in frame.scan.bound:
                return None
        return None


def _is_event_data(node: cst.BaseExpression, name: str) -> bool:
    """`<name>.event.data`."""
    return (
        isinstance(node, cst.Attribute)
        and node.attr.value == _DATA_ATTRIBUTE
        and isinstance(node.value, cst.Attribute)
        and node.value.attr.value == _EVENT_ATTRIBUTE
        and isinstance(node.value.value, cst.Name)
        and node.value.value.value == name
    )


def _failure_handlers(context: FileContext) -> set[int]:
    """ids of the module-level defs given as `on_failure=` to a `create_function` of this file."""
    found: set[int] = set()
    if sdk.CREATE_FUNCTION_ON_FAILURE_KEYWORD not in context.source:
        return found  # most files: no walk at all
    scan = context.module_scan
    stack: list[cst.CSTNode] = [context.tree]
    while stack:
        current = stack.pop()
        if (
            isinstance(current, cst.Call)
            and isinstance(current.func, cst.Attribute)
            and current.func.attr.value == sdk.CREATE_FUNCTION_METHOD
        ):
            handler = keyword(current, sdk.CREATE_FUNCTION_ON_FAILURE_KEYWORD)
            if isinstance(handler, cst.Name):
                name = handler.value
                definition = scan.defs.get(name)
                if definition is not None and not (
                    name in scan.assignments or name in scan.other or name in scan.imports or name in scan.classes
                ):
                    found.add(id(definition))
        stack.extend(children(current))
    return found
