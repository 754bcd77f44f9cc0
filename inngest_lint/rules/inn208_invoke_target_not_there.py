"""INN208 invoke-target-not-there."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.facts.model import Definition, InngestFunction
from inngest_lint.rules.base import ProjectRule

_NOT_A_FUNCTION = {
    "client": "an Inngest client",
    "constant": "a constant",
    "module": "a module",
    "list": "a list",
}


class InvokeTargetNotThere(ProjectRule):
    """`step.invoke(function=x)` where `x` is not an Inngest function, or is another app's.

    ## What it does
    Flags the `function=` of a `step.invoke` in an Inngest function when it resolves, in the
    project, to something other than an Inngest function (a plain def or class, the undecorated
    handler of a `create_function(...)(handler)` call, a client, a constant, a module), or to
    an Inngest function whose client has another `app_id` than the calling function's client.
    Names the project cannot resolve, decorated defs and apps whose IDs are not literal are
    left alone.

    ## Why is this bad?
    `Step.invoke` (`inngest/_internal/step_lib/step_async.py`, `step_sync.py`) reads
    `function._opts.local_id` and calls `invoke_by_id(app_id=self._client.app_id, ...)`: the
    target is looked up in the *calling* client's app. Anything that is not an
    `inngest.Function` fails with `AttributeError` when the step runs; a function of another app
    is looked up under the wrong app ID (`"<caller app>-<fn_id>"`), which Inngest does not
    have, so the invoke fails (or reaches a same-named function of the caller's app).

    ## Why no automatic fix
    Determined for another app's function with literal IDs: rewrite to
    `step.invoke_by_id(step_id, app_id=<its app_id>, function_id=<its fn_id>, ...)` with the same
    `data`/`timeout`. None for a target that is not a function.
    """

    code = "INN208"
    name = "invoke-target-not-there"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="shop/charge"))
        async def charge(ctx: inngest.Context) -> None:
            pass


        @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
        async def checkout(ctx: inngest.Context) -> None:
            await ctx.step.invoke("charge", function=charge, data={"order_id": ctx.event.data["order_id"]})
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        def charge_card(order_id: str) -> None:
            pass


        @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
        async def checkout(ctx: inngest.Context) -> None:
            await ctx.step.invoke("charge", function=charge_card, data={"order_id": "1"})  # error: INN208
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        for function in index.functions:
            for invoke in function.invokes:
                resolved = index.resolve(invoke.function)
                if resolved.kind == "function" and isinstance(resolved.value, InngestFunction):
                    message = self._other_app(function, resolved.value)
                elif resolved.kind == "definition" and isinstance(resolved.value, Definition):
                    message = self._definition(resolved.value)
                elif resolved.kind in _NOT_A_FUNCTION:
                    message = (
                        f"`step.invoke(function=...)` is given {_NOT_A_FUNCTION[resolved.kind]}, not an Inngest "
                        f"function: the SDK reads `function._opts` and the step fails with AttributeError"
                    )
                else:
                    message = None
                if message is not None:
                    yield self.diagnostic(invoke.location, message)

    def _definition(self, definition: Definition) -> str | None:
        if definition.decorated and definition.kind != "inngest-handler":
            return None
        if definition.kind == "inngest-handler":
            what = (
                f"'{definition.symbol}' is the undecorated handler of a create_function(...)(handler) call; "
                f"invoke the Function that call returns"
            )
        else:
            kind = "class" if definition.kind == "class" else "function"
            what = f"'{definition.symbol}' is a plain {kind}, not an Inngest function"
        return f"`step.invoke(function=...)`: {what}; the SDK reads `function._opts` and the step fails"

    def _other_app(self, caller: InngestFunction, target: InngestFunction) -> str | None:
        index = self.index
        caller_app = index.app_id_of(caller)
        target_app = index.app_id_of(target)
        if caller_app is None or target_app is None or caller_app == target_app:
            return None
        fn_ids = index.strings(target.fn_id)
        fn_id = next(iter(fn_ids)) if fn_ids and len(fn_ids) == 1 else "<its fn_id>"
        return (
            f"'{target.handler_name}' belongs to app '{target_app}', but `step.invoke` looks the function up in the "
            f"calling client's app '{caller_app}' (as '{caller_app}-{fn_id}'), which has no such function; use "
            f'`step.invoke_by_id(..., app_id="{target_app}", function_id="{fn_id}")`'
        )
