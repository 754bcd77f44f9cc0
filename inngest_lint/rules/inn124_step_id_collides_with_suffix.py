"""INN124 step-id-collides-with-suffix."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules._helpers import calls_run_once_per_loop
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.steps import parents, step_id_node
from inngest_lint.semantic.traverse import children

_SUFFIXED = re.compile(r"^(?P<base>.+)" + re.escape(sdk.STEP_ID_REPEAT_SEPARATOR) + r"(?P<count>[1-9][0-9]*)$")
_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_CONDITIONAL = (cst.If, cst.IfExp, cst.Match, cst.ExceptHandler, cst.Else, cst.BooleanOperation)


@dataclass
class _Use:
    call: cst.Call
    in_loop: bool
    conditional: bool


class StepIdCollidesWithSuffix(Rule):
    """An explicit step ID `"fetch:1"` beside a step ID `"fetch"` that is used more than once.

    ## What it does
    Flags a literal step ID of the form `<id>:<n>` in an Inngest function that also uses the
    literal step ID `<id>` in a loop, or unconditionally more than `n` times.

    ## Why is this bad?
    The SDK lets a step ID repeat by counting its uses in a run: the second use of `"fetch"` is
    memoized as `"fetch:1"`, the third as `"fetch:2"` (`StepBase._parse_step_id` and
    `StepIDCounter`, `inngest/_internal/step_lib/base.py`; the same in 0.3 and 0.4). An explicit
    step `"fetch:1"` hashes to the same ID as the second `"fetch"`, so the two steps share one
    memo: whichever runs second returns the first one's result without running.

    ## Why no automatic fix
    None automatic: renaming a step changes its memo, so a run in flight would run it again;
    the new name is the author's choice.
    """

    code = "INN124"
    name = "step-id-collides-with-suffix"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")


        @client.create_function(fn_id="pages", trigger=inngest.TriggerEvent(event="app/pages"))
        async def pages(ctx: inngest.Context) -> None:
            await ctx.step.run("fetch", fetch_first)
            await ctx.step.run("fetch:1", fetch_second)
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")


        @client.create_function(fn_id="pages", trigger=inngest.TriggerEvent(event="app/pages"))
        async def pages(ctx: inngest.Context) -> None:
            for page in ctx.event.data["pages"]:
                await ctx.step.run("fetch", fetch_page, page)
            await ctx.step.run("fetch:1", fetch_summary)  # error: INN124
        """,
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.context.frame.inngest is None:
            return
        calls_by_literal: dict[str, list[cst.Call]] = {}
        for call in _calls(node.body):
            if self.context.step_method(call) is None:
                continue
            step_id = step_id_node(call)
            literal = literal_string(step_id) if step_id is not None else None
            if literal is not None:
                calls_by_literal.setdefault(literal, []).append(call)
        # Only the bases of suffixed IDs need placing (most functions have none: no work).
        bases = {
            match.group("base")
            for literal in calls_by_literal
            if (match := _SUFFIXED.match(literal)) is not None and match.group("base") in calls_by_literal
        }
        if not bases:
            return
        mapping = parents(self.context, node)
        once_per_loop: dict[int, set[int]] = {}
        uses: dict[str, list[_Use]] = {}
        for literal, calls in calls_by_literal.items():
            placed = literal in bases
            for call in calls:
                in_loop, conditional = _placement(mapping, call, node, once_per_loop) if placed else (False, False)
                uses.setdefault(literal, []).append(_Use(call, in_loop, conditional))
        for literal, explicit in uses.items():
            match = _SUFFIXED.match(literal)
            if match is None:
                continue
            base, count = match.group("base"), int(match.group("count"))
            repeated = uses.get(base, [])
            looped = any(use.in_loop for use in repeated)
            unconditional = [use for use in repeated if not use.conditional]
            if not looped and len(unconditional) <= count:
                continue
            why = "in a loop" if looped else f"{len(unconditional)} times"
            line = min(self.context.location(use.call).line for use in repeated)
            ordinal = _ordinal(count + 1)
            for use in explicit:
                node_id = step_id_node(use.call)
                self.report(
                    node_id if node_id is not None else use.call,
                    f"step ID '{literal}' is the ID the SDK gives the {ordinal} use of step '{base}' (used {why}, line "
                    f"{line}): the two steps share one memo, so one returns the other's result without running; "
                    f"give this step another name",
                    context=literal,
                )


def _calls(body: cst.CSTNode) -> list[cst.Call]:
    """Every call in the function, nested lambdas and defs included (one step counter per run)."""
    found: list[cst.Call] = []
    stack: list[cst.CSTNode] = [body]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.ClassDef):
            continue
        if isinstance(current, cst.Call):
            found.append(current)
        stack.extend(children(current))
    return found


def _placement(
    mapping: dict[int, cst.CSTNode], call: cst.Call, function: cst.FunctionDef, once_per_loop: dict[int, set[int]]
) -> tuple[bool, bool]:
    """(in a loop, under a condition or in a nested scope) between the call and the function."""
    in_loop = conditional = False
    child: cst.CSTNode = call
    current = mapping.get(id(call))
    while current is not None and current is not function:
        if isinstance(current, _LOOPS):
            once = once_per_loop.get(id(current))
            if once is None:
                once = once_per_loop[id(current)] = calls_run_once_per_loop(current)
            if id(call) not in once:
                in_loop = True
        if isinstance(current, _CONDITIONAL) or isinstance(current, (cst.FunctionDef, cst.Lambda)):
            conditional = True
        if isinstance(current, cst.Try) and child is not current.body:
            conditional = True
        child = current
        current = mapping.get(id(current))
    return in_loop, conditional


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
