"""INN402 expression-field-unknown."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint import cel
from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._expressions import (
    expressions,
    location_in,
    one_send_with,
    root_names,
    shapes_for,
)
from inngest_lint.rules._project import normalized_key
from inngest_lint.rules.base import ProjectRule


class ExpressionFieldUnknown(ProjectRule):
    """An expression reads an event data field that no send of that event has.

    ## What it does
    For each `event.data.X` / `async.data.X` path in a CEL expression, flags X when every send
    of that event in the project (and every `step.invoke` of the function, for `event`) passes a
    literal dict as `data` and none of them has key X. Silent when any send's data is not a
    literal dict (a variable, `**spread`), when the event is also sent from outside
    (`external-events`) or never sent in the project, and for near-case keys (INN401).

    ## Why is this bad?
    The expression reads a field that does not exist, so it never matches: the wait times out,
    the filter drops every event, the concurrency key is the same empty value for every run.

    ## Use instead
    Send the field, or key on one that is sent.
    """

    code = "INN402"
    name = "expression-field-unknown"
    options = ("external-events",)

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(
            fn_id="ship",
            trigger=inngest.TriggerEvent(event="shop/order.paid"),
            concurrency=[inngest.Concurrency(limit=1, key="event.data.customer_id")],
        )
        def ship(ctx): ...

        def paid(order_id: str, customer_id: str) -> None:
            client.send_sync(inngest.Event(name="shop/order.paid", data={"order_id": order_id, "customer_id": customer_id}))
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"),
                                concurrency=[inngest.Concurrency(limit=1, key="event.data.customer_id")])
        def ship(ctx): ...

        def paid(order: dict) -> None:
            client.send_sync(inngest.Event(name="shop/order.paid", data=order))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(
            fn_id="ship",
            trigger=inngest.TriggerEvent(event="shop/order.paid"),
            concurrency=[inngest.Concurrency(limit=1, key="event.data.customer_id")],  # error: INN402
        )
        def ship(ctx): ...

        def paid(order_id: str) -> None:
            client.send_sync(inngest.Event(name="shop/order.paid", data={"order_id": order_id}))
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        for expression in expressions(self.index):
            for path in cel.data_paths(expression.cel.text):
                names = root_names(expression, path.root)
                shapes = shapes_for(self.index, names)
                if shapes is None or not all(shape.literal for shape in shapes):
                    continue
                sent_keys = {key for shape in shapes for key in shape.key_names()}
                if path.key in sent_keys:
                    continue
                if any(normalized_key(key) == normalized_key(path.key) for key in sent_keys):
                    continue  # expression-field-case-mismatch explains these
                event_list = ", ".join(f"'{name}'" for name in sorted(names or ()))
                keys = ", ".join(sorted(sent_keys)) or "no keys"
                yield self.diagnostic(
                    location_in(expression.cel, path.offset, path.end_offset),
                    f"{path.root}.data.{path.key} is not in any send of {event_list} (they send: {keys}); "
                    f"the expression can never match on it",
                    context=path.key,
                    caused_by=one_send_with(self.index, names, None),
                )
