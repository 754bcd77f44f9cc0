"""INN609 incompatible-config."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules._config import (
    describe_duration,
    duration,
    is_create_function,
    keyword_arg,
    list_elements,
    number,
    qualified_call,
    resolve,
    sdk_config_call,
    string_value,
)
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.values import keyword


class IncompatibleConfig(Rule):
    """Function options that the Inngest server rejects when the app syncs.

    ## What it does
    Flags, in `client.create_function(...)` and the option classes, exactly the combinations
    and values that the server's function validation refuses (inngest/inngest
    `pkg/inngest/function.go` `Function.Validate`, with `batch.go`, `concurrency.go`,
    `trigger.go` and the limits in `pkg/consts/consts.go`):
    - `batch_events` together with `debounce`, with `cancel`, or with `priority`
      ("mutually exclusive" / "cannot specify Priority.Run and Batch together");
    - more than 2 `concurrency` entries, more than 10 triggers, more than 5 `cancel` entries,
      or the same trigger twice;
    - `Concurrency(scope="account" | "env")` without a `key`;
    - `Batch(max_size=...)` below 2, a `Debounce` period over 7 days, a `RateLimit` period over
      24 hours or a `RateLimit` limit below 1.

    Only values written in the source are judged (literals, names bound once in the file).
    Combinations the docs merely advise against (batching with rate limiting or idempotency,
    for instance) are accepted by the server and not flagged.

    ## Why is this bad?
    The SDK sends these options unchecked; the server refuses the whole app at sync time, so
    none of its functions are registered until the configuration is fixed, and the error shows
    up only after a deploy.

    ## Use instead
    Keep one of the two: batch the events, or debounce them.
    """

    code = "INN609"
    name = "incompatible-config"

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(
            fn_id="import",
            trigger=inngest.TriggerEvent(event="app/row.imported"),
            batch_events=inngest.Batch(max_size=100, timeout=datetime.timedelta(seconds=5)),
        )
        async def import_rows(ctx: inngest.Context) -> None:
            await ctx.step.run("store", store, ctx.events)
        """,
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(
            fn_id="import",
            trigger=inngest.TriggerEvent(event="app/row.imported"),
            batch_events=inngest.Batch(max_size=100, timeout=datetime.timedelta(seconds=5)),
            rate_limit=inngest.RateLimit(limit=10, period=datetime.timedelta(hours=1)),
            idempotency="event.data.row_id",
            concurrency=[
                inngest.Concurrency(limit=5),
                inngest.Concurrency(limit=1, key="event.data.account_id", scope="account"),
            ],
        )
        async def import_rows(ctx: inngest.Context) -> None:
            await ctx.step.run("store", store, ctx.events)
        """,
    )
    INVALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(
            fn_id="import",
            trigger=inngest.TriggerEvent(event="app/row.imported"),
            batch_events=inngest.Batch(max_size=100, timeout=datetime.timedelta(seconds=5)),
            debounce=inngest.Debounce(period=datetime.timedelta(seconds=30)),  # error: INN609
        )
        async def import_rows(ctx: inngest.Context) -> None:
            await ctx.step.run("store", store, ctx.events)
        """,
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(
            fn_id="import",
            trigger=inngest.TriggerEvent(event="app/row.imported"),
            batch_events=inngest.Batch(max_size=100, timeout=datetime.timedelta(seconds=5)),
            debounce=inngest.Debounce(period=datetime.timedelta(seconds=30)),  # error: INN609
            concurrency=[inngest.Concurrency(limit=5, scope="account")],  # error: INN609
        )
        async def import_rows(ctx: inngest.Context) -> None:
            await ctx.step.run("store", store, ctx.events)
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if is_create_function(node):
            self._check_function(node)
            return
        owner = qualified_call(context, node)
        if owner == sdk.CONCURRENCY_CLASS:
            self._check_concurrency(node)
        elif owner == sdk.BATCH_CLASS:
            size = number(context, keyword(node, sdk.BATCH_MAX_SIZE_KEYWORD))
            if isinstance(size, int) and size < sdk.MIN_BATCH_SIZE:
                self._report_keyword(
                    node,
                    sdk.BATCH_MAX_SIZE_KEYWORD,
                    f"Batch(max_size={size}) is rejected when the app syncs (a batch holds at least "
                    f"{sdk.MIN_BATCH_SIZE} events); raise max_size or drop batch_events",
                )
        elif owner == sdk.DEBOUNCE_CLASS:
            self._check_period(node, "Debounce", sdk.DEBOUNCE_PERIOD_KEYWORD, sdk.MAX_DEBOUNCE_PERIOD_SECONDS)
        elif owner == sdk.RATE_LIMIT_CLASS:
            self._check_period(node, "RateLimit", sdk.RATE_LIMIT_PERIOD_KEYWORD, sdk.MAX_RATE_LIMIT_PERIOD_SECONDS)
            limit = number(context, keyword(node, sdk.RATE_LIMIT_LIMIT_KEYWORD))
            if isinstance(limit, int) and limit < 1:
                self._report_keyword(
                    node,
                    sdk.RATE_LIMIT_LIMIT_KEYWORD,
                    f"RateLimit(limit={limit}) is rejected when the app syncs (the limit must be greater than 0)",
                )

    # ------------------------------------------------------------------ create_function
    def _check_function(self, node: cst.Call) -> None:
        context = self.context
        batch = sdk_config_call(context, keyword(node, sdk.CREATE_FUNCTION_BATCH_KEYWORD), sdk.BATCH_CLASS)
        if batch is not None:
            if sdk_config_call(context, keyword(node, sdk.CREATE_FUNCTION_DEBOUNCE_KEYWORD), sdk.DEBOUNCE_CLASS):
                self._report_keyword(
                    node,
                    sdk.CREATE_FUNCTION_DEBOUNCE_KEYWORD,
                    "batch_events and debounce cannot be combined: the server rejects the function when the app "
                    "syncs ('Batching and debouncing are mutually exclusive'); keep one of them",
                )
            if self._cancel_count(node)[0] > 0:
                self._report_keyword(
                    node,
                    sdk.CREATE_FUNCTION_CANCEL_KEYWORD,
                    "batch_events and cancel cannot be combined: the server rejects the function when the app "
                    "syncs ('Batching and cancellation are mutually exclusive'); keep one of them",
                )
            if sdk_config_call(context, keyword(node, sdk.CREATE_FUNCTION_PRIORITY_KEYWORD), sdk.PRIORITY_CLASS):
                self._report_keyword(
                    node,
                    sdk.CREATE_FUNCTION_PRIORITY_KEYWORD,
                    "batch_events and priority cannot be combined: the server rejects the function when the app "
                    "syncs ('A function cannot specify Priority.Run and Batch together'); keep one of them",
                )
        concurrency = list_elements(context, keyword(node, sdk.CREATE_FUNCTION_CONCURRENCY_KEYWORD))
        if concurrency is not None and len(concurrency[0]) > sdk.MAX_CONCURRENCY_ENTRIES:
            self._report_keyword(
                node,
                sdk.CREATE_FUNCTION_CONCURRENCY_KEYWORD,
                f"{len(concurrency[0])} concurrency entries: the server accepts at most "
                f"{sdk.MAX_CONCURRENCY_ENTRIES} and rejects the function when the app syncs; merge or drop some",
            )
        count, _ = self._cancel_count(node)
        if count > sdk.MAX_CANCELLATIONS:
            self._report_keyword(
                node,
                sdk.CREATE_FUNCTION_CANCEL_KEYWORD,
                f"{count} cancel entries: the server accepts at most {sdk.MAX_CANCELLATIONS} cancellation events "
                "and rejects the function when the app syncs",
            )
        self._check_triggers(node)

    def _cancel_count(self, node: cst.Call) -> tuple[int, bool]:
        """(known entries, complete) of `cancel=`: a list literal, or one `Cancel(...)`."""
        value = keyword(node, sdk.CREATE_FUNCTION_CANCEL_KEYWORD)
        if value is None:
            return 0, True
        if sdk_config_call(self.context, value, sdk.CANCEL_CLASS) is not None:
            return 1, True
        elements = list_elements(self.context, value)
        if elements is None:
            return 0, False
        return len(elements[0]), elements[1]

    def _check_triggers(self, node: cst.Call) -> None:
        context = self.context
        elements = list_elements(context, keyword(node, sdk.CREATE_FUNCTION_TRIGGER_KEYWORD))
        if elements is None:
            return
        triggers = elements[0]
        if len(triggers) > sdk.MAX_TRIGGERS:
            self._report_keyword(
                node,
                sdk.CREATE_FUNCTION_TRIGGER_KEYWORD,
                f"{len(triggers)} triggers: the server accepts at most {sdk.MAX_TRIGGERS} per function and "
                "rejects it when the app syncs; split the function or use a wildcard event such as 'app/*'",
            )
        seen: dict[tuple[str, tuple[tuple[str, str], ...]], cst.BaseExpression] = {}
        for trigger in triggers:
            identity = self._trigger_identity(trigger)
            if identity is None:
                continue
            if identity in seen:
                self.report(
                    trigger,
                    "the same trigger is listed twice: the server rejects the function when the app syncs "
                    "('duplicate trigger'); remove one",
                    context="duplicate-trigger",
                )
            else:
                seen[identity] = trigger

    def _trigger_identity(self, node: cst.BaseExpression) -> tuple[str, tuple[tuple[str, str], ...]] | None:
        """A trigger call whose arguments are all literal strings, as (class, sorted keyword values)."""
        context = self.context
        call = resolve(context, node)
        if not isinstance(call, cst.Call):
            return None
        owner = qualified_call(context, call)
        if owner not in sdk.TRIGGER_CLASSES:
            return None
        values: list[tuple[str, str]] = []
        for arg in call.args:
            if arg.keyword is None:
                return None
            text = literal_string(resolve(context, arg.value))
            if text is None:
                return None
            values.append((arg.keyword.value, text))
        return owner or "", tuple(sorted(values))

    # ------------------------------------------------------------------ option classes
    def _check_concurrency(self, node: cst.Call) -> None:
        context = self.context
        scope = string_value(context, keyword(node, sdk.CONCURRENCY_SCOPE_KEYWORD))
        if scope not in sdk.CONCURRENCY_SCOPES_NEEDING_KEY:
            return
        key = keyword(node, sdk.CONCURRENCY_KEY_KEYWORD)
        if key is not None and not _is_none(resolve(context, key)):
            return
        if any(arg.star == "**" for arg in node.args):
            return
        self._report_keyword(
            node,
            sdk.CONCURRENCY_SCOPE_KEYWORD,
            f"Concurrency(scope={scope!r}) without a key is rejected when the app syncs ('A concurrency key must "
            f"be specified for {scope} scoped limits'); add a key= expression (a quoted constant such as "
            "'\"openai\"' shares one limit)",
        )

    def _check_period(self, node: cst.Call, label: str, name: str, limit_seconds: int) -> None:
        written = duration(self.context, keyword(node, name))
        if written is None or written.seconds <= limit_seconds:
            return
        self._report_keyword(
            node,
            name,
            f"{label}({name}=...) of {describe_duration(written.milliseconds)} is over the server's maximum of "
            f"{describe_duration(limit_seconds * 1000)} and is rejected when the app syncs",
        )

    def _report_keyword(self, node: cst.Call, name: str, message: str) -> None:
        arg = keyword_arg(node, name)
        self.report(arg if arg is not None else node, message, context=name)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"
