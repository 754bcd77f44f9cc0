"""INN303 event-sent-without-listener-any."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.rules._events import topology
from inngest_lint.rules._project import has_unknown_listener
from inngest_lint.rules.base import ProjectRule


class EventSentWithoutListenerAny(ProjectRule):
    """An event sent under a name that no function in the project listens to (off by default).

    ## What it does
    Flags every event send whose name no trigger, `wait_for_event` or `Cancel` in the project
    listens to (wildcard triggers such as `app/*` count as listening), when no listened name is a
    near miss (those are `event-sent-without-listener`, INN301). Names matching the
    `external-events` setting are consumed by another app and never flagged (INN301 skips them
    too). Silent when some trigger's event name cannot be resolved statically. Enable it for
    repositories that hold every function of their Inngest apps.

    ## Why is this bad?
    An event nobody listens to does nothing: either a function is missing, or the name is wrong.
    Off by default because events are often consumed by other services or apps.

    ## Use instead
    Add the function that handles the event, or stop sending it; list an event that another app
    handles in `external-events`.
    """

    code = "INN303"
    name = "event-sent-without-listener-any"
    options = ("external-events",)
    default_enabled = False
    severity = Severity.WARNING

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="paid", trigger=inngest.TriggerEvent(event="billing/*"))
        async def paid(ctx): ...

        async def on_payment(data: dict) -> None:
            await client.send(inngest.Event(name="billing/invoice.paid", data=data))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        async def on_payment(data: dict) -> None:
            await client.send(inngest.Event(name="billing/invoice.paid", data=data))  # error: INN303
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        if has_unknown_listener(self.index):
            return
        events = topology(self.index)
        for name, sends in sorted(events.orphan_sent.items()):
            if events.near_listened(name):
                continue
            for send in sends:
                yield self.diagnostic(
                    send.name_location,
                    f"event '{name}' is sent here but no function in the project listens to it; "
                    f"add a function that triggers on it, or list it in `external-events` if another "
                    f"app consumes it",
                    context=name,
                )
