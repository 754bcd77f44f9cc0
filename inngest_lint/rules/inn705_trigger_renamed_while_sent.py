"""INN705 trigger-renamed-while-sent."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.facts.index import PreviousVersion, ProjectIndex, event_matches
from inngest_lint.facts.model import EventSend, InngestFunction, Trigger
from inngest_lint.rules._deploy import DeployRule, changed_pairs, pair_functions


class TriggerRenamedWhileSent(DeployRule):
    """A trigger event renamed while code this change does not touch still sends the old name.

    ## What it does
    With `--since REF`, compares each function's trigger events with its deployed version. When
    an event name was replaced by another (a name gone, a name added) and a file that this
    change leaves as it was still sends the old name at the ref (`inngest.Event(name=...)`,
    names resolved as the other event rules resolve them), flags the new trigger. Stays silent
    when a trigger's name cannot be settled, when a new trigger (a wildcard) still matches the
    old name, for senders in test files, and for names listed in `external-events`.

    ## Why is this bad?
    The SDK registers a trigger as its event name (`TriggerEvent.event` in
    `inngest/_internal/server_lib/registration.py`), and the Inngest server starts the function
    for events of exactly that name (or a `*` pattern). The unchanged sender
    keeps sending the old name after the deploy, and events already sent under it are still
    queued: none of them starts this function any more, and nothing reports it.

    ## Use instead
    Listen to both names (a list of triggers) until every sender sends the new one.
    """

    code = "INN705"
    name = "trigger-renamed-while-sent"
    severity = Severity.ERROR

    VALID = (
        {
            "before/app.py": """
            import inngest

            client = inngest.Inngest(app_id="billing")

            @client.create_function(fn_id="receipt", trigger=inngest.TriggerEvent(event="billing/invoice.paid"))
            async def receipt(ctx: inngest.Context) -> None: ...
            """,
            "before/webhooks.py": """
            import inngest
            from app import client

            async def on_paid(data: dict) -> None:
                await client.send(inngest.Event(name="billing/invoice.paid", data=data))
            """,
            "after/app.py": """
            import inngest

            client = inngest.Inngest(app_id="billing")

            @client.create_function(
                fn_id="receipt",
                trigger=[
                    inngest.TriggerEvent(event="billing/invoice.settled"),
                    inngest.TriggerEvent(event="billing/invoice.paid"),
                ],
            )
            async def receipt(ctx: inngest.Context) -> None: ...
            """,
            "after/webhooks.py": """
            import inngest
            from app import client

            async def on_paid(data: dict) -> None:
                await client.send(inngest.Event(name="billing/invoice.paid", data=data))
            """,
        },
        {
            "before/app.py": """
            import inngest

            client = inngest.Inngest(app_id="billing")

            @client.create_function(fn_id="receipt", trigger=inngest.TriggerEvent(event="billing/invoice.paid"))
            async def receipt(ctx: inngest.Context) -> None: ...
            """,
            "before/webhooks.py": """
            import inngest
            from app import client

            async def on_paid(data: dict) -> None:
                await client.send(inngest.Event(name="billing/invoice.paid", data=data))
            """,
            "after/app.py": """
            import inngest

            client = inngest.Inngest(app_id="billing")

            @client.create_function(fn_id="receipt", trigger=inngest.TriggerEvent(event="billing/invoice.settled"))
            async def receipt(ctx: inngest.Context) -> None: ...
            """,
            "after/webhooks.py": """
            import inngest
            from app import client

            async def on_paid(data: dict) -> None:
                await client.send(inngest.Event(name="billing/invoice.settled", data=data))
            """,
        },
    )
    INVALID = (
        {
            "before/app.py": """
                import inngest

                client = inngest.Inngest(app_id="billing")

                @client.create_function(fn_id="receipt", trigger=inngest.TriggerEvent(event="billing/invoice.paid"))
                async def receipt(ctx: inngest.Context) -> None: ...
                """,
            "before/webhooks.py": """
                import inngest
                from app import client

                async def on_paid(data: dict) -> None:
                    await client.send(inngest.Event(name="billing/invoice.paid", data=data))
                """,
            "after/app.py": """
                import inngest

                client = inngest.Inngest(app_id="billing")

                @client.create_function(fn_id="receipt", trigger=inngest.TriggerEvent(event="billing/invoice.settled"))  # error: INN705
                async def receipt(ctx: inngest.Context) -> None: ...
                """,
            "after/webhooks.py": """
                import inngest
                from app import client

                async def on_paid(data: dict) -> None:
                    await client.send(inngest.Event(name="billing/invoice.paid", data=data))
                """,
        },
    )

    def compare(self, previous: PreviousVersion, current: ProjectIndex) -> Iterator[Diagnostic]:
        old_index = previous.index
        touched = {pair.new.key for pair in changed_pairs(previous, current)}
        for pair in pair_functions(previous, current).pairs:
            if pair.new.key not in touched and not _names_may_differ(current, previous, pair.new):
                continue
            old_names = _event_names(old_index, pair.old)
            new_triggers = _event_triggers(current, pair.new)
            if old_names is None or new_triggers is None:
                continue
            new_names = {name for name, _ in new_triggers}
            gone = sorted(
                name
                for name in old_names - new_names
                if not any(event_matches(pattern, name) for pattern in new_names)
                and not old_index.is_external_event(name)
            )
            added = [(name, trigger) for name, trigger in new_triggers if name not in old_names]
            if not gone or not added:
                continue
            for name in gone:
                sender = _untouched_sender(old_index, previous, name)
                if sender is None:
                    continue
                new_name, trigger = added[0]
                yield self.diagnostic(
                    trigger.location,
                    f"the trigger event {name!r} of the deployed version is now {new_name!r}, but "
                    f"{self.shown(sender.location)} (not part of this change) still sends {name!r}: those events "
                    f"no longer start this function; listen to both names until every sender sends {new_name!r}",
                    context=f"{name} -> {new_name}",
                )


def _names_may_differ(current: ProjectIndex, previous: PreviousVersion, function: InngestFunction) -> bool:
    """For a function in an unchanged file: whether a trigger's name may still differ, because it
    is a constant defined in a file that changed (literal names are the same)."""
    for trigger in function.triggers:
        if trigger.kind != "event" or trigger.value.kind == "str":
            continue
        if trigger.value.kind != "symbol":
            return True
        resolved = current.resolve(trigger.value)
        if resolved.kind != "constant" or resolved.path in previous.changed:
            return True
        if trigger.value.origin != resolved.path and trigger.value.value.rsplit(".", 1)[0] != resolved.module:
            return True  # reached through a re-export, which may have changed
    return False


def _event_names(index: ProjectIndex, function: InngestFunction) -> set[str] | None:
    triggers = _event_triggers(index, function)
    return None if triggers is None else {name for name, _ in triggers}


def _event_triggers(index: ProjectIndex, function: InngestFunction) -> list[tuple[str, Trigger]] | None:
    """(name, trigger) of every event trigger, or None when any name is not known."""
    if not function.trigger_count_known:
        return None
    found: list[tuple[str, Trigger]] = []
    for trigger in function.triggers:
        if trigger.kind != "event":
            continue
        names = index.strings(trigger.value)
        if names is None:
            return None
        found.extend((name, trigger) for name in sorted(names))
    return found


def _untouched_sender(index: ProjectIndex, previous: PreviousVersion, name: str) -> EventSend | None:
    """A send of `name` at the ref in a non-test file that this change leaves as it was."""
    for send in index.sent_events().get(name, ()):
        facts = index.file_by_path.get(send.location.path)
        if facts is None or facts.is_test or send.location.path in previous.changed:
            continue
        return send
    return None
