"""INN706 wait-reads-field-not-sent-before."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint import cel
from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.facts.index import PreviousVersion, ProjectIndex
from inngest_lint.rules._deploy import DeployRule, changed_pairs
from inngest_lint.rules._expressions import expressions, location_in, root_names, shapes_for


class WaitReadsFieldNotSentBefore(DeployRule):
    """A `wait_for_event` or cancel expression now reads a field the deployed senders do not send.

    ## What it does
    With `--since REF`, reads the `if_exp` of each `step.wait_for_event` and `inngest.Cancel` of
    a function that is also deployed. Flags `event.data.K` or `async.data.K` when the work tree's
    senders of that event send `K`, every sender at the ref sends a literal dict without `K`,
    and the deployed version of the function did not read `K` on that side. Stays silent when an
    event name is unknown, a wildcard or external, or a sender's data is not a literal dict.

    ## Why is this bad?
    The SDK hands a wait's `if_exp` to the Inngest server as the step's `if` option
    (`WaitForEventOpts` in `inngest/_internal/step_lib/base.py`, built by `Step.wait_for_event`
    in `step_async.py`); the server evaluates it against events as they were sent.
    A run that started before the deploy carries a trigger event (`event`) sent by the deployed
    code, without `K`; when it reaches the wait after the deploy, `event.data.K` is missing and
    the expression never matches: the wait times out (`wait_for_event` returns `None`) or the
    run is never cancelled. Senders still running the deployed code (another service, a queue
    of retries) send `async` events without `K` too.

    ## Use instead
    Match on a field that both versions send (`order_id`) until the runs started before the
    deploy have finished.
    """

    code = "INN706"
    name = "wait-reads-field-not-sent-before"
    severity = Severity.WARNING

    VALID = (
        {
            "before/app.py": """
                import datetime
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.placed"))
                async def ship(ctx: inngest.Context) -> None:
                    await ctx.step.wait_for_event(
                        "paid", event="shop/order.paid", timeout=datetime.timedelta(days=1),
                        if_exp="async.data.order_id == event.data.order_id",
                    )

                async def place(order_id: str) -> None:
                    await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id}))
                    await client.send(inngest.Event(name="shop/order.paid", data={"order_id": order_id}))
                """,
            "after/app.py": """
                import datetime
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.placed"))
                async def ship(ctx: inngest.Context) -> None:
                    await ctx.step.wait_for_event(
                        "paid", event="shop/order.paid", timeout=datetime.timedelta(days=1),
                        if_exp="async.data.order_id == event.data.order_id",
                    )

                async def place(order_id: str, customer_id: str) -> None:
                    await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id, "customer_id": customer_id}))
                    await client.send(inngest.Event(name="shop/order.paid", data={"order_id": order_id, "customer_id": customer_id}))
                """,
        },
    )
    INVALID = (
        {
            "before/app.py": """
                import datetime
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.placed"))
                async def ship(ctx: inngest.Context) -> None:
                    await ctx.step.wait_for_event(
                        "paid", event="shop/order.paid", timeout=datetime.timedelta(days=1),
                        if_exp="async.data.order_id == event.data.order_id",
                    )

                async def place(order_id: str) -> None:
                    await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id}))
                    await client.send(inngest.Event(name="shop/order.paid", data={"order_id": order_id}))
                """,
            "after/app.py": """
                import datetime
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.placed"))
                async def ship(ctx: inngest.Context) -> None:
                    await ctx.step.wait_for_event(
                        "paid", event="shop/order.paid", timeout=datetime.timedelta(days=1),
                        if_exp="async.data.customer_id == event.data.customer_id",  # error: INN706
                    )

                async def place(order_id: str, customer_id: str) -> None:
                    await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id, "customer_id": customer_id}))
                    await client.send(inngest.Event(name="shop/order.paid", data={"order_id": order_id, "customer_id": customer_id}))
                """,
        },
    )

    def compare(self, previous: PreviousVersion, current: ProjectIndex) -> Iterator[Diagnostic]:
        old_index = previous.index
        pairs = {pair.new.key: pair for pair in changed_pairs(previous, current)}
        if not pairs:
            return
        read_before_by_key = _keys_read(old_index)
        for expression in expressions(current):
            pair = pairs.get(expression.function.key)
            if pair is None or expression.cel.async_event is None:
                continue  # only wait_for_event and Cancel expressions
            read_before = read_before_by_key.get(pair.old.key, set())
            for path in cel.data_paths(expression.cel.text):
                if (path.root, path.key) in read_before:
                    continue
                names = root_names(expression, path.root)
                old_keys = _sent_keys(old_index, names)
                new_keys = _sent_keys(current, names)
                if old_keys is None or new_keys is None or path.key in old_keys or path.key not in new_keys:
                    continue
                event_list = ", ".join(f"'{name}'" for name in sorted(names or ()))
                sent = ", ".join(sorted(old_keys)) or "no keys"
                who = (
                    "runs started before this deploy carry trigger events without it"
                    if path.root == "event"
                    else "events from the deployed senders lack it"
                )
                yield self.diagnostic(
                    location_in(expression.cel, path.offset, path.end_offset),
                    f"{path.root}.data.{path.key} is new in this expression, and the deployed senders of "
                    f"{event_list} do not send it (they send: {sent}): {who}, so the expression never "
                    "matches for them; match on a field both versions send until those runs have finished",
                    context=path.key,
                )


def _sent_keys(index: ProjectIndex, names: frozenset[str] | None) -> set[str] | None:
    """Keys every send of the events may carry, when every send is a literal dict."""
    shapes = shapes_for(index, names)
    if shapes is None or not all(shape.literal for shape in shapes):
        return None
    return {key for shape in shapes for key in shape.key_names()}


def _keys_read(index: ProjectIndex) -> dict[str, set[tuple[str, str]]]:
    """Function key -> (root, key) that its wait and cancel expressions read."""
    found: dict[str, set[tuple[str, str]]] = {}
    for expression in expressions(index):
        if expression.cel.async_event is None:
            continue
        reads = found.setdefault(expression.function.key, set())
        reads.update((path.root, path.key) for path in cel.data_paths(expression.cel.text))
    return found
