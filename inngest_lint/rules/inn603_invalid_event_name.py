"""INN603 invalid-event-name."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules._config import qualified_call, string_value
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.values import argument, keyword


class InvalidEventName(Rule):
    """An empty or blank event name, or a sent event that uses the reserved `inngest/` prefix.

    ## What it does
    Flags event names that are empty, only whitespace, or padded with whitespace in
    `TriggerEvent(event=...)`, `Cancel(event=...)`, `step.wait_for_event(event=...)` and
    `Event(name=...)`, and an `Event(name="inngest/...")` built to be sent. Listening to a
    system event (`TriggerEvent(event="inngest/function.failed")`) is legitimate and not
    flagged; neither are events built in test files (mocked runs replay system events).

    ## Why is this bad?
    The SDK does not check event names. An empty trigger name is rejected by the server when the
    app syncs ("An event trigger must specify an event name"); a blank or padded name never
    matches the events you send, so the function never runs or the wait always times out. The
    `inngest/` prefix is reserved for the platform's own events: sending one either fails or
    impersonates a system event that other functions react to.
    """

    code = "INN603"
    name = "invalid-event-name"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        async def report_failure(run_id: str) -> None:
            await client.send(inngest.Event(name="app/job.failed", data={"id": run_id}))
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="alert", trigger=inngest.TriggerEvent(event="inngest/function.failed"))
        async def alert(ctx: inngest.Context) -> None:
            await ctx.step.send_event("notify", inngest.Event(name="app/alert.raised", data=ctx.event.data))
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        async def report_failure(run_id: str) -> None:
            await client.send(inngest.Event(name="inngest/function.failed", data={"id": run_id}))  # error: INN603
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event=""))  # error: INN603
        async def signup(ctx: inngest.Context) -> None:
            await ctx.step.send_event("fail", inngest.Event(name="inngest/function.failed"))  # error: INN603
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        owner = qualified_call(context, node)
        value: cst.BaseExpression | None = None
        label = ""
        sent = False
        if owner is not None and owner in (sdk.TRIGGER_EVENT_CLASS, sdk.CANCEL_CLASS):
            value = argument(node, 0, sdk.LISTENED_EVENT_KEYWORD)
            label = f"{owner.rsplit('.', 1)[-1]}(event=...)"
        elif owner == sdk.EVENT_CLASS:
            value = argument(node, 0, sdk.EVENT_NAME_KEYWORD)
            label = "Event(name=...)"
            sent = True
        elif context.step_method(node) == sdk.STEP_WAIT_FOR_EVENT:
            value = keyword(node, sdk.LISTENED_EVENT_KEYWORD)
            label = "step.wait_for_event(event=...)"
        if value is None:
            return
        name = string_value(context, value)
        if name is None:
            return
        if not name.strip():
            shown = "empty" if not name else "only whitespace"
            self.report(
                value,
                f"event name in {label} is {shown}: it matches no event (an empty trigger is rejected when "
                "the app syncs); use a name such as 'app/user.created'",
                context=name,
            )
            return
        if name != name.strip():
            self.report(
                value,
                f"event name {name!r} in {label} has leading or trailing whitespace: it never matches "
                f"{name.strip()!r}; remove the whitespace",
                context=name,
            )
            return
        if sent and name.startswith(sdk.RESERVED_EVENT_PREFIX) and not context.is_test:
            self.report(
                value,
                f"event {name!r} uses the `{sdk.RESERVED_EVENT_PREFIX}` prefix, which is reserved for Inngest's own "
                "events: sending it fails or impersonates a system event; use your app's prefix, e.g. 'app/...'",
                context=name,
            )
