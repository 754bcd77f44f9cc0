"""INN307 unscoped-wait-or-cancel."""

from __future__ import annotations

import re
from collections.abc import Iterator

from inngest_lint.diagnostics import UNSAFE, Diagnostic, Edit, Fix, Location, Severity
from inngest_lint.facts.model import InngestFunction, Ref
from inngest_lint.rules.base import ProjectRule

#: A data field a CEL path can name as it is (`event.data.<field>`).
_CEL_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _is_identifier(key: str) -> bool:
    """A data field that names one entity: `id`, `user_id`, `orderId`."""
    return key == "id" or key.endswith("_id") or (key.endswith("Id") and len(key) > 2)


class UnscopedWaitOrCancel(ProjectRule):
    """A `wait_for_event` or `Cancel` without an expression, where both events carry the same ID field.

    ## What it does
    Flags `step.wait_for_event(event=X)` and `create_function(cancel=[Cancel(event=X)])` given no
    `if_exp`, when every send of X in the project and every send of the function's trigger
    event carry the same identifier field (`id`, `*_id`, `*Id`) as literal dict data. Not
    flagged: a wait or cancel with any `if_exp`, events whose sends the linter cannot read
    completely, and events that share no identifier.

    ## Why is this bad?
    Without an expression the match is by event name only. `wait_for_event` resolves with the
    first X sent after the wait starts, from whichever user or order it came: the run goes on
    with another entity's data. A `Cancel` without `if_exp` cancels every running run of the
    function whenever any X arrives. The SDK passes `if_exp` through untouched
    (`WaitForEventOpts`, `inngest/_internal/step_lib/step_async.py` `Step.wait_for_event`;
    `Cancel` in `inngest/_internal/server_lib/registration.py`) and the matching is the
    server's: `event` is the run's trigger, `async` the incoming event.

    ## Fix
    When the events share exactly one identifier field and the event name is a plain string
    literal, adds `if_exp="event.data.<field> == async.data.<field>"` after it. Unsafe: the
    linter sees which fields the events carry, not which entity the author meant to match on,
    and a `Cancel` meant to stop every run (a global kill switch) would then stop only one.
    """

    code = "INN307"
    name = "unscoped-wait-or-cancel"
    severity = Severity.WARNING
    fixable = "unsafe"

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="shop")


        async def place(order_id: str) -> None:
            await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id}))
            await client.send(inngest.Event(name="shop/order.approved", data={"order_id": order_id}))


        @client.create_function(fn_id="fulfil", trigger=inngest.TriggerEvent(event="shop/order.placed"))
        async def fulfil(ctx: inngest.Context) -> None:
            await ctx.step.wait_for_event(
                "approval",
                event="shop/order.approved",
                if_exp="event.data.order_id == async.data.order_id",
                timeout=datetime.timedelta(days=1),
            )
        """,
    )
    INVALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="shop")


        async def place(order_id: str) -> None:
            await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id}))
            await client.send(inngest.Event(name="shop/order.approved", data={"order_id": order_id}))


        @client.create_function(fn_id="fulfil", trigger=inngest.TriggerEvent(event="shop/order.placed"))
        async def fulfil(ctx: inngest.Context) -> None:
            await ctx.step.wait_for_event(  # error: INN307
                "approval", event="shop/order.approved", timeout=datetime.timedelta(days=1)
            )
        """,
    )

    FIXES = (
        (
            {
                "app.py": """
                import datetime

                import inngest

                client = inngest.Inngest(app_id="shop")


                async def place(order_id: str) -> None:
                    await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id}))
                    await client.send(inngest.Event(name="shop/order.approved", data={"order_id": order_id}))


                @client.create_function(
                    fn_id="fulfil",
                    trigger=inngest.TriggerEvent(event="shop/order.placed"),
                    cancel=[inngest.Cancel(event="shop/order.approved")],
                )
                async def fulfil(ctx: inngest.Context) -> None:
                    await ctx.step.wait_for_event(
                        "approval", event="shop/order.approved", timeout=datetime.timedelta(days=1)
                    )
                """,
            },
            {
                "app.py": """
                import datetime

                import inngest

                client = inngest.Inngest(app_id="shop")


                async def place(order_id: str) -> None:
                    await client.send(inngest.Event(name="shop/order.placed", data={"order_id": order_id}))
                    await client.send(inngest.Event(name="shop/order.approved", data={"order_id": order_id}))


                @client.create_function(
                    fn_id="fulfil",
                    trigger=inngest.TriggerEvent(event="shop/order.placed"),
                    cancel=[inngest.Cancel(event="shop/order.approved", if_exp="event.data.order_id == async.data.order_id")],
                )
                async def fulfil(ctx: inngest.Context) -> None:
                    await ctx.step.wait_for_event(
                        "approval", event="shop/order.approved", if_exp="event.data.order_id == async.data.order_id", timeout=datetime.timedelta(days=1)
                    )
                """,
            },
        ),
    )

    def check(self) -> Iterator[Diagnostic]:
        for function in self.index.functions:
            trigger_names = self._names([t.value for t in function.triggers if t.kind == "event"])
            if not trigger_names:
                continue
            for wait in function.waits:
                if not wait.filtered:
                    found = self._shared_key(function, trigger_names, wait.event)
                    if found is not None:
                        keys, name = found
                        yield self._report(
                            wait.location,
                            f"wait_for_event('{name}') has no if_exp, so it resolves with the next '{name}' from any "
                            f"run",
                            keys,
                            trigger_names,
                            _scope_fix(wait.event_location, wait.event_literal, keys),
                        )
            for cancel in function.cancel_events:
                if not cancel.filtered:
                    found = self._shared_key(function, trigger_names, cancel.value)
                    if found is not None:
                        keys, name = found
                        yield self._report(
                            cancel.location,
                            f"Cancel(event='{name}') has no if_exp, so any '{name}' cancels every run of "
                            f"'{function.handler_name}'",
                            keys,
                            trigger_names,
                            _scope_fix(cancel.location, cancel.literal, keys),
                        )

    def _report(
        self, location: Location, what: str, keys: list[str], trigger_names: list[str], fix: Fix | None
    ) -> Diagnostic:
        key = keys[0]
        triggers = ", ".join(f"'{name}'" for name in trigger_names)
        return self.diagnostic(
            location,
            f"{what}; both it and the trigger {triggers} carry `{key}`: scope it with "
            f'if_exp="event.data.{key} == async.data.{key}"',
            context=key,
            fix=fix,
        )

    def _names(self, refs: list[Ref]) -> list[str]:
        names: list[str] = []
        for ref in refs:
            values = self.index.strings(ref)
            if values is None:
                return []
            names.extend(sorted(values))
        return names

    def _shared_key(
        self, function: InngestFunction, trigger_names: list[str], event: Ref
    ) -> tuple[list[str], str] | None:
        """(the shared identifier fields, sorted; the awaited event name), when every send of both
        has them."""
        values = self.index.strings(event)
        if not values or len(values) != 1:
            return None
        name = next(iter(values))
        common: frozenset[str] | None = None
        for event_name in [*trigger_names, name]:
            shapes = self.index.data_shapes_for(event_name)
            if not shapes or any(not shape.literal for shape in shapes):
                return None
            for shape in shapes:
                keys = shape.key_names()
                common = keys if common is None else common & keys
        identifiers = sorted(key for key in common or () if _is_identifier(key))
        return (identifiers, name) if identifiers else None


def _scope_fix(location: Location | None, literal: str, keys: list[str]) -> Fix | None:
    """`if_exp="event.data.K == async.data.K"` written after the event name's literal, when the
    events share exactly one identifier field K (see the docs' Fix section)."""
    if location is None or not literal or len(keys) != 1 or not _CEL_FIELD.fullmatch(keys[0]):
        return None
    key = keys[0]
    added = f', if_exp="event.data.{key} == async.data.{key}"'
    edit = Edit(
        location.path, location.line, location.column, location.end_line, location.end_column, literal, literal + added
    )
    return Fix(f"scope it with if_exp on `{key}`", UNSAFE, (edit,))
