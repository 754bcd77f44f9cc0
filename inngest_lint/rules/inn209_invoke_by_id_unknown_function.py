"""INN209 invoke-by-id-unknown-function."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.facts.model import InngestFunction, InvokeById
from inngest_lint.rules._project import is_near_miss
from inngest_lint.rules.base import ProjectRule

#: The ID the SDK gives a function's `on_failure` handler (`Function.__init__`,
#: `inngest/_internal/function.py`: `f"{fully_qualified_id}-failure"`); never invoked by hand.
_FAILURE_SUFFIX = "-failure"


class InvokeByIdUnknownFunction(ProjectRule):
    """`step.invoke_by_id` naming one of this project's apps and a function ID it does not have.

    ## What it does
    Flags `step.invoke_by_id(..., app_id=A, function_id=F)` (or without `app_id`, the calling
    function's app) when A is the `app_id` of a client of this project, every function of that
    app has a literal `fn_id`, and none is F; a near miss (`charge-card` for `charge_card`) is
    named. Apps the project does not define (another service, another repository) and
    non-literal IDs are left alone.

    ## Why is this bad?
    `Step.invoke_by_id` (`inngest/_internal/step_lib/step_async.py`, `step_sync.py`) sends the
    server `function_id=f"{app_id}-{function_id}"` and nothing checks it before the step runs:
    an ID that no function has fails the step at run time (the SDK's docstring: "If a function
    isn't found ... the step will fail"), typically on the first run in production.

    ## Why no automatic fix
    Determined when there is exactly one near miss: replace the function ID with it.
    """

    code = "INN209"
    name = "invoke-by-id-unknown-function"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        @client.create_function(fn_id="charge-card", trigger=inngest.TriggerEvent(event="shop/charge"))
        async def charge(ctx: inngest.Context) -> None:
            pass


        @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
        async def checkout(ctx: inngest.Context) -> None:
            await ctx.step.invoke_by_id("charge", function_id="charge-card")
            await ctx.step.invoke_by_id("ship", app_id="logistics", function_id="ship")
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        @client.create_function(fn_id="charge-card", trigger=inngest.TriggerEvent(event="shop/charge"))
        async def charge(ctx: inngest.Context) -> None:
            pass


        @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/checkout"))
        async def checkout(ctx: inngest.Context) -> None:
            await ctx.step.invoke_by_id("charge", app_id="shop", function_id="charge_card")  # error: INN209
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        apps: dict[str, set[str] | None] = {}
        for function in index.functions:
            app = index.app_id_of(function)
            if app is None:
                return  # a function whose app is unknown may be any app's: no ID list is complete
            ids = index.strings(function.fn_id)
            known = apps.setdefault(app, set())
            if ids is None or len(ids) != 1 or function.in_factory or known is None:
                apps[app] = None  # one function with an unknown ID: the app's IDs are not all known
            else:
                known.update(ids)
        for function in index.functions:
            for invoke in function.invokes_by_id:
                found = self._check(function, invoke, apps)
                if found is not None:
                    yield self.diagnostic(invoke.location, found)

    def _check(self, caller: InngestFunction, invoke: InvokeById, apps: dict[str, set[str] | None]) -> str | None:
        index = self.index
        if invoke.app_id_given:
            app_ids = index.strings(invoke.app_id)
            app = next(iter(app_ids)) if app_ids and len(app_ids) == 1 else None
        else:
            app = index.app_id_of(caller)
        function_ids = index.strings(invoke.function_id)
        if app is None or not function_ids or len(function_ids) != 1:
            return None
        function_id = next(iter(function_ids))
        known = apps.get(app)
        if not known or function_id in known or function_id.endswith(_FAILURE_SUFFIX):
            return None
        near = sorted(candidate for candidate in known if is_near_miss(function_id, candidate))
        hint = f"; did you mean '{near[0]}'?" if near else ""
        return (
            f"step.invoke_by_id names function '{function_id}' of app '{app}', but no function of that app in the "
            f"project has that fn_id: the step fails when it runs{hint}"
        )
