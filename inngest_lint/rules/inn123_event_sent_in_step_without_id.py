"""INN123 event-sent-in-step-without-id."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Severity
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.replay import Deferred, InngestClients, StepHandlers, call_label, has_keyword_splat
from inngest_lint.semantic.values import argument, is_sdk_event, keyword


class EventSentInStepWithoutId(Rule):
    """`client.send(inngest.Event(...))` inside a step handler, with no `id=`.

    ## What it does
    Flags an `inngest.Event(...)` written without `id=` in the arguments of `client.send` or
    `client.send_sync` (the client of this file) inside a step's handler: a lambda or def given
    to `step.run`. Not flagged: an event with `id=`, an event built elsewhere and passed as a
    variable, `step.send_event` in the function body, and sends outside step handlers.

    ## Why is this bad?
    A step's handler runs again whenever the step is retried: an exception after the send (or
    a timeout after Inngest accepted it) makes `Step.run` (`inngest/_internal/step_lib/step_async.py`)
    report the error, and Inngest calls the handler again. Each `Inngest.send`
    (`inngest/_internal/client_lib/client.py`) drops an empty `id` (`_build_send_request`) and
    sends a fresh random ID seed (`_seed`), so the retry sends new events: every function they
    trigger runs again. Inngest does not start functions again for an event whose `id` it has
    received in the last 24 hours (https://www.inngest.com/docs/guides/handling-idempotency), so an
    ID derived from what the step works on makes the retried send harmless.

    ## Use instead
    Or send it from the function body with `ctx.step.send_event`, whose result is memoized.

    ## Why no automatic fix
    None automatic: the ID must come from the data (a stable business key), which only the
    author knows.
    """

    code = "INN123"
    name = "event-sent-in-step-without-id"
    severity = Severity.WARNING

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        def ship(order: dict) -> None:
            client.send_sync(
                inngest.Event(name="shop/order.shipped", data={"id": order["id"]}, id=f"shipped-{order['id']}")
            )


        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"))
        def ship_order(ctx: inngest.ContextSync) -> None:
            ctx.step.run("ship", ship, ctx.event.data)
            ctx.step.send_event("announce", inngest.Event(name="shop/order.announced"))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        def ship(order: dict) -> None:
            client.send_sync(inngest.Event(name="shop/order.shipped", data={"id": order["id"]}))  # error: INN123
            book_carrier(order)


        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"))
        def ship_order(ctx: inngest.ContextSync) -> None:
            ctx.step.run("ship", ship, ctx.event.data)
        """,
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.handlers = StepHandlers(context)
        self.clients = InngestClients(context)
        self.deferred = Deferred()

    def visit_Call(self, node: cst.Call) -> None:
        self.handlers.visit_Call(node)
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in sdk.CLIENT_SEND_METHODS:
            return
        if not self.clients.is_client(func.value):
            return
        scope = self.handlers.scope()
        if scope is None:
            return
        events = argument(node, 0, sdk.CLIENT_SEND_EVENTS_KEYWORD)
        candidates: list[cst.BaseExpression] = []
        if isinstance(events, (cst.List, cst.Tuple)):
            candidates = [element.value for element in events.elements if not isinstance(element, cst.StarredElement)]
        elif events is not None:
            candidates = [events]
        for event in candidates:
            if not isinstance(event, cst.Call) or not is_sdk_event(self.context, event):
                continue
            if keyword(event, sdk.EVENT_ID_KEYWORD) is not None or has_keyword_splat(event):
                continue
            message = (
                f"event sent with `{call_label(self.context, node)}` in {self.handlers.label(scope.node)} has no "
                f"`id=`: when the step is retried the handler sends it again, and every function it triggers runs "
                f"twice; give it a stable `id=` (Inngest drops a repeated ID) or send it with `step.send_event` "
                f"from the function body"
            )
            if scope.certain:
                self.report(event, message)
            else:
                self.deferred.add(scope.node, event, message)

    def finish(self) -> None:
        for handler, node, message, _ in self.deferred.items():
            if self.handlers.is_handler(handler):
                self.report(node, message)
