"""Which code of an Inngest function body a step call can still follow (semantic/replay_flow.py).

Each sample marks the simple statements it checks: `# re-runs` (a step call can still follow
it, so it runs again on a later request) or `# once` (no step call can follow it: it runs once
per attempt). The judgement is read from `StepOrder` while the walker is at the function.
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from inngest_lint.engine.file_pass import Walker
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.replay_flow import StepOrder, step_order
from inngest_lint.settings import Settings

HEADER = """
import inngest

client = inngest.Inngest(app_id="app")


@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/f"))
"""


class _Judge:
    """Records, for every simple statement line of the Inngest function, the StepOrder answer."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.order: StepOrder | None = None
        self.answers: dict[int, bool] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.context.frame.inngest is not None:
            self.order = step_order(self.context, node)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if self.order is not None:
            line = self.context.location(node).line
            self.answers[line] = self.order.can_precede_step(node.body[0])


def _judge(body: str) -> list[tuple[int, str, str]]:
    """(line, expected, found) for every marked line of `body` (an Inngest function)."""
    source = HEADER + textwrap.dedent(body).lstrip()
    tree = cst.parse_module(source)
    context = FileContext(
        path="app.py",
        display_path="app.py",
        module="app",
        is_package=False,
        is_test=False,
        source=source,
        tree=tree,
        settings=Settings(),
    )
    judge = _Judge(context)
    errors: list[BaseException] = []
    Walker(context, [judge], lambda visitor, error: errors.append(error)).walk(tree)
    assert not errors, errors
    found = []
    for number, text in enumerate(source.splitlines(), start=1):
        for mark in ("# re-runs", "# once"):
            if text.rstrip().endswith(mark):
                expected = mark[2:]
                answer = judge.answers.get(number)
                found.append((number, expected, "re-runs" if answer else "once"))
    assert found, "no marked line"
    return found


SAMPLES = {
    "straight line": """
        async def f(ctx: inngest.Context) -> None:
            before = 1  # re-runs
            await ctx.step.run("a", work)  # re-runs
            after = 2  # once
            print(after)  # once
    """,
    "loop with a step": """
        def f(ctx: inngest.ContextSync) -> None:
            total = 0  # re-runs
            for item in ctx.event.data["items"]:
                total += 1  # re-runs
                ctx.step.run(f"p-{item}", work, item)  # re-runs
                print(item)  # re-runs
            print(total)  # once
    """,
    "loop of writes after the steps": """
        def f(ctx: inngest.ContextSync) -> None:
            rows = ctx.step.run("rows", work)  # re-runs
            for row in rows:
                save(row)  # once
            while pending():
                push()  # once
    """,
    "branches": """
        def f(ctx: inngest.ContextSync) -> None:
            if ctx.event.data["a"]:
                left = 1  # re-runs
                ctx.step.run("a", work)  # re-runs
                after_a = 1  # once
            else:
                right = 2  # once
            tail = 3  # once
    """,
    "early return before any step": """
        def f(ctx: inngest.ContextSync) -> None:
            if not ctx.event.data:
                notify()  # once
                return
            else:
                keep = 1  # re-runs
            ctx.step.run("a", work)  # re-runs
    """,
    "break and continue": """
        def f(ctx: inngest.ContextSync) -> None:
            for item in items:
                if item.done:
                    finish(item)  # once
                    break
                if item.skip:
                    skip(item)  # re-runs
                    continue
                ctx.step.run("p", work, item)  # re-runs
            print("done")  # once
    """,
    "loop else": """
        def f(ctx: inngest.ContextSync) -> None:
            for item in items:
                check(item)  # re-runs
            else:
                ctx.step.run("after", work)  # re-runs
            end()  # once
    """,
    "try with a compensating step": """
        def f(ctx: inngest.ContextSync) -> None:
            try:
                ctx.step.run("a", work)  # re-runs
                post()  # re-runs
            except ValueError:
                ctx.step.run("undo", work)  # re-runs
            try:
                ctx.step.run("b", work)  # re-runs
                post()  # once
            except ValueError:
                log()  # once
                raise
    """,
    "finally": """
        def f(ctx: inngest.ContextSync) -> None:
            try:
                if ctx.event.data:
                    early()  # once
                    return
                work_here()  # re-runs
            finally:
                cleanup()  # re-runs
            ctx.step.run("a", work)  # re-runs
            done()  # once
    """,
    "with and match": """
        def f(ctx: inngest.ContextSync) -> None:
            with lock():
                ctx.step.run("a", work)  # re-runs
            match ctx.event.data["kind"]:
                case "a":
                    ctx.step.run("b", work)  # re-runs
                case _:
                    other()  # once
            end()  # once
    """,
    "helpers that may call steps": """
        async def f(ctx: inngest.Context) -> None:
            first()  # re-runs
            await charge(ctx, 1)  # re-runs
            second()  # re-runs
            flow = Checkout(ctx.step)  # re-runs
            third()  # re-runs
            await flow.run()  # re-runs

            async def process(item):
                await ctx.step.run(f"p-{item}", work, item)

            fourth()  # re-runs
            await process(1)  # re-runs
            fifth()  # once
    """,
    "group.parallel": """
        async def f(ctx: inngest.Context) -> None:
            first()  # re-runs
            await ctx.group.parallel((lambda: ctx.step.run("a", work), lambda: ctx.step.run("b", work)))  # re-runs
            last()  # once
    """,
    "legacy step argument": """
        def f(ctx: inngest.Context, step: inngest.StepSync) -> None:
            first()  # re-runs
            step.sleep("nap", 1000)  # re-runs
            last()  # once
    """,
    "no step at all": """
        def f(ctx: inngest.ContextSync) -> None:
            only()  # once
    """,
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_which_code_a_step_can_follow(name: str) -> None:
    wrong = [(line, expected, found) for line, expected, found in _judge(SAMPLES[name]) if expected != found]
    assert not wrong, "\n".join(f"line {line}: expected {expected}, found {found}" for line, expected, found in wrong)
