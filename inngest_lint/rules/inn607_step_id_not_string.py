"""INN607 step-id-not-string."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.steps import step_id_node


def literal_kind(node: cst.BaseExpression) -> str | None:
    """The Python type of a non-string literal (`int`, `bool`, `None`, `bytes`, `list`...), else None."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        node = node.expression
    if isinstance(node, cst.Integer):
        return "an int"
    if isinstance(node, cst.Float):
        return "a float"
    if isinstance(node, cst.Imaginary):
        return "a complex number"
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return "a bool"
    if isinstance(node, cst.Name) and node.value == "None":
        return "None"
    if isinstance(node, cst.SimpleString) and "b" in node.prefix.lower():
        return "bytes"
    if isinstance(node, cst.ConcatenatedString):
        parts = (node.left, node.right)
        if all(isinstance(part, cst.SimpleString) and "b" in part.prefix.lower() for part in parts):
            return "bytes"
        return None
    if isinstance(node, (cst.List, cst.ListComp)):
        return "a list"
    if isinstance(node, (cst.Dict, cst.DictComp)):
        return "a dict"
    if isinstance(node, cst.Tuple):
        return "a tuple"
    if isinstance(node, (cst.Set, cst.SetComp)):
        return "a set"
    return None


class StepIdNotString(Rule):
    """A step ID that is a number, bool, `None`, bytes or a container literal.

    ## What it does
    Flags a step call (`ctx.step.run`, `sleep`, `wait_for_event`, `send_event`, `invoke`, ...)
    whose step ID (the first argument, or `step_id=`) is a literal that is not a string.

    ## Why is this bad?
    The SDK hashes the step ID as a string. Anything else fails inside the SDK when the step is
    reached (`AttributeError: 'int' object has no attribute 'encode'`), after the earlier steps
    already ran.

    ## Not flagged
    Computed IDs (names, calls, f-strings): they are not judged here.
    """

    code = "INN607"
    name = "step-id-not-string"

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/remind"))
        async def remind(ctx: inngest.Context) -> None:
            await ctx.step.sleep("wait-an-hour", datetime.timedelta(hours=1))
            await ctx.step.run(f"remind-{ctx.event.data['user_id']}", send_reminder)
        """,
    )
    INVALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/remind"))
        async def remind(ctx: inngest.Context) -> None:
            await ctx.step.sleep(1, datetime.timedelta(hours=1))  # error: INN607
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
        kind = literal_kind(step_id)
        if kind is None:
            return
        shown = snippet(context, step_id, 30)
        self.report(
            step_id,
            f"step ID {shown} is not a string but {kind}: the SDK fails on it when the step is reached; "
            f"use a string that names the step",
        )
