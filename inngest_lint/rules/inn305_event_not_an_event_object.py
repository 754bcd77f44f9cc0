"""INN305 event-not-an-event-object."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import FileContext
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

    ## Why no automatic fix
    Determined for a dict literal whose keys are all string literals naming `Event` fields
    (`name`, `data`, `id`, `ts`): rewrite it as `inngest.Event(name=..., data=...)` with the
    same values (and import `inngest` when the file does not).
    """

    code = "INN305"
    name = "event-not-an-event-object"

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
            if self._is_dict(item):
                self.report(
                    item,
                    f"`{call_label(context, node)}` is given a dict: the Python SDK calls `.to_dict()` on each "
                    f"event and fails with AttributeError; build it as `inngest.Event(name=..., data=...)`",
                )

    def _is_dict(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Name):
            value = self.context.local_value(node.value)
            return value is not None and self._is_dict_value(value)
        return self._is_dict_value(node)

    def _is_dict_value(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Dict):
            return True
        return (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value == "dict"
            and is_builtin(self.context, "dict")
        )
