"""INN112 gather-over-steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.steps import step_id_context, step_label
from inngest_lint.semantic.values import keyword

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext

#: asyncio functions that schedule or wait on several coroutines concurrently.
ASYNCIO_SCHEDULERS = frozenset(
    {"asyncio.gather", "asyncio.create_task", "asyncio.wait", "asyncio.ensure_future", "asyncio.as_completed"}
)
#: Objects whose `.create_task(...)` schedules a coroutine: task groups and event loops.
TASK_FACTORIES = frozenset(
    {"asyncio.TaskGroup", "asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop"}
)
TASK_GROUP_METHOD = "create_task"
_MAX_DEPTH = 4


class GatherOverSteps(Rule):
    """Step calls run concurrently through asyncio instead of `ctx.group.parallel`.

    ## What it does
    Flags step calls passed to `asyncio.gather`, `asyncio.wait`, `asyncio.create_task`,
    `asyncio.ensure_future`, `asyncio.as_completed` or a `TaskGroup`/event loop's
    `create_task`: inline, in a list, tuple, generator or comprehension, unpacked with
    `*[...]`, or through a local list built in the same function (`tasks.append(...)`).
    asyncio is resolved by qualified name, whatever the import style.

    ## Why is this bad?
    The SDK executes one new step per request and interrupts the function to report it. Under
    asyncio the steps race each other and the interrupt: in Inngest's own tests, steps ran an
    unexpected number of times, and support for it was removed. Parallel steps are planned with
    `ctx.group.parallel`, which the executor understands.

    ## Not flagged
    Plain coroutines that are not steps (`asyncio.gather(fetch(a), fetch(b))` inside a step
    handler), and functions created with SDK 0.4's `_experimental_execution=True`, which supported
    asyncio over steps.
    """

    code = "INN112"
    name = "gather-over-steps"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="report", trigger=inngest.TriggerEvent(event="app/report"))
        async def report(ctx: inngest.Context) -> None:
            await ctx.group.parallel(
                (
                    lambda: ctx.step.run("fetch-user", fetch_user),
                    lambda: ctx.step.run("fetch-orders", fetch_orders),
                )
            )
        """,
        """
        import asyncio

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="report", trigger=inngest.TriggerEvent(event="app/report"))
        async def report(ctx: inngest.Context) -> None:
            async def fetch_both() -> list:
                return await asyncio.gather(fetch_user(), fetch_orders())

            await ctx.step.run("fetch", fetch_both)
            await ctx.group.parallel(
                (lambda: ctx.step.run("a", fetch_user), lambda: ctx.step.run("b", fetch_orders))
            )
        """,
    )
    INVALID = (
        """
        import asyncio

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="report", trigger=inngest.TriggerEvent(event="app/report"))
        async def report(ctx: inngest.Context) -> None:
            await asyncio.gather(  # error: INN112
                ctx.step.run("fetch-user", fetch_user),
                ctx.step.run("fetch-orders", fetch_orders),
            )
        """,
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # Names bound by `async with asyncio.TaskGroup() as tg`, innermost last.
        self._task_groups: list[tuple[cst.With, str]] = []

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if (
                isinstance(item.item, cst.Call)
                and self._is_task_factory(item.item)
                and item.asname is not None
                and isinstance(item.asname.name, cst.Name)
            ):
                self._task_groups.append((node, item.asname.name.value))

    def leave_With(self, original_node: cst.With) -> None:
        while self._task_groups and self._task_groups[-1][0] is original_node:
            self._task_groups.pop()

    def visit_Call(self, node: cst.Call) -> None:
        scheduler = self._scheduler(node)
        if scheduler is None or self._experimental_execution():
            return
        steps: list[cst.Call] = []
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value not in ("fs", "aws", "coro", "coros_or_futures"):
                continue
            self._collect(arg.value, steps, 0)
        if not steps:
            return
        first = steps[0]
        more = f" and {len(steps) - 1} more" if len(steps) > 1 else ""
        self.report(
            node,
            f"{scheduler}(...) runs {step_label(self.context, first)}{more} through asyncio: steps "
            f"scheduled this way race the SDK and run an unexpected number of times; use "
            f"ctx.group.parallel((lambda: ctx.step.run(...), ...))",
            context=step_id_context(first),
        )

    def _experimental_execution(self) -> bool:
        """SDK 0.4's `_experimental_execution=True` supported asyncio over steps: stay silent."""
        function = self.context.enclosing_function()
        if function is None:
            return False
        option = keyword(function.create_call, sdk.EXPERIMENTAL_EXECUTION_KEYWORD)
        return option is not None and not (isinstance(option, cst.Name) and option.value in ("False", "None"))

    def _scheduler(self, call: cst.Call) -> str | None:
        """The name to show for an asyncio scheduling call, or None."""
        func = call.func
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return None
        qualified = self.context.qualify(func)
        if qualified in ASYNCIO_SCHEDULERS:
            return qualified
        if not isinstance(func, cst.Attribute) or func.attr.value != TASK_GROUP_METHOD:
            return None
        receiver = func.value
        if isinstance(receiver, cst.Call) and self._is_task_factory(receiver):
            return f"{self.context.qualify(receiver.func)}().create_task"
        if isinstance(receiver, cst.Name):
            if any(name == receiver.value for _, name in self._task_groups):
                return f"{receiver.value}.create_task"
            value = self.context.local_value(receiver.value)
            if isinstance(value, cst.Call) and self._is_task_factory(value):
                return f"{receiver.value}.create_task"
        return None

    def _is_task_factory(self, call: cst.Call) -> bool:
        func = call.func
        return isinstance(func, (cst.Name, cst.Attribute)) and self.context.qualify(func) in TASK_FACTORIES

    def _collect(self, node: cst.BaseExpression, steps: list[cst.Call], depth: int) -> None:
        """Step calls among the coroutines an argument expression provides."""
        if depth > _MAX_DEPTH:
            return
        context = self.context
        if isinstance(node, cst.Call):
            if context.step_method(node) is not None:
                steps.append(node)
            elif isinstance(node.func, cst.Name) and node.func.value in ("list", "tuple", "set") and node.args:
                self._collect(node.args[0].value, steps, depth + 1)
            return
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            for element in node.elements:
                self._collect(element.value, steps, depth + 1)
            return
        if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            self._collect(node.elt, steps, depth + 1)
            return
        if isinstance(node, cst.IfExp):
            self._collect(node.body, steps, depth + 1)
            self._collect(node.orelse, steps, depth + 1)
            return
        if isinstance(node, cst.Name):
            self._collect_local(node.value, steps, depth)

    def _collect_local(self, name: str, steps: list[cst.Call], depth: int) -> None:
        """A list variable of this function: its assignments and `append`/`extend`/`+=` calls."""
        for frame in reversed(self.context.frames):
            if frame.kind == "class":
                continue
            if frame.kind == "module" or name in frame.params:
                return
            scan = frame.scan
            if name not in scan.bound:
                if frame.kind == "lambda":
                    continue
                return
            for value in scan.assignments.get(name, []):
                self._collect(value, steps, depth + 1)
            for call in scan.mutations.get(name, []):
                method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
                if method in ("append", "extend", "add") and call.args:
                    self._collect(call.args[0].value, steps, depth + 1)
                elif method == "insert" and len(call.args) == 2:
                    self._collect(call.args[1].value, steps, depth + 1)
            for augmented in scan.aug_assignments.get(name, []):
                self._collect(augmented.value, steps, depth + 1)
            return
