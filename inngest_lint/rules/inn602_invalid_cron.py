"""INN602 invalid-cron."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules._config import qualified_call, resolve, shown_string
from inngest_lint.rules._cron import cron_problem
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.values import argument


class InvalidCron(Rule):
    """A `TriggerCron` schedule that the Inngest server rejects.

    ## What it does
    Checks the literal `cron=` of `TriggerCron(...)` (directly or through a name bound once in
    the file) the way the Inngest server does when the app syncs: exactly five fields (minute,
    hour, day of month, month, day of week), each a comma list of `*`, `?`, numbers, names
    (JAN-DEC, SUN-SAT), ranges `a-b` and steps `/n` within the field's bounds, optionally
    prefixed `TZ=<zone> ` or `CRON_TZ=<zone> `. The server parses with robfig/cron's
    `Minute | Hour | Dom | Month | Dow` options (`pkg/inngest/trigger.go`), so a sixth seconds
    field, `@daily`-style descriptors, `L`/`W`/`#` and a day of week of 7 are rejected. A time
    zone name is checked against this machine's time zone database when it has one.

    ## Why is this bad?
    The SDK does not validate the schedule; the server refuses the whole app at sync time
    ("isn't a valid cron schedule"), so none of the app's functions are registered until it is
    fixed, which usually shows up only after a deploy.

    ## Use instead
    Five fields, without seconds: minute, hour, day of month, month, day of week.
    """

    code = "INN602"
    name = "invalid-cron"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="reports")

        @client.create_function(fn_id="digest", trigger=inngest.TriggerCron(cron="0 12 * * 5"))
        def digest(ctx: inngest.ContextSync) -> None:
            ctx.step.run("send", send_digest)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="reports")
        NIGHTLY = "30 2 * * MON-FRI"

        @client.create_function(
            fn_id="digest",
            trigger=[
                inngest.TriggerCron(cron="TZ=Europe/Paris 0 12 * * 5"),
                inngest.TriggerCron(cron="*/15 9-17 1,15 JAN-JUN ?"),
                inngest.TriggerCron(cron=NIGHTLY),
            ],
        )
        def digest(ctx: inngest.ContextSync) -> None:
            ctx.step.run("send", send_digest)
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="reports")

        @client.create_function(fn_id="digest", trigger=inngest.TriggerCron(cron="0 0 12 * * 5"))  # error: INN602
        def digest(ctx: inngest.ContextSync) -> None:
            ctx.step.run("send", send_digest)
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="reports")

        @client.create_function(
            fn_id="digest",
            trigger=[
                inngest.TriggerCron(cron="0 0 12 * * 5"),  # error: INN602
                inngest.TriggerCron(cron="@daily"),  # error: INN602
                inngest.TriggerCron(cron="0 9 * * 7"),  # error: INN602
            ],
        )
        def digest(ctx: inngest.ContextSync) -> None:
            ctx.step.run("send", send_digest)
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        if qualified_call(self.context, node) != sdk.TRIGGER_CRON_CLASS:
            return
        value = argument(node, 0, sdk.TRIGGER_CRON_KEYWORD)
        if value is None:
            return
        source = resolve(self.context, value)
        text = literal_string(source)
        if text is None:
            return
        problem = cron_problem(text)
        if problem is None:
            return
        self.report(
            value,
            f"cron schedule {shown_string(text, 50)} is rejected by the Inngest server when the app syncs: {problem}",
            context=text,
        )
