"""INN403 expression-type-mismatch."""

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
from inngest_lint.rules.base import ProjectRule


class ExpressionTypeMismatch(ProjectRule):
    """A comparison between a data field and a literal of another type than the sends use.

    ## What it does
    Flags a comparison in a CEL expression between `event.data.X` / `async.data.X` and a
    literal (string, number, bool) when every send of that event gives X a literal value of a
    different type: `async.data.lead_id == 'lead-123'` while the sender writes
    `{"lead_id": 123}`. Comparisons with `null` are presence checks and are not flagged; values
    that are not literals make the rule silent.

    ## Why is this bad?
    CEL does not convert between types: `123 == '123'` is false (or an error). The wait never
    matches and times out; the filter drops every event.

    ## Use instead
    Make both sides the same type.
    """

    code = "INN403"
    name = "expression-type-mismatch"
    options = ("external-events",)

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
                if_exp="async.data.lead_id == 123",
                timeout=datetime.timedelta(hours=1),
            )

        def reply() -> None:
            client.send_sync(inngest.Event(name="app/reply", data={"lead_id": 123}))
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
                if_exp="async.data.lead_id == 'lead-123'",  # error: INN403
                timeout=datetime.timedelta(hours=1),
            )

        def reply() -> None:
            client.send_sync(inngest.Event(name="app/reply", data={"lead_id": 123}))
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        for expression in expressions(self.index):
            for comparison in cel.comparisons(expression.cel.text):
                if comparison.literal_type == "null":
                    continue
                path = comparison.path
                names = root_names(expression, path.root)
                shapes = shapes_for(self.index, names)
                if shapes is None:
                    continue
                types = {value_type for shape in shapes for key, value_type in shape.keys if key == path.key}
                if not types or "unknown" in types or comparison.literal_type in types:
                    continue
                if any(path.key not in shape.key_names() and not shape.literal for shape in shapes):
                    continue  # a send we cannot see into may use the literal's type
                sent = " or ".join(sorted(types))
                yield self.diagnostic(
                    location_in(expression.cel, path.offset, path.end_offset),
                    f"{path.root}.data.{path.key} is compared with {comparison.literal_type} "
                    f"{comparison.literal_text} but every send gives it a {sent} value; CEL does not "
                    f"convert types, so this never matches",
                    context=path.key,
                    caused_by=one_send_with(self.index, names, path.key),
                )
