"""INN116 unstable-step-id."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.names import value_children
from inngest_lint.semantic.nondeterminism import nondeterministic_call
from inngest_lint.semantic.steps import is_builtin, step_id_node

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext

#: `id(obj)` is a memory address: different in every process and on every replay.
_ID_BUILTIN = "id"
_MAX_DEPTH = 4


class UnstableStepId(Rule):
    """A step ID built from a value that changes on every execution.

    ## What it does
    Flags a step call whose step ID uses `uuid.uuid4()`/`uuid1()`, the clock (`time.time()`,
    `time.monotonic()`, `datetime.now()`, `datetime.utcnow()`, `date.today()`, ...), `random.*`,
    `secrets.*`, `os.urandom()` or `id(...)`: directly, or through a local variable assigned
    from one in the same function, or through a def of the same file whose every `return`
    returns one of these calls (`def new_key(): return uuid.uuid4()`). Names are resolved
    through every import style (`from uuid import uuid4 as make_id`, `import datetime as dt`).

    ## Why is this bad?
    Inngest re-runs the function body once per step and matches memoized results by step ID.
    An ID that is new on every run never matches: each replay sees a step it has never run, so
    the step runs again, and again, until the run hits the step limit.

    ## Use instead
    Derive the ID from the event or the run, or make the value in a step first and use its
    memoized result.

    ## Not flagged
    Values from `ctx.event`, `ctx.run_id`, parameters, or a step's memoized result.
    """

    code = "INN116"
    name = "unstable-step-id"

    VALID = (
        """
        import uuid

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="app/order"))
        async def charge(ctx: inngest.Context) -> None:
            await ctx.step.run(f"charge-{ctx.event.data['order_id']}", charge_card)
            token = await ctx.step.run("make-token", lambda: str(uuid.uuid4()))
            await ctx.step.run(f"use-{token}", use_token, token)
            await ctx.step.run(f"audit-{ctx.run_id}", audit)
        """,
    )
    INVALID = (
        """
        import uuid

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="app/order"))
        async def charge(ctx: inngest.Context) -> None:
            await ctx.step.run(f"charge-{uuid.uuid4()}", charge_card)  # error: INN116
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        method = context.step_method(node)
        if method is None or method not in sdk.STEP_ID_METHODS:
            return
        step_id = step_id_node(node)
        if step_id is None:
            return
        found = self._unstable(step_id, 0, set())
        if found is None:
            return
        source, via = found
        through = f" (through '{via}')" if via else ""
        self.report(
            step_id,
            f"step ID {snippet(self.context, step_id, 40)} uses {source}{through}, which changes on every "
            f"run: each replay sees a new step and runs it again; derive the ID from the event "
            f"(ctx.event.data[...]) or memoize the value in a step first",
        )

    def _unstable(self, node: cst.CSTNode, depth: int, seen: set[str]) -> tuple[str, str] | None:
        """(what changes, the local variable it came through or "") for the first unstable value."""
        if depth > _MAX_DEPTH:
            return None
        stack: list[cst.CSTNode] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
                continue
            if isinstance(current, cst.Call):
                if self.context.step_method(current) is not None:
                    continue  # a step's result is memoized: stable across replays
                matched = nondeterministic_call(self.context, current)
                if matched is not None:
                    return f"`{matched}()`", ""
                if (
                    isinstance(current.func, cst.Name)
                    and current.func.value == _ID_BUILTIN
                    and is_builtin(self.context, _ID_BUILTIN)
                ):
                    return "`id(...)` (a memory address)", ""
            if isinstance(current, cst.Name) and current.value not in seen:
                value = self.context.local_value(current.value)
                if value is not None and _is_function_local(self.context, current.value):
                    inner = self._unstable(value, depth + 1, seen | {current.value})
                    if inner is not None:
                        return inner[0], inner[1] or current.value
            stack.extend(value_children(current))
        return None


def _is_function_local(context: FileContext, name: str) -> bool:
    """True when the nearest scope binding `name` is a function (not the module or a class)."""
    for frame in reversed(context.frames):
        if frame.kind == "class":
            continue
        if frame.kind == "module":
            return False
        if name in frame.params or name in frame.scan.bound:
            return name not in frame.params and name not in frame.scan.globals
    return False
