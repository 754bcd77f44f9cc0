"""INN109 side-effect-outside-step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules._project_helpers import effect_words
from inngest_lint.rules._replay_body import ReplayBodyRule
from inngest_lint.semantic.replay import (
    Held,
    SideEffects,
    function_label,
    step_spelling,
)

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext


class SideEffectOutsideStep(ReplayBodyRule):
    """An HTTP call, event send or database write in an Inngest function body, outside a step.

    ## What it does
    In an Inngest function that makes at least one step call, flags these calls made directly in
    the function body (or in a lambda given to `ctx.group.parallel`), outside any step handler:
    - HTTP requests: `requests.*` and `httpx.*` request functions, `urllib.request.urlopen`, and
      the request methods of a `requests.Session`, `httpx.Client`/`AsyncClient` or
      `aiohttp.ClientSession` whose class is certain (created in the same function or module);
    - `send` / `send_sync` on an Inngest client: a module variable assigned `inngest.Inngest(...)`
      in this file, or a name used with `.create_function(...)` in this file;
    - SDK calls that write through the Inngest API: `client.score(...)`, `score_sync`,
      `score_experiment(...)` (0.5.20) and `inngest.experimental.realtime.publish(...)`;
    - database writes, a deliberately small set: an argument-less `.commit()` on a session or
      connection, `execute`-style calls whose literal SQL starts with INSERT/UPDATE/DELETE/
      REPLACE/MERGE, SQLAlchemy `insert()`/`update()`/`delete()` statements, Django
      `Model.objects.create(...)`-style writes (and `.update()`/`.delete()` of a query set, kept in a
      variable or not), pymongo `insert_one`-style writes.
      `.save()`, `.delete()` or `.add()` on an arbitrary object are not evidence enough.

    Only a call that a step call can still follow is flagged: a later step, a step in the same
    loop, a step in an `except` or `finally` block that a failure after the call reaches, or a
    call given the context or step object (a project helper that may run steps). Code no step
    can follow runs once per attempt, exactly like the body of a function with no step call, and
    is silent: the writes and queue pushes after the last step, a branch that returns before any
    step, a loop of writes after the steps.

    Project helpers that the body calls where a step call can still follow (`notify(order)`,
    `hooks.notify(order)`, `Notifier.notify(order)`, in this file or another module) are
    followed through the project call graph: the helper, the helpers it calls, and so on, up to
    `follow-depth` calls deep (default 4; cycles are cut), across modules. A finding is reported
    at the body's call site, naming the chain ("'sync_all' (app/sync.py:5) calls 'http.fetch'
    (app/http.py:5), which makes an HTTP GET via requests (app/http.py:6)"), when a helper's own
    body certainly makes one of the calls above (a `send` on an Inngest client imported from
    another module counts). Not counted in a helper: calls in its nested defs or lambdas, calls
    in its `except` handlers (an alert on the error path), generators, and decorated helpers
    (`@lru_cache` and the like may keep the call from repeating); `@staticmethod` and
    `@classmethod` are fine.

    Declare what the linter cannot see, by qualified name (globs allowed):
    `io-functions = ["warehouse_sdk.push", "app.integrations.erp.*"]` makes a call of those a
    side effect, in the body or anywhere down a chain; `side-effect-free-functions =
    ["app.pricing.quote"]` stops the chain there (a cached lookup, a read-only client).

    ## Why is this bad?
    The SDK re-runs the function body from the top for every step (PyPI `inngest`,
    `ExecutionV0.run` in `inngest/_internal/execution_lib/v0.py` calls the handler on every
    request of the run). Each step method asks `ExecutionV0.report_step` for its memo: a finished
    step returns its memoized output, and the first step with no memo raises `ResponseInterrupt`
    (`inngest/_internal/step_lib/base.py`), which ends the request once that step is planned
    or, for `Step.run` (`inngest/_internal/step_lib/step_async.py`, `step_sync.py`), run. So a
    side effect that a step call can still follow repeats on every later request: the same
    event is sent once per step, the same row is inserted again, the same webhook fires again.
    Inside a step it runs once, and its result is memoized. Code no step can follow runs only
    in the request that finishes the function: once per attempt.

    ## Use instead
    Make the call in a step (`ctx.step.send_event` for an event, a `step.run` handler for the
    rest), or move it after the last step, where it runs once per attempt.
    """

    code = "INN109"
    name = "side-effect-outside-step"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
        async def signup(ctx: inngest.Context) -> None:
            user = await ctx.step.run("create-user", create_user, ctx.event.data)
            await ctx.step.send_event("user-created", inngest.Event(name="app/user.created", data={"id": user["id"]}))
            await ctx.step.run("send-welcome", send_welcome, user)
        """,
        """
        import httpx
        import inngest

        client = inngest.Inngest(app_id="app")


        async def create_user(data: dict) -> dict:
            async with httpx.AsyncClient(timeout=10) as http:
                response = await http.post("https://users.example.com", json=data)
                return response.json()


        @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
        async def signup(ctx: inngest.Context) -> None:
            user = await ctx.step.run("create-user", create_user, ctx.event.data)
            await ctx.step.send_event(
                "user-created", inngest.Event(name="app/user.created", data={"id": user["id"]})
            )


        @client.create_function(fn_id="ping", trigger=inngest.TriggerEvent(event="app/ping"))
        async def ping(ctx: inngest.Context) -> None:
            # No step call: the body runs once per attempt.
            await client.send(inngest.Event(name="app/pong"))


        @client.create_function(fn_id="digest", trigger=inngest.TriggerEvent(event="app/digest"))
        async def digest(ctx: inngest.Context) -> None:
            users = await ctx.step.run("load-users", load_users)
            # No step call can follow: this loop runs once per attempt.
            async with httpx.AsyncClient(timeout=10) as http:
                for user in users:
                    await http.post("https://queue.example.com/digests", json=user)
        """,
        {
            "app/hooks.py": """
                import httpx

                def notify(order: dict) -> None:
                    httpx.post("https://hooks.example.com/orders", json=order)
            """,
            "app/jobs.py": """
                import inngest
                from app import hooks

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="order", trigger=inngest.TriggerEvent(event="app/order"))
                async def order(ctx: inngest.Context) -> None:
                    order = await ctx.step.run("load", load_order, ctx.event.data["id"])
                    await ctx.step.run("notify", hooks.notify, order)
            """,
        },
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
        async def signup(ctx: inngest.Context) -> None:
            user = await ctx.step.run("create-user", create_user, ctx.event.data)
            # Sent again on every re-entry: the step "send-welcome" comes after it.
            await client.send(inngest.Event(name="app/user.created", data={"id": user["id"]}))  # error: INN109
            await ctx.step.run("send-welcome", send_welcome, user)
        """,
        """
        import inngest
        import requests

        client = inngest.Inngest(app_id="app")


        @client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
        def signup(ctx: inngest.ContextSync) -> None:
            user = ctx.step.run("create-user", create_user, ctx.event.data)
            requests.post("https://hooks.example.com/signup", json=user, timeout=10)  # error: INN109
            client.send_sync(inngest.Event(name="app/user.created", data=user))  # error: INN109
            ctx.step.run("send-welcome", send_welcome, user)
        """,
        {
            "app/hooks.py": """
                import httpx

                def notify(order: dict) -> None:
                    httpx.post("https://hooks.example.com/orders", json=order)
            """,
            "app/jobs.py": """
                import inngest
                from app import hooks

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="order", trigger=inngest.TriggerEvent(event="app/order"))
                async def order(ctx: inngest.Context) -> None:
                    order = await ctx.step.run("load", load_order, ctx.event.data["id"])
                    hooks.notify(order)  # error: INN109
                    await ctx.step.run("ship", ship_order, order)
            """,
        },
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.effects = SideEffects(context)

    def visit_Call(self, node: cst.Call) -> None:
        # Only calls written in the body itself are judged here. A project helper that the body
        # calls is judged in phase 2 (SideEffectThroughHelper), from the fact collector's record
        # of the helper's first side effect, which uses the same `SideEffects`.
        self.body.visit_Call(node)
        if not isinstance(node.func, (cst.Name, cst.Attribute)):
            return
        state = self.body.state()
        if state is None:
            return
        effect = self.effects.of(node)
        if effect is None:
            return
        where = f"in Inngest function {function_label(state.info)}"
        repeat = "runs outside a step and repeats on every re-entry (the body re-runs for each step)"
        step = step_spelling(state.info)
        label = effect.label
        if effect.kind == "send":
            message = (
                f"event send `{label}` {where} {repeat}, sending the event again each time; "
                f'use `{step}.{sdk.STEP_SEND_EVENT}("<id>", ...)`'
            )
        elif effect.kind == "http":
            message = f'HTTP call `{label}` {where} {repeat}; make it inside `{step}.run("<id>", ...)`'
        else:
            words = effect_words(effect.kind, effect.system, effect.action, label)
            message = f'{words} `{label}` {where} {repeat}; make it inside `{step}.run("<id>", ...)`'
        self.body.hold(state, Held(node, message, context=label))

    def leave_Call(self, node: cst.Call) -> None:
        self.body.leave_Call(node)
