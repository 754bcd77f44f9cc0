"""INN305 event-not-an-event-object."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
from inngest_lint.rules._fixes import module_attribute
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.replay import InngestClients, call_label
from inngest_lint.semantic.steps import is_builtin
from inngest_lint.semantic.values import argument

#: `step.send_event(step_id, events)`: the events argument.
_STEP_SEND_EVENTS_INDEX = 1


class EventNotAnEventObject(Rule):
    """A dict given to `client.send`, `send_sync` or `step.send_event` instead of `inngest.Event`.

    ## What it does
    Flags a dict (a `{...}` literal, a `dict(...)` call, or a local name assigned one) given as
    the event, or as an item of the list of events, to `send` / `send_sync` of this file's
    Inngest client or to `step.send_event`.

    ## Why is this bad?
    The Python SDK takes `inngest.Event` objects only, unlike the TypeScript SDK's plain
    objects. `Inngest.send` and `Inngest.send_sync` (`inngest/_internal/client_lib/client.py`)
    wrap a single event in a list and `_build_send_request` calls `event.to_dict()` on each: a
    dict has no `to_dict`, so the send fails with `AttributeError` at run time (SDK 0.3 to 0.5
    alike). `step.send_event` sends through `client.send` inside its step, so the step fails and
    is retried until the run fails.

    ## Fix
    A `{...}` literal whose keys are all string literals naming `Event` fields (`name`, `data`,
    `id`, `ts`; `name` among them), or a `dict(...)` call of those keywords, becomes
    `inngest.Event(name=..., data=...)` with the same values (`Event` spelled as the file
    imports it; `import inngest` added when nothing else is named `inngest`). Safe when the dict
    is written in the call: the send could only fail with `AttributeError`, and the `Event` is
    the event the dict spelled (pydantic checks the values, `server_lib/event.py`). Unsafe when
    the dict is reached through a local name: other code may still read that variable as a dict
    (`payload["name"]`). With INN303 selected, a fixed send of an event nothing listens to is
    then reported, so the fix is held back there as one that adds a finding.
    """

    code = "INN305"
    name = "event-not-an-event-object"
    fixable = "safe"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        async def place(order_id: str) -> None:
            await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id}))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        async def place(order_id: str) -> None:
            await client.send({"name": "shop/order.placed", "data": {"order_id": order_id}})  # error: INN305
        """,
    )

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="shop")


            async def place(order_id: str) -> None:
                await client.send({"name": "shop/order.placed", "data": {"order_id": order_id}})
                await client.send([dict(name="shop/order.audited", data={"order_id": order_id})])
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="shop")


            async def place(order_id: str) -> None:
                await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id}))
                await client.send([inngest.Event(name="shop/order.audited", data={"order_id": order_id})])
            """,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.clients = InngestClients(context)

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        func = node.func
        events: cst.BaseExpression | None
        if context.step_method(node) == sdk.STEP_SEND_EVENT:
            events = argument(node, _STEP_SEND_EVENTS_INDEX, "events")
        elif (
            isinstance(func, cst.Attribute)
            and func.attr.value in sdk.CLIENT_SEND_METHODS
            and self.clients.is_client(func.value)
        ):
            events = argument(node, 0, sdk.CLIENT_SEND_EVENTS_KEYWORD)
        else:
            return
        if events is None:
            return
        items = (
            [element.value for element in events.elements if not isinstance(element, cst.StarredElement)]
            if isinstance(events, cst.List)
            else [events]
        )
        for item in items:
            found = self._dict_of(item)
            if found is not None:
                self.report(
                    item,
                    f"`{call_label(context, node)}` is given a dict: the Python SDK calls `.to_dict()` on each "
                    f"event and fails with AttributeError; build it as `inngest.Event(name=..., data=...)`",
                    fix=self._event_fix(found, safe=found is item),
                )

    def _dict_of(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """The dict `node` is (itself, or the value a local name was assigned), or None."""
        if isinstance(node, cst.Name):
            value = self.context.local_value(node.value)
            return value if value is not None and self._is_dict_value(value) else None
        return node if self._is_dict_value(node) else None

    def _is_dict_value(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Dict):
            return True
        return (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value == "dict"
            and is_builtin(self.context, "dict")
        )

    # ------------------------------------------------------------------ fix
    def _event_fix(self, written: cst.BaseExpression, *, safe: bool) -> Fix | None:
        """`inngest.Event(...)` with the dict's entries as keywords, when each is an `Event` field."""
        arguments = _event_arguments(written)
        if arguments is None:
            return None
        module, _, name = sdk.EVENT_CLASS.rpartition(".")
        spelling = module_attribute(self.context, module, name)
        if spelling is None:
            return None
        function, statements = spelling
        if isinstance(written, cst.Call):
            event = written.with_changes(func=function)
        else:
            event = _as_call(function, written, arguments)
        return self.context.fix(f"write {name}(...)", [(written, event)], safe=safe, statements=statements)


def _as_call(
    function: cst.BaseExpression, written: cst.BaseExpression, arguments: list[tuple[str, cst.BaseExpression]]
) -> cst.Call:
    """`function(key=value, ...)` laid out as the dict literal was: its commas and the space
    inside its braces stay (a dict over several lines becomes a call over several lines)."""
    assert isinstance(written, cst.Dict)
    no_space = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
    args = [
        cst.Arg(value, keyword=cst.Name(key), equal=no_space, comma=element.comma)
        for (key, value), element in zip(arguments, written.elements, strict=True)
    ]
    args[-1] = args[-1].with_changes(whitespace_after_arg=written.rbrace.whitespace_before)
    return cst.Call(function, args, whitespace_before_args=written.lbrace.whitespace_after)


def _event_arguments(written: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression]] | None:
    """(field, value) of each entry of a dict literal or `dict(...)` call, when every key is a
    distinct `Event` field and `name` is one of them; None otherwise."""
    entries: list[tuple[str, cst.BaseExpression]] = []
    if isinstance(written, cst.Dict):
        for element in written.elements:
            key = literal_string(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                return None
            entries.append((key, element.value))
    elif isinstance(written, cst.Call):
        for arg in written.args:
            if arg.keyword is None or arg.star:
                return None
            entries.append((arg.keyword.value, arg.value))
    keys = [key for key, _ in entries]
    if len(set(keys)) != len(keys) or not set(keys) <= sdk.EVENT_FIELDS or sdk.EVENT_REQUIRED_FIELD not in keys:
        return None
    return entries
