"""INN301 event-sent-without-listener."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._events import listener_text, topology
from inngest_lint.rules._project import function_label, near_miss_key, rename_literal_fix
from inngest_lint.rules.base import ProjectRule


class EventSentWithoutListener(ProjectRule):
    """An event sent under a name nothing listens to, next to a listened name it nearly matches.

    ## What it does
    Flags an event sent in the project (`inngest.Event(name=...)` given to `client.send`,
    `send_sync` or `step.send_event`, directly, in a list or through a variable; names resolved
    through constants, imports and both branches of a conditional) when no trigger,
    `wait_for_event` or `Cancel` in the project listens to that name, while a listened name that
    nothing sends is a near miss: equal ignoring case and `-`/`_`/`.`, or one or two edits away.
    Sent names with no near miss are `event-sent-without-listener-any` (INN303, off by default).

    ## Why is this bad?
    Inngest matches event names exactly. A typo in either place means the event arrives and no
    function runs, with no error anywhere: the most common "my function never triggers" bug.

    ## Use instead
    Send the name the listener uses. Event names kept in one module of constants, imported on both
    sides, cannot drift apart.

    ## Fix
    The sent name, when it is written as a string literal at the send, becomes the listened name
    it nearly matches. Unsafe: either side may hold the typo, and other code (another service,
    a function outside this repository) may listen to the name as sent; the fix makes this
    project's function receive the event. INN302 offers the other side's rename as an
    alternative; `--fix` applies this one, never both.
    """

    code = "INN301"
    name = "event-sent-without-listener"
    options = ("external-events",)
    fixable = "unsafe"

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="follow-up", trigger=inngest.TriggerEvent(event="api/lead.follow-up"))
            async def follow_up(ctx): ...

            async def on_lead(data: dict) -> None:
                await client.send(inngest.Event(name="api/lead.followup", data=data))
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="follow-up", trigger=inngest.TriggerEvent(event="api/lead.follow-up"))
            async def follow_up(ctx): ...

            async def on_lead(data: dict) -> None:
                await client.send(inngest.Event(name="api/lead.follow-up", data=data))
            """,
        ),
    )

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")
        FOLLOW_UP = "api/lead.follow-up"

        @client.create_function(fn_id="follow-up", trigger=inngest.TriggerEvent(event=FOLLOW_UP))
        async def follow_up(ctx): ...

        async def on_lead(data: dict) -> None:
            await client.send(inngest.Event(name=FOLLOW_UP, data=data))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="follow-up", trigger=inngest.TriggerEvent(event="api/lead.follow-up"))
        async def follow_up(ctx): ...

        async def on_lead(data: dict) -> None:
            await client.send(inngest.Event(name="api/lead.followup", data=data))  # error: INN301
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        events = topology(self.index)
        for name, sends in sorted(events.orphan_sent.items()):
            near = events.near_listened(name)
            if not near:
                continue
            listener = near[0]
            hint = listener_text(listener, function_label(listener.function, self.index), self.shown(listener.location))
            for send in sends:
                yield self.diagnostic(
                    send.name_location,
                    f"event '{name}' is sent here but no function listens to it; did you mean {hint}?",
                    context=name,
                    related=(listener.location,),
                    caused_by=listener.location,  # the trigger (renamed?) the name nearly matches
                    fix=rename_literal_fix(
                        send.name_location,
                        send.name_literal,
                        name,
                        listener.name,
                        safe=False,
                        exclusive=near_miss_key(name, listener.name),
                    ),
                )
