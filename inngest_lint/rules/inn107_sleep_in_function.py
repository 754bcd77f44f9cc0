"""INN107 sleep-in-function."""

from __future__ import annotations

import libcst as cst

from inngest_lint.rules._replay_body import ReplayBodyRule
from inngest_lint.semantic.replay import (
    Held,
    function_label,
    long_sleep,
    step_spelling,
)


class SleepInFunction(ReplayBodyRule):
    """`time.sleep` / `asyncio.sleep` in an Inngest function body, outside a step.

    ## What it does
    Flags `time.sleep(...)` and `asyncio.sleep(...)` (through any import style or alias) made
    directly in an Inngest function body, or in a lambda given to `ctx.group.parallel`, and
    recommends `ctx.step.sleep`. Not flagged: a sleep inside a step handler (a back-off between
    attempts of one request is the handler's business), in helpers outside Inngest functions, and
    literal durations under one second (`await asyncio.sleep(0)` yields to the event loop).

    A project helper called from the body outside a step is followed through the project call
    graph, up to `follow-depth` calls deep (default 4; cycles cut), across modules: when it, or
    a helper it calls, sleeps in its own body (outside `except` handlers), the call in the body
    is reported, naming the chain ("'poll' (app/waits.py:8) calls 'backoff' (app/waits.py:4),
    which calls `time.sleep()` (app/waits.py:5)"). Helpers listed in
    `side-effect-free-functions` are not followed; generators and decorated helpers are not read.

    The message says whether the wait repeats. A step call can still follow the sleep (a later
    step, a step in the same loop, a step in an `except` block that a failure after it reaches): the
    wait runs again on every re-entry. Code no step can follow runs once per attempt (after the
    last step, in a branch that returns before any step), exactly like the body of a function
    that makes no step call: such a sleep is still reported, because it holds the worker.

    ## Why is this bad?
    A sleep in the body holds the worker (and, with `time.sleep` in an `async def`, the whole
    event loop) for the full duration, and the serverless request may time out first.
    `ctx.step.sleep` suspends the run on the Inngest side: no worker is held, and the wait happens
    once.

    The SDK re-runs the body from the top for every step (PyPI `inngest`, `ExecutionV0.run` in
    `inngest/_internal/execution_lib/v0.py` calls the handler on every request of the run). Each
    step method asks `ExecutionV0.report_step` for its memo: a finished step returns its output,
    and the first step with no memo raises `ResponseInterrupt` (`inngest/_internal/step_lib/base.py`),
    which ends the request once that step is planned or, for `Step.run`
    (`inngest/_internal/step_lib/step_async.py`, `step_sync.py`), run. So a sleep that a step
    call can still follow is paid again on every later request; one that no step can follow
    runs only in the request that finishes the function.

    ## Use instead
    Sleep with `ctx.step.sleep`, which takes milliseconds or a `timedelta`, not seconds.
    """

    code = "INN107"
    name = "sleep-in-function"

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/signup"))
        async def remind(ctx: inngest.Context) -> None:
            await ctx.step.run("welcome", send_welcome)
            await ctx.step.sleep("wait-an-hour", datetime.timedelta(hours=1))
            await ctx.step.run("remind", send_reminder)
        """,
        """
        import asyncio
        import datetime
        import time

        import inngest

        client = inngest.Inngest(app_id="app")


        def poll_export(export_id: str) -> dict:
            for _ in range(10):
                status = fetch_status(export_id)
                if status["done"]:
                    return status
                time.sleep(2)  # a back-off inside the step handler: fine
            raise RuntimeError("export not ready")


        @client.create_function(fn_id="export", trigger=inngest.TriggerEvent(event="app/export"))
        async def export(ctx: inngest.Context) -> None:
            export_id = await ctx.step.run("start", start_export)
            await ctx.step.sleep("give-it-time", datetime.timedelta(minutes=5))
            await ctx.step.run("poll", poll_export, export_id)
            await asyncio.sleep(0)  # yields to the event loop, waits for nothing
        """,
    )
    INVALID = (
        """
        import asyncio

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/signup"))
        async def remind(ctx: inngest.Context) -> None:
            await ctx.step.run("welcome", send_welcome)
            # Repeats on every re-entry: the step "remind" comes after it.
            await asyncio.sleep(3600)  # error: INN107
            await ctx.step.run("remind", send_reminder)
        """,
        """
        import time

        import inngest

        client = inngest.Inngest(app_id="app")


        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/signup"))
        def remind(ctx: inngest.ContextSync) -> None:
            ctx.step.run("welcome", send_welcome)
            time.sleep(3600)  # error: INN107
            ctx.step.run("remind", send_reminder)
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        self.body.visit_Call(node)
        qualified = long_sleep(self.context, node)
        if qualified is None:
            return
        state = self.body.state()
        if state is None:
            return
        where = f"`{qualified}()` in Inngest function {function_label(state.info)}"
        advice = f'use `{step_spelling(state.info)}.sleep("<id>", timedelta(...))` so Inngest waits durably'
        self.body.hold(
            state,
            Held(
                node,
                f"{where} holds the worker for the whole wait and runs again on every re-entry "
                f"(the body re-runs for each step); {advice}",
                message_without_steps=f"{where} holds the worker for the whole wait; {advice}",
            ),
        )

    def leave_Call(self, node: cst.Call) -> None:
        self.body.leave_Call(node)
