"""INN401 expression-field-case-mismatch."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint import cel
from inngest_lint.diagnostics import SAFE, Diagnostic, Edit, Fix
from inngest_lint.facts.model import CelString
from inngest_lint.rules._expressions import (
    expressions,
    location_in,
    one_send_with,
    root_names,
    shapes_for,
)
from inngest_lint.rules._project import normalized_key
from inngest_lint.rules.base import ProjectRule


class ExpressionFieldCaseMismatch(ProjectRule):
    """An expression reads `event.data.leadId` while the sender writes `lead_id`.

    ## What it does
    For each `event.data.X` / `async.data.X` path in a CEL expression, looks up what the project
    sends for that event (`event` = the function's triggers, `async` = the waited-for or
    cancelling event; `step.invoke(function=f, data=...)` counts as data for `f`'s trigger).
    Flags X when no send has key X but a send has a key that is equal ignoring case and `_`/`-`
    (`leadId` vs `lead_id`).

    ## Why is this bad?
    CEL field access is exact. The expression reads a missing field, so the comparison is never
    true: the `wait_for_event` times out, the cancel never fires, the trigger filter drops every
    event.

    ## Fix
    The path is rewritten with the senders' spelling (`async.data.leadId` ->
    `async.data.lead_id`), inside the string literal, when every send agrees on one spelling.
    Safe: the expression as written reads a field no send has, so it can never be true; with the
    senders' spelling it compares what the sends carry, which is what it was written to do. Not
    offered for a literal with escapes or line breaks, a path written with brackets, or a
    spelling CEL cannot write after a dot (`lead-id`).
    """

    code = "INN401"
    name = "expression-field-case-mismatch"
    options = ("external-events",)
    fixable = "safe"

    FIXES = (
        (
            {
                "app.py": """
                import datetime

                import inngest

                client = inngest.Inngest(app_id="app")


                @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/lead"))
                async def f(ctx: inngest.Context) -> None:
                    await ctx.step.wait_for_event(
                        "reply", event="api/reply", timeout=datetime.timedelta(days=1),
                        if_exp="async.data.leadId == event.data.lead_id",
                    )


                def reply(lead_id: str) -> None:
                    client.send_sync(inngest.Event(name="api/reply", data={"lead_id": lead_id}))
                    client.send_sync(inngest.Event(name="app/lead", data={"lead_id": lead_id}))
                """,
            },
            {
                "app.py": """
                import datetime

                import inngest

                client = inngest.Inngest(app_id="app")


                @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/lead"))
                async def f(ctx: inngest.Context) -> None:
                    await ctx.step.wait_for_event(
                        "reply", event="api/reply", timeout=datetime.timedelta(days=1),
                        if_exp="async.data.lead_id == event.data.lead_id",
                    )


                def reply(lead_id: str) -> None:
                    client.send_sync(inngest.Event(name="api/reply", data={"lead_id": lead_id}))
                    client.send_sync(inngest.Event(name="app/lead", data={"lead_id": lead_id}))
                """,
            },
        ),
    )

    VALID = (
        """
        import datetime
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/lead"))
        async def f(ctx: inngest.Context) -> None:
            await ctx.step.wait_for_event(
                "w",
                event="app/reply",
                if_exp="async.data.lead_id == event.data.lead_id",
                timeout=datetime.timedelta(hours=1),
            )

        def reply(lead_id: str) -> None:
            client.send_sync(inngest.Event(name="app/reply", data={"lead_id": lead_id}))
            client.send_sync(inngest.Event(name="app/lead", data={"lead_id": lead_id}))
        """,
    )
    INVALID = (
        """
        import datetime
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/lead"))
        async def f(ctx: inngest.Context) -> None:
            await ctx.step.wait_for_event(
                "w",
                event="app/reply",
                if_exp="async.data.leadId == event.data.lead_id",  # error: INN401
                timeout=datetime.timedelta(hours=1),
            )

        def reply(lead_id: str) -> None:
            client.send_sync(inngest.Event(name="app/reply", data={"lead_id": lead_id}))
            client.send_sync(inngest.Event(name="app/lead", data={"lead_id": lead_id}))
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        for expression in expressions(self.index):
            for path in cel.data_paths(expression.cel.text):
                names = root_names(expression, path.root)
                shapes = shapes_for(self.index, names)
                if shapes is None:
                    continue
                sent_keys = {key for shape in shapes for key in shape.key_names()}
                if path.key in sent_keys:
                    continue
                wanted = normalized_key(path.key)
                near = sorted(key for key in sent_keys if normalized_key(key) == wanted)
                if not near:
                    continue
                event_list = ", ".join(f"'{name}'" for name in sorted(names or ()))
                yield self.diagnostic(
                    location_in(expression.cel, path.offset, path.end_offset),
                    f"{path.root}.data.{path.key} is never sent: sends of {event_list} have "
                    f"'{near[0]}' (same name, different case or separators); CEL field names are "
                    f"exact, so use {path.root}.data.{near[0]}",
                    context=path.key,
                    caused_by=one_send_with(self.index, names, near[0]),
                    fix=_fix(expression.cel, path, near),
                )


def _fix(string: CelString, path: cel.DataPath, near: list[str]) -> Fix | None:
    """`root.data.<the senders' key>` in place of the path, inside the string literal: only for
    a literal whose text is its source (no escapes, one line), a path written with dots, and one
    spelling that CEL can write with a dot."""
    if len(near) != 1 or not string.exact_columns or not (near[0].isidentifier() and near[0].isascii()):
        return None
    written = f"{path.root}.data.{path.key}"
    if string.text[path.offset : path.end_offset] != written:
        return None
    where = location_in(string, path.offset, path.end_offset)
    edit = Edit(
        where.path, where.line, where.column, where.end_line, where.end_column, written, f"{path.root}.data.{near[0]}"
    )
    return Fix(f"read {path.root}.data.{near[0]}", SAFE, (edit,))
