"""Which code of an Inngest function body a step call can still follow (INN107, INN108, INN109).

How the SDK runs a function (PyPI `inngest` 0.5.19, the same model since 0.3):

- `Function.call` / `Function.call_sync` (`inngest/_internal/function.py`) hand the handler to
  `ExecutionV0.run` / `ExecutionV0Sync.run` (`inngest/_internal/execution_lib/v0.py`), which
  call it from the top on every request Inngest sends for the run.
- Every step method (`Step.run`, `Step.sleep_until`, `Step.wait_for_event`, `Step.invoke_by_id`
  in `inngest/_internal/step_lib/step_async.py` and `step_sync.py`) asks
  `ExecutionV0.report_step` for the memo of its hashed ID (`StepBase._parse_step_id`,
  `step_lib/base.py`): a finished step returns its memoized output and the body goes on.
- The first step with no memo ends the request: `report_step` raises `ResponseInterrupt`
  (`step_lib/base.py`, a `BaseException`) to plan it, and `Step.run` runs the new handler
  once and raises `ResponseInterrupt` with its output. `ExecutionV0.run` catches the
  interrupt and returns the step to Inngest, which calls the function again.

So code re-runs on a later request only when a step call can still come after it on some path:
that step has no memo yet, so the run stops there and the body starts again from the top. Code
that no step call can follow on any path (after the last step, in a branch that returns before
any step, outside every loop that calls steps) runs only in the request that finishes the
function: once per attempt, exactly like the body of a function that makes no step call.

`StepOrder` answers `can_precede_step(node)` for every node of one function body from its
control flow: branches, loops (a step call in a loop makes the whole loop, header included,
precede one), early `return`/`raise`/`break`/`continue`, `try` blocks (an exception in the
`try` body can reach a handler or `finally` that calls a step), `with` and `match`. It is the
one place where INN107, INN108, INN109 and the fact collector (for the cross-file half of
INN109) learn whether a node re-runs; it is computed once per function and shared.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.semantic.traverse import children

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext
    from inngest_lint.semantic.names import BindingScan


def is_plan_call(context: FileContext, call: cst.Call) -> bool:
    """`ctx.group.parallel(...)` or the removed `step.parallel(...)`: callables planned as steps."""
    if context.is_group_parallel(call):
        return True
    return context.step_method(call) in sdk.REMOVED_STEP_METHODS


def makes_step_call(context: FileContext, body: cst.CSTNode) -> bool:
    """Whether `body` makes a step call or plans steps (nested defs and classes not entered)."""
    stack: list[cst.CSTNode] = [body]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(current, cst.Call) and (
            context.step_method(current) is not None or is_plan_call(context, current)
        ):
            return True
        stack.extend(children(current))
    return False


@dataclass(frozen=True)
class _Exits:
    """Whether a step call can follow each way of leaving the current statement early."""

    returns: bool = False
    raises: bool = False
    breaks: bool = False
    continues: bool = False


_LOOPS = (cst.For, cst.While)
_EXITS = (cst.Return, cst.Raise, cst.Break, cst.Continue)
_SCOPES = (cst.FunctionDef, cst.ClassDef)


class StepOrder:
    """Which nodes of one Inngest function body a step call can still follow.

    Built when the walker enters the function (the semantic model then sees the function's
    context and step names), by one backward pass over its statements. A *step call* here is
    broader than `FileContext.step_method`, on purpose (it only ever makes more code count as
    re-running): a `ctx.step.*` / `step.*` call, `ctx.group.parallel(...)`, a call that is
    given the context or step object (`await charge(ctx, order)`: a project helper that may
    call steps with it), a call of a nested def or lambda of the function that makes one, and a
    method call on a local bound to a call given the context or step object
    (`flow = Checkout(ctx); await flow.run()`).
    """

    def __init__(self, context: FileContext, function: cst.FunctionDef) -> None:
        self.context = context
        self.function = function
        frame = context.frame
        self._handles = frame.ctx_names | frame.step_names
        self._step_cache: dict[int, bool] = {}
        self._exit_cache: dict[int, bool] = {}
        self._units: dict[int, tuple[cst.CSTNode, bool]] = {}
        self._stepping_defs = self._find_stepping_defs(frame.scan)
        self._stepping_objects = {
            name
            for name, values in frame.scan.assignments.items()
            if any(isinstance(value, cst.Call) and self._receives_handle(value) for value in values)
        }
        self._suite(function.body, False, _Exits())
        self._precedes = self._expand()

    # ------------------------------------------------------------------ answers
    def can_precede_step(self, node: cst.CSTNode) -> bool:
        """Whether a step call can come after `node` on some path (so it re-runs on replay).

        True for a node the analysis did not place (a decorator, an `except` clause's type):
        staying with "it re-runs" is what the rules did before this analysis existed.
        """
        return self._precedes.get(id(node), True)

    def contains_step(self, node: cst.CSTNode) -> bool:
        """Whether `node` makes a step call (as this class defines one), nested defs not entered."""
        return self._holds(
            node, self._step_cache, lambda current: isinstance(current, cst.Call) and self.is_step_call(current)
        )

    def contains_exit(self, node: cst.CSTNode) -> bool:
        """Whether `node` holds a `return`, `raise`, `break` or `continue` (nested defs not entered)."""
        return self._holds(node, self._exit_cache, lambda current: isinstance(current, _EXITS))

    @staticmethod
    def _holds(node: cst.CSTNode, cache: dict[int, bool], matches: Callable[[cst.CSTNode], bool]) -> bool:
        """Whether some node inside `node` (nested defs and classes not entered) matches; cached."""
        key = id(node)
        found = cache.get(key)
        if found is None:
            found = False
            stack: list[cst.CSTNode] = [node]
            while stack:
                current = stack.pop()
                if isinstance(current, _SCOPES):
                    continue
                if matches(current):
                    found = True
                    break
                stack.extend(children(current))
            cache[key] = found
        return found

    def is_step_call(self, call: cst.Call) -> bool:
        """A call that can run or plan a step (see the class docstring)."""
        context = self.context
        if context.step_method(call) is not None or is_plan_call(context, call):
            return True
        if self._receives_handle(call):
            return True
        func = call.func
        if isinstance(func, cst.Name):
            return func.value in self._stepping_defs
        root = func
        while isinstance(root, (cst.Attribute, cst.Call)):
            root = root.value if isinstance(root, cst.Attribute) else root.func
        return isinstance(root, cst.Name) and root.value in self._stepping_objects

    def decides_steps(self, node: cst.CSTNode) -> bool:
        """Whether the condition or iterable of `node` decides which step calls run.

        An `if` or `match` does when one of its branches calls a step, or leaves early
        (`return`, `raise`, `break`, `continue`) while a step can follow it; a loop when its
        body calls a step, or leaves early while a step can follow the loop; a conditional
        expression, `and`/`or` or comprehension when the part it guards calls a step.
        """
        if isinstance(node, cst.If):
            branches: list[cst.CSTNode] = [node.body]
            if node.orelse is not None:
                branches.append(node.orelse)
            return any(self.contains_step(branch) for branch in branches) or (
                self.can_precede_step(node.test) and any(self.contains_exit(branch) for branch in branches)
            )
        if isinstance(node, _LOOPS):
            header = node.iter if isinstance(node, cst.For) else node.test
            return self.contains_step(node.body) or (self.can_precede_step(header) and self.contains_exit(node.body))
        if isinstance(node, cst.Match):
            return any(self.contains_step(case.body) for case in node.cases) or (
                self.can_precede_step(node.subject) and any(self.contains_exit(case.body) for case in node.cases)
            )
        if isinstance(node, cst.IfExp):
            return self.contains_step(node.body) or self.contains_step(node.orelse)
        if isinstance(node, cst.BooleanOperation):
            return self.contains_step(node.right)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return self.contains_step(node.elt)
        if isinstance(node, cst.DictComp):
            return self.contains_step(node.key) or self.contains_step(node.value)
        return False

    # ------------------------------------------------------------------ what is a step call
    def is_handle(self, node: cst.BaseExpression) -> bool:
        """The context or step object itself: `ctx`, `step`, `ctx.step`, `ctx.group`."""
        if isinstance(node, cst.Name):
            return node.value in self._handles
        return (
            isinstance(node, cst.Attribute)
            and node.attr.value in (sdk.CONTEXT_STEP_ATTRIBUTE, sdk.CONTEXT_GROUP_ATTRIBUTE)
            and isinstance(node.value, cst.Name)
            and node.value.value in self._handles
        )

    def _receives_handle(self, call: cst.Call) -> bool:
        return any(self.is_handle(arg.value) for arg in call.args)

    def _find_stepping_defs(self, scan: BindingScan) -> set[str]:
        """Nested defs (and lambdas bound to a name) of the function that make a step call,
        directly or through another one of them."""
        bodies: dict[str, cst.CSTNode] = {name: node.body for name, node in scan.defs.items()}
        for name, values in scan.assignments.items():
            if len(values) == 1 and isinstance(values[0], cst.Lambda) and name not in bodies:
                bodies[name] = values[0].body
        found: set[str] = set()
        self._stepping_defs = found
        changed = True
        while changed:
            changed = False
            for name, body in bodies.items():
                if name in found:
                    continue
                if self._body_makes_step_call(body):
                    found.add(name)
                    changed = True
        return found

    def _body_makes_step_call(self, body: cst.CSTNode) -> bool:
        stack: list[cst.CSTNode] = [body]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.ClassDef):
                continue
            if isinstance(current, cst.Call):
                context = self.context
                if context.step_method(current) is not None or is_plan_call(context, current):
                    return True
                if self._receives_handle(current):
                    return True
                if isinstance(current.func, cst.Name) and current.func.value in self._stepping_defs:
                    return True
            stack.extend(children(current))
        return False

    # ------------------------------------------------------------------ the backward pass
    def _mark(self, unit: cst.CSTNode, precedes: bool) -> None:
        """Record whether a step can follow `unit` (a small statement or a compound statement's
        header); a unit judged in several contexts (a loop body, a `finally`) keeps the OR."""
        previous = self._units.get(id(unit))
        if previous is None or (precedes and not previous[1]):
            self._units[id(unit)] = (unit, precedes)

    def _suite(self, suite: cst.BaseSuite, after: bool, exits: _Exits) -> bool:
        """Whether a step can follow the start of `suite`, given whether one can follow its end."""
        if isinstance(suite, cst.IndentedBlock):
            for statement in reversed(suite.body):
                after = self._statement(statement, after, exits)
            return after
        if isinstance(suite, cst.SimpleStatementSuite):
            for small in reversed(suite.body):
                after = self._small(small, after, exits)
            return after
        return after

    def _small(self, small: cst.BaseSmallStatement, after: bool, exits: _Exits) -> bool:
        if self.contains_step(small):
            before = True
        elif isinstance(small, cst.Return):
            before = exits.returns
        elif isinstance(small, cst.Raise):
            before = exits.raises
        elif isinstance(small, cst.Break):
            before = exits.breaks
        elif isinstance(small, cst.Continue):
            before = exits.continues
        else:
            before = after
        # Anything may raise, and an exception goes where `exits.raises` says.
        before = before or exits.raises
        self._mark(small, before)
        return before

    def _header(self, units: list[cst.CSTNode], follows: bool, exits: _Exits) -> bool:
        """Mark a compound statement's header expressions; True when they call a step."""
        stepping = any(self.contains_step(unit) for unit in units)
        for unit in units:
            self._mark(unit, follows or stepping or exits.raises)
        return follows or stepping or exits.raises

    def _statement(self, statement: cst.BaseStatement, after: bool, exits: _Exits) -> bool:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in reversed(statement.body):
                after = self._small(small, after, exits)
            return after
        if isinstance(statement, cst.If):
            return self._if(statement, after, exits)
        if isinstance(statement, (cst.For, cst.While)):
            return self._loop(statement, after, exits)
        if isinstance(statement, (cst.Try, cst.TryStar)):
            return self._try(statement, after, exits)
        if isinstance(statement, cst.With):
            body = self._suite(statement.body, after, exits)
            return self._header(list(statement.items), body, exits)
        if isinstance(statement, cst.Match):
            cases = False
            for case in statement.cases:
                case_before = self._suite(case.body, after, exits)
                guards: list[cst.CSTNode] = [case.pattern] + ([case.guard] if case.guard is not None else [])
                cases = self._header(guards, case_before, exits) or cases
            # No case may match: the statement then falls through.
            return self._header([statement.subject], cases or after, exits)
        # A nested def or class statement: defining it runs none of its body.
        return after or exits.raises

    def _if(self, statement: cst.If, after: bool, exits: _Exits) -> bool:
        body = self._suite(statement.body, after, exits)
        orelse = statement.orelse
        if isinstance(orelse, cst.If):
            other = self._if(orelse, after, exits)
        elif isinstance(orelse, cst.Else):
            other = self._suite(orelse.body, after, exits)
        else:
            other = after
        return self._header([statement.test], body or other, exits)

    def _loop(self, statement: cst.For | cst.While, after: bool, exits: _Exits) -> bool:
        orelse = self._suite(statement.orelse.body, after, exits) if statement.orelse is not None else after
        header: list[cst.CSTNode] = (
            [statement.iter, statement.target] if isinstance(statement, cst.For) else [statement.test]
        )
        # The loop's head: where the next iteration starts or the loop ends. A step can follow
        # it when one can follow the loop's exit or the body; iterate once more when the body
        # makes the head step-reaching (every statement of the body then precedes a step).
        head = orelse or any(self.contains_step(unit) for unit in header)
        for _ in range(2):
            inner = replace(exits, breaks=after, continues=head)
            body = self._suite(statement.body, head, inner)
            if not body or head:
                break
            head = True
        return self._header(header, head, exits)

    def _try(self, statement: cst.Try | cst.TryStar, after: bool, exits: _Exits) -> bool:
        parts: list[cst.CSTNode] = [statement.body, *statement.handlers]
        if statement.orelse is not None:
            parts.append(statement.orelse)
        finally_ = statement.finalbody
        if finally_ is not None:
            # Every way out of the try goes through `finally` first.
            def through(follows: bool) -> bool:
                return self._suite(finally_.body, follows, exits)

            normal = through(after)
            inner = _Exits(
                returns=through(exits.returns) if _holds(parts, cst.Return) else exits.returns,
                raises=through(exits.raises),
                breaks=through(exits.breaks) if _holds(parts, cst.Break) else exits.breaks,
                continues=through(exits.continues) if _holds(parts, cst.Continue) else exits.continues,
            )
        else:
            normal, inner = after, exits
        handlers = [self._suite(handler.body, normal, inner) for handler in statement.handlers]
        orelse = self._suite(statement.orelse.body, normal, inner) if statement.orelse is not None else normal
        # An exception anywhere in the body can reach any handler (or leave through `finally`).
        caught = any(handlers) or inner.raises
        return self._suite(statement.body, orelse, replace(inner, raises=caught))

    def _expand(self) -> dict[int, bool]:
        """Every node of every unit, with its unit's answer."""
        found: dict[int, bool] = {}
        for unit, precedes in self._units.values():
            stack: list[cst.CSTNode] = [unit]
            while stack:
                current = stack.pop()
                found[id(current)] = precedes
                if isinstance(current, _SCOPES):
                    continue
                stack.extend(children(current))
        return found


def _holds(parts: list[cst.CSTNode], kind: type) -> bool:
    """Whether any of `parts` holds a statement of `kind` (nested defs and classes not entered)."""
    stack = list(parts)
    while stack:
        current = stack.pop()
        if isinstance(current, kind):
            return True
        if isinstance(current, _SCOPES):
            continue
        stack.extend(children(current))
    return False


#: One StepOrder per Inngest function, shared by every rule of the file and the collector.
_ORDERS: weakref.WeakKeyDictionary[FileContext, dict[int, StepOrder]] = weakref.WeakKeyDictionary()


def step_order(context: FileContext, function: cst.FunctionDef) -> StepOrder:
    """The StepOrder of `function`; call it while the walker is at the function's `def`."""
    orders = _ORDERS.setdefault(context, {})
    order = orders.get(id(function))
    if order is None or order.function is not function:
        order = StepOrder(context, function)
        orders[id(function)] = order
    return order
