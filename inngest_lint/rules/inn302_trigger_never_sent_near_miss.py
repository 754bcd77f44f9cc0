"""INN302 trigger-never-sent-near-miss."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._events import topology
from inngest_lint.rules._project import near_miss_key, rename_literal_fix
from inngest_lint.rules.base import ProjectRule


class TriggerNeverSentNearMiss(ProjectRule):
    """A trigger, wait or cancel event that nothing sends, next to a sent name it nearly matches.

    ## What it does
    The mirror of `event-sent-without-listener`: flags a `TriggerEvent(event=...)`,
    `wait_for_event(event=...)` or `Cancel(event=...)` name that no code in the project sends,
    while a sent name that nothing listens to is a near miss (equal ignoring case and
    `-`/`_`/`.`, or one or two edits away). Names listed in the `external-events` setting and
    wildcard triggers are never flagged.

    ## Why is this bad?
    The function waits for an event that is never sent under that name: it never runs, or its
    `wait_for_event` always times out.

    ## Fix
    The listened name (trigger, `wait_for_event` or `Cancel` event), when it is written as a
    string literal, becomes the sent name it nearly matches. Unsafe: either side may hold the
    typo, and other senders outside this repository may use the name as listened. It is the
    alternative to INN301's fix, which renames the send instead: `--fix` applies INN301's when
    both are selected, and this one when only INN302 is.
    """

    code = "INN302"
    name = "trigger-never-sent-near-miss"
    options = ("external-events",)
    fixable = "unsafe"

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="follow-up", trigger=inngest.TriggerEvent(event="api/follow-up"))
            async def follow_up(ctx): ...

            async def on_lead(data: dict) -> None:
                await client.send(inngest.Event(name="api/followup", data=data))
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="follow-up", trigger=inngest.TriggerEvent(event="api/followup"))
            async def follow_up(ctx): ...

            async def on_lead(data: dict) -> None:
                await client.send(inngest.Event(name="api/followup", data=data))
            """,
        ),
    )

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="follow-up", trigger=inngest.TriggerEvent(event="api/follow-up"))
        async def follow_up(ctx): ...

        async def on_lead(data: dict) -> None:
            await client.send(inngest.Event(name="api/follow-up", data=data))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(
            fn_id="follow-up",
            trigger=inngest.TriggerEvent(event="api/follow-up"),  # error: INN302
        )
        async def follow_up(ctx): ...

        async def on_lead(data: dict) -> None:
            await client.send(inngest.Event(name="api/followup", data=data))
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        events = topology(self.index)
        for name, group in sorted(events.orphan_listened.items()):
            near = events.near_sent(name)
            if not near:
                continue
            sent_name, send = near[0]
            for listener in group:
                what = {"trigger": "triggers on", "wait_for_event": "waits for", "cancel": "is cancelled by"}[
                    listener.kind
                ]
                yield self.diagnostic(
                    listener.location,
                    f"'{listener.function.handler_name}' {what} event '{name}', which nothing in the project "
                    f"sends; did you mean '{sent_name}' "
                    f"(sent at {self.shown(send.name_location)})?",
                    context=name,
                    related=(send.name_location,),
                    caused_by=send.name_location,  # the send (renamed?) the name nearly matches
                    fix=rename_literal_fix(
                        listener.location,
                        listener.literal,
                        name,
                        sent_name,
                        safe=False,
                        exclusive=near_miss_key(name, sent_name),
                    ),
                )
