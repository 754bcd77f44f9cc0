"""INN304 trigger-never-sent."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.rules._events import topology
from inngest_lint.rules.base import ProjectRule


class TriggerNeverSent(ProjectRule):
    """A trigger, wait or cancel event that no code in the project sends (off by default).

    ## What it does
    Flags every `TriggerEvent`, `wait_for_event` and `Cancel` event name that nothing in the
    project sends, when no sent name is a near miss (those are `trigger-never-sent-near-miss`,
    INN302). Names matching the `external-events` setting (`["stripe/*", "clerk/user.created"]`)
    are treated as sent. Silent when some send's event name cannot be resolved statically, and
    in a project that sends no event at all (its events all come from outside).

    ## Why is this bad?
    A function waiting for an event nobody sends never runs. Off by default because events often
    come from outside the repository: webhooks, the dashboard, other services.

    ## Use instead
    Send the event where it happens or, when another app sends it, list it in `external-events`.
    """

    code = "INN304"
    name = "trigger-never-sent"
    options = ("external-events",)
    default_enabled = False
    severity = Severity.WARNING

    VALID = (
        {
            "app.py": """
                import inngest

                client = inngest.Inngest(app_id="crm-sync")

                @client.create_function(
                    fn_id="sync",
                    trigger=inngest.TriggerEvent(event="crm/contact.updated"),
                )
                def sync(ctx: inngest.ContextSync) -> None:
                    ctx.step.send_event("synced", inngest.Event(name="app/contact.synced", data=ctx.event.data))
            """,
            "pyproject.toml": """
                [tool.inngest-lint]
                external-events = ["crm/*"]  # sent by the CRM's webhook bridge
            """,
        },
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="crm/contact.updated"))
        def sync(ctx): ...

        def on_update(contact_id: str) -> None:
            client.send_sync(inngest.Event(name="crm/contact.updated", data={"id": contact_id}))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="crm-sync")

        @client.create_function(
            fn_id="sync",
            trigger=inngest.TriggerEvent(event="crm/contact.updated"),  # error: INN304
        )
        def sync(ctx: inngest.ContextSync) -> None:
            ctx.step.send_event("synced", inngest.Event(name="app/contact.synced", data=ctx.event.data))
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(
            fn_id="sync",
            trigger=inngest.TriggerEvent(event="crm/contact.updated"),  # error: INN304
        )
        def sync(ctx): ...

        @client.create_function(fn_id="welcome", trigger=inngest.TriggerEvent(event="crm/contact.created"))
        def welcome(ctx): ...

        def on_create(contact_id: str) -> None:
            client.send_sync(inngest.Event(name="crm/contact.created", data={"id": contact_id}))
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        # A project that sends no event at all is driven from outside (webhooks, another
        # service, the dashboard): every trigger would be reported.
        if not self.index.sends or self.index.has_unknown_sends():
            return
        events = topology(self.index)
        for name, group in sorted(events.orphan_listened.items()):
            if events.near_sent(name):
                continue
            for listener in group:
                yield self.diagnostic(
                    listener.location,
                    f"nothing in the project sends event '{name}' that '{listener.function.handler_name}' "
                    f"listens to; send it, or list it in `external-events` if it comes from outside",
                    context=name,
                )
