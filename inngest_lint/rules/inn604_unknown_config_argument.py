"""INN604 unknown-config-argument."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
from inngest_lint.rules._config import (
    closest,
    is_create_function,
    only_close_match,
    positional_args,
    qualified_call,
)
from inngest_lint.rules.base import Rule

#: What is lost when pydantic drops an owner's filter keyword.
_DROPPED_FILTER_EFFECT = {
    sdk.TRIGGER_EVENT_CLASS: ", so the function runs for every event, unfiltered",
    sdk.CANCEL_CLASS: ", so any such event cancels every run",
    sdk.BATCH_CLASS: ", so every event is batched",
}


class UnknownConfigArgument(Rule):
    """A keyword argument the SDK class or method does not have.

    ## What it does
    Flags keywords that do not exist on the Inngest configuration classes (`TriggerEvent`,
    `TriggerCron`, `Event`, `Cancel`, `Concurrency`, `Debounce`, `Throttle`, `RateLimit`,
    `Batch`, `Priority`, `Singleton`, `Timeouts`), on `client.create_function(...)`, on the step
    methods (`wait_for_event`, `invoke`, `sleep`, `step.ai.infer`, `ctx.group.experiment`, ...),
    on `ctx.group.parallel(...)`, `ctx.defer(...)` and `inngest.Inngest(...)`, and suggests the
    closest real keyword. Keywords of any SDK version from 0.3 to 0.5.20a0 are accepted
    (`Throttle(count=)`, `Event(user=)`), so an older project is not flagged for using its
    version's API. `**kwargs` spreads are not checked. Positional arguments to the configuration
    classes and the client, which take keywords only, are flagged too.

    ## Why is this bad?
    The configuration classes are pydantic models that ignore unknown keywords: no error, the
    option is simply gone. `TriggerEvent(event=..., if_exp=...)` loses its filter (the keyword
    is `expression`), so the function runs for every event. On `create_function`, the client
    and the step methods an unknown keyword is a `TypeError` when the module loads or the step
    runs.

    ## Fix
    The keyword is renamed to the one it nearly matches, when exactly one does (a known
    correction such as `if_exp` -> `expression` on `TriggerEvent`, a difference of case or
    underscores, or the only close spelling) and the call does not already pass that keyword.
    Safe on `create_function`, the client and the step methods, where the call as written raises
    `TypeError`. Unsafe on the configuration classes: they are pydantic models
    (`inngest/_internal/server_lib/registration.py` on `types.BaseModel`, which keeps pydantic's
    default `extra="ignore"`), so the unknown keyword is dropped today and the renamed option
    takes effect for the first time (a filter starts filtering, a limit starts limiting); review
    what it will do.
    """

    code = "INN604"
    name = "unknown-config-argument"
    fixable = "safe"

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="shop")


            @client.create_function(
                fn_id="vip-order",
                trigger=inngest.TriggerEvent(event="shop/order.placed", if_exp="event.data.vip == true"),
            )
            async def vip_order(ctx: inngest.Context) -> None:
                await ctx.step.wait_for_event("paid", event="shop/order.paid", timout=60_000)
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="shop")


            @client.create_function(
                fn_id="vip-order",
                trigger=inngest.TriggerEvent(event="shop/order.placed", expression="event.data.vip == true"),
            )
            async def vip_order(ctx: inngest.Context) -> None:
                await ctx.step.wait_for_event("paid", event="shop/order.paid", timeout=60_000)
            """,
        ),
    )

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(
            fn_id="vip-order",
            trigger=inngest.TriggerEvent(event="shop/order.placed", expression="event.data.vip == true"),
        )
        async def vip_order(ctx: inngest.Context) -> None:
            await ctx.step.run("upgrade", upgrade_shipping, ctx.event.data["order_id"])
        """,
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="shop", is_production=False)

        @client.create_function(
            fn_id="vip-order",
            trigger=inngest.TriggerEvent(event="shop/order.placed", expression="event.data.vip == true"),
            throttle=inngest.Throttle(limit=10, period=datetime.timedelta(minutes=1)),
            cancel=[inngest.Cancel(event="shop/order.cancelled", if_exp="async.data.id == event.data.id")],
        )
        async def vip_order(ctx: inngest.Context) -> None:
            await ctx.step.wait_for_event(
                "paid", event="shop/order.paid", if_exp="async.data.id == event.data.id", timeout=60_000
            )
        """,
        """
        import inngest

        OPTIONS = {"event": "shop/order.placed"}
        trigger = inngest.TriggerEvent(**OPTIONS)
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(
            fn_id="vip-order",
            trigger=inngest.TriggerEvent(event="shop/order.placed", if_exp="event.data.vip == true"),  # error: INN604
        )
        async def vip_order(ctx: inngest.Context) -> None:
            await ctx.step.run("upgrade", upgrade_shipping, ctx.event.data["order_id"])
        """,
        """
        import inngest

        client = inngest.Inngest(app_id="shop")

        @client.create_function(
            fn_id="vip-order",
            trigger=inngest.TriggerEvent(event="shop/order.placed", if_exp="event.data.vip == true"),  # error: INN604
        )
        async def vip_order(ctx: inngest.Context) -> None:
            await ctx.step.wait_for_event("paid", event="shop/order.paid", timout=60_000)  # error: INN604
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        owner = qualified_call(context, node)
        if owner is not None and owner in sdk.CONFIG_CLASS_KEYWORDS:
            self._check(node, owner, _short(owner), sdk.CONFIG_CLASS_KEYWORDS[owner], dropped=True)
            return
        if owner == sdk.CLIENT_CLASS:
            self._check(node, owner, _short(owner), sdk.CLIENT_KEYWORDS, dropped=False)
            return
        method = context.step_method(node)
        if method is not None and method in sdk.STEP_METHOD_KEYWORDS:
            allowed = sdk.STEP_METHOD_KEYWORDS[method] | {sdk.STEP_ID_KEYWORD}
            label = method if method == sdk.GROUP_EXPERIMENT else f"step.{method}"
            self._check(node, method, label, allowed, dropped=False, positional_ok=True)
            return
        if context.is_group_parallel(node):
            label = sdk.GROUP_PARALLEL_LABEL
            self._check(node, label, label, sdk.GROUP_PARALLEL_KEYWORDS, dropped=False, positional_ok=True)
            return
        if context.is_defer_call(node):
            label = f"ctx.{sdk.CONTEXT_DEFER_METHOD}"
            self._check(node, label, label, sdk.CONTEXT_DEFER_KEYWORDS, dropped=False, positional_ok=True)
            return
        if is_create_function(node):
            method_name = sdk.CREATE_FUNCTION_METHOD
            self._check(node, method_name, method_name, sdk.CREATE_FUNCTION_KEYWORDS, dropped=False)

    def _check(
        self,
        node: cst.Call,
        owner: str,
        label: str,
        allowed: frozenset[str],
        *,
        dropped: bool,
        positional_ok: bool = False,
    ) -> None:
        if not positional_ok:
            positional = positional_args(node)
            if positional:
                self.report(
                    positional[0],
                    f"`{label}` takes keyword arguments only: a positional argument raises TypeError; "
                    f"name it ({', '.join(sorted(allowed)[:4])}{', ...' if len(allowed) > 4 else ''})",
                    context=label,
                )
        for arg in node.args:
            if arg.keyword is None:
                continue
            keyword = arg.keyword.value
            if keyword in allowed:
                continue
            self.report(
                arg,
                self._message(owner, label, keyword, allowed, dropped),
                context=f"{label}.{keyword}",
                fix=self._fix(node, arg, owner, allowed, safe=not dropped),
            )

    def _fix(self, node: cst.Call, arg: cst.Arg, owner: str, allowed: frozenset[str], *, safe: bool) -> Fix | None:
        assert arg.keyword is not None
        keyword = arg.keyword.value
        if _other_trigger(owner, keyword) is not None:
            return None
        meant = only_close_match(keyword, allowed, sdk.KEYWORD_CORRECTIONS.get(owner))
        if meant is None or meant == keyword or meant not in allowed:
            return None
        if any(other.keyword is not None and other.keyword.value == meant for other in node.args):
            return None  # the call passes it already: renaming would repeat a keyword
        return self.context.fix(f"rename `{keyword}=` to `{meant}=`", [(arg.keyword, cst.Name(meant))], safe=safe)

    @staticmethod
    def _message(owner: str, label: str, keyword: str, allowed: frozenset[str], dropped: bool) -> str:
        other_trigger = _other_trigger(owner, keyword)
        suggestion = closest(keyword, allowed, sdk.KEYWORD_CORRECTIONS.get(owner))
        if other_trigger is not None:
            advice = f"use {other_trigger}"
        elif suggestion is not None and suggestion != keyword:
            advice = f"did you mean `{suggestion}=`?"
        else:
            advice = f"its keywords are {', '.join(sorted(allowed))}"
        if owner == sdk.STEP_RUN:
            advice += "; arguments for the handler go after it, positionally, or through functools.partial"
        if dropped:
            filter_keyword = sdk.FILTER_KEYWORDS.get(owner)
            effect = _DROPPED_FILTER_EFFECT.get(owner, "") if suggestion == filter_keyword else ""
            return f"`{label}` has no keyword `{keyword}`: the SDK drops it silently{effect}; {advice}"
        return f"`{label}` has no keyword `{keyword}`: calling it raises TypeError; {advice}"


def _short(qualified: str) -> str:
    return qualified.rsplit(".", 1)[-1] if qualified != sdk.CLIENT_CLASS else qualified


def _other_trigger(owner: str, keyword: str) -> str | None:
    """`TriggerEvent(cron=...)` -> the cron trigger class, and the other way round."""
    if owner not in sdk.TRIGGER_CLASSES:
        return None
    for other in sdk.TRIGGER_CLASSES:
        if other == owner or keyword in sdk.CONFIG_CLASS_KEYWORDS[owner]:
            continue
        if keyword in sdk.CONFIG_CLASS_KEYWORDS[other]:
            return f"`{other}({keyword}=...)`"
    return None
