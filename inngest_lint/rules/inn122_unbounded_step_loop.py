"""INN122 unbounded-step-loop."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.replay import function_label
from inngest_lint.semantic.replay_flow import is_plan_call
from inngest_lint.semantic.steps import SCOPE_NODES, calls_in
from inngest_lint.semantic.traverse import children


class UnboundedStepLoop(Rule):
    """A `while True:` loop that makes step calls and has no way out.

    ## What it does
    Flags a `while True:` (or `while 1:`) loop in an Inngest function (or a helper given the
    context or step object) whose body makes a step call and holds no `break` of its own, no
    `return` and no `raise`. Not flagged: a loop with a condition, one that breaks or returns
    on some path (a poll that stops when the job is done), and a loop inside a step's handler.

    ## Why is this bad?
    Every iteration adds steps to the run, and Inngest caps a run at 1,000 steps
    (https://inngest.com/docs/usage-limits/inngest, "Number of Steps per Function"): the loop
    can only end when the platform fails the run. Each step is also a new request that replays
    the whole body before it (`ExecutionV0.run`, `inngest/_internal/execution_lib/v0.py`, see
    INN107), so the run slows down as it grows. A loop that is meant to run forever belongs in
    a cron function (`inngest.TriggerCron`) or a function that sends an event to start its next
    run.

    ## Why no automatic fix
    None automatic: the bound or the exit condition is the author's to choose.
    """

    code = "INN122"
    name = "unbounded-step-loop"

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")


        @client.create_function(fn_id="poll", trigger=inngest.TriggerEvent(event="app/export"))
        async def poll(ctx: inngest.Context) -> None:
            attempt = 0
            while True:
                status = await ctx.step.run(f"check-{attempt}", check_export)
                if status == "done":
                    break
                attempt += 1
                await ctx.step.sleep(f"wait-{attempt}", datetime.timedelta(minutes=1))
        """,
    )
    INVALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")


        @client.create_function(fn_id="poll", trigger=inngest.TriggerEvent(event="app/export"))
        async def poll(ctx: inngest.Context) -> None:
            attempt = 0
            while True:  # error: INN122
                attempt += 1
                await ctx.step.run(f"check-{attempt}", check_export)
                await ctx.step.sleep(f"wait-{attempt}", datetime.timedelta(minutes=1))
        """,
    )

    def visit_While(self, node: cst.While) -> None:
        if not _always_true(node.test):
            return
        context = self.context
        if not any(
            context.step_method(call) is not None or is_plan_call(context, call) for call in calls_in(node.body)
        ):
            return
        if _has_exit(node.body):
            return
        info = context.enclosing_function()
        where = f"in Inngest function {function_label(info)} " if info is not None else ""
        self.report(
            node.test,
            f"`while {context.tree.code_for_node(node.test)}` loop {where}makes step calls and never leaves (no "
            f"break, return or raise): every iteration adds steps until the run fails at the platform's limit "
            f"of {sdk.MAX_STEPS_PER_FUNCTION:,} steps per function; bound it (`for attempt in range(n)`) or "
            f"break out when the work is done",
        )


def _always_true(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.Name):
        return test.value == "True"
    if isinstance(test, cst.Integer):
        return test.value.replace("_", "").strip("0") != ""
    return False


def _has_exit(body: cst.BaseSuite) -> bool:
    """A `return` or `raise` anywhere in the loop, or a `break` that leaves this loop."""
    stack: list[tuple[cst.CSTNode, bool]] = [(body, True)]
    while stack:
        current, own_loop = stack.pop()
        if isinstance(current, SCOPE_NODES):
            continue
        if isinstance(current, (cst.Return, cst.Raise)):
            return True
        if isinstance(current, cst.Break) and own_loop:
            return True
        inner_body = current.body if isinstance(current, (cst.For, cst.While)) else None
        for child in children(current):
            # A `break` in a nested loop's body leaves that loop; one in its `else` leaves ours.
            stack.append((child, own_loop and child is not inner_body))
    return False
