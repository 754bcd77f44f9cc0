"""INN106 wait-for-event-result-unchecked."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import block_statements, snippet
from inngest_lint.semantic.names import names_in, target_names, value_children
from inngest_lint.semantic.steps import (
    SYNC,
    enclosing_def,
    is_builtin,
    step_flavor,
    step_id_context,
    step_id_display,
)
from inngest_lint.semantic.traverse import children

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
#: Builtins whose truth implies the argument is not None (`isinstance(x, Event)`, `bool(x)`).
_NON_NONE_WHEN_TRUE = frozenset({"isinstance", "bool", "hasattr", "callable"})
#: Calls that only display a value: passing the result to them checks nothing and hides nothing.
_DISPLAY_FUNCTIONS = frozenset({"print", "str", "repr", "format"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
#: Calls that do not return (`sys.exit()`, `abort(404)`, `pytest.fail(...)`, `fail_run(...)`).
_NO_RETURN_QUALIFIED = frozenset(
    {
        "sys.exit",
        "os._exit",
        "os.abort",
        "pytest.fail",
        "pytest.skip",
        "flask.abort",
        "typing.assert_never",
        "typing_extensions.assert_never",
    }
)
#: Project helpers named like `abort(...)`, `fail_run(...)`, `raise_timeout(...)`; not
#: `raise_for_status()`, which returns normally on success.
_NO_RETURN_NAME = re.compile(r"^(abort|fail|die|bail|exit|raise)(_(?!for_status$)\w+)?$", re.IGNORECASE)

#: (None-check proven when the test is true, when it is false, the test is understood)
Narrowing = tuple[bool, bool, bool]


class WaitForEventResultUnchecked(Rule):
    """The result of `wait_for_event` used without checking for `None` (the timeout case).

    ## What it does
    Flags an attribute or item access (`event.data`, `event["data"]`) on the result of
    `ctx.step.wait_for_event(...)` on a path where it was not checked for `None` first. The
    check can take any usual shape: `if not event: return`, `if event is None: raise ...`,
    `if event:` / `if event is not None:` blocks, `event and event.data`,
    `event.data if event else ...`, `assert event`, an early `continue`, or a walrus in the
    `if` itself.

    ## Why is this bad?
    `wait_for_event` returns `None` when the timeout passes without a matching event. Reading
    `.data` from it then raises `AttributeError` on exactly the path that most needs handling
    (the customer never replied), and the run fails instead of taking the timeout branch.

    ## Not flagged
    The analysis is deliberately cautious: when the result is passed to another function, aliased,
    captured by a lambda, or the control flow is not clear, nothing is reported.
    """

    code = "INN106"
    name = "wait-for-event-result-unchecked"

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="invoice", trigger=inngest.TriggerEvent(event="app/invoice.created"))
        async def invoice(ctx: inngest.Context) -> dict:
            approval = await ctx.step.wait_for_event(
                "wait-approval", event="app/invoice.approved", timeout=datetime.timedelta(days=7)
            )
            if approval is None:
                return {"status": "expired"}
            return {"status": "approved", "by": approval.data["approver"]}
        """,
    )
    INVALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="invoice", trigger=inngest.TriggerEvent(event="app/invoice.created"))
        async def invoice(ctx: inngest.Context) -> dict:
            approval = await ctx.step.wait_for_event(
                "wait-approval", event="app/invoice.approved", timeout=datetime.timedelta(days=7)
            )
            return {"status": "approved", "by": approval.data["approver"]}  # error: INN106
        """,
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # Searching every line for a walrus costs a walk of each; most files have none.
        self._file_has_walrus = ":=" in context.source

    # ------------------------------------------------------------------ `(await wait(...)).data`
    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._direct_use(node, f".{node.attr.value}")

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._direct_use(node, "[...]")

    def _direct_use(self, node: cst.Attribute | cst.Subscript, access: str) -> None:
        call = self._wait_result(node.value)
        if call is None:
            return
        self.report(
            node,
            f"the result of {self._wait_label(call)} is None when the wait times out, but `{access}` "
            f"is read from it directly; assign it and check for None first",
            context=step_id_context(call),
        )

    # ------------------------------------------------------------------ `x = await wait(...)`
    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        """Find the statements of this block that bind a wait's result, then follow the rest.

        Driven by statements (rather than by the call) so that no parent map is needed: the
        semantic model is the same here as at the call, since a block opens no scope.
        """
        if enclosing_def(self.context) is None:
            return  # a class body: no step objects there
        statements = list(node.body)
        plan: _BlockPlan | None = None
        for index, statement in enumerate(statements):
            bound = self._bound_wait(statement)
            if bound is None:
                continue
            name, call, include_statement = bound
            flow = _NoneFlow(name, lambda builtin: is_builtin(self.context, builtin), self.context.qualify)
            if plan is None:
                plan = _BlockPlan(statements, flow)
            flow.follow(plan, index if include_statement else index + 1)
            if flow.found is not None:
                self.report(
                    flow.found,
                    f"'{name}' is None when {self._wait_label(call)} times out, but "
                    f"`{snippet(self.context, flow.found)}` is used without a None check; "
                    f"check `if {name} is None:` first",
                    context=step_id_context(call),
                )

    def _bound_wait(self, statement: cst.CSTNode) -> tuple[str, cst.Call, bool] | None:
        """(name, wait call, whether the statement itself is followed) for `name = await wait(...)`
        (also annotated) or a walrus `(name := await wait(...))` in a line or an if/while test."""
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                value: cst.BaseExpression | None = None
                target: cst.BaseExpression | None = None
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    value, target = small.value, small.targets[0].target
                elif isinstance(small, cst.AnnAssign):
                    value, target = small.value, small.target
                if value is not None and isinstance(target, cst.Name):
                    call = self._wait_result(value)
                    if call is not None:
                        return target.value, call, False
            return self._walrus(statement)
        if isinstance(statement, (cst.If, cst.While)):
            return self._walrus(statement.test)
        return None

    def _walrus(self, node: cst.CSTNode) -> tuple[str, cst.Call, bool] | None:
        if not self._file_has_walrus:
            return None
        stack: list[cst.CSTNode] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.Lambda, *_COMPREHENSIONS)):
                continue
            if isinstance(current, cst.NamedExpr) and isinstance(current.target, cst.Name):
                call = self._wait_result(current.value)
                if call is not None:
                    return current.target.value, call, True
            stack.extend(children(current))
        return None

    def _wait_result(self, node: cst.BaseExpression) -> cst.Call | None:
        """The wait call if `node` is the event it returns: `await step.wait_for_event(...)` for the
        async `Step`, the bare call for `StepSync`."""
        awaited = isinstance(node, cst.Await)
        call = node.expression if isinstance(node, cst.Await) else node
        if not isinstance(call, cst.Call) or self.context.step_method(call) != sdk.STEP_WAIT_FOR_EVENT:
            return None
        if not awaited and step_flavor(self.context, call) != SYNC:
            return None  # an un-awaited coroutine (INN103's business) or an unknown step object
        return call

    def _wait_label(self, call: cst.Call) -> str:
        shown = step_id_display(self.context, call)
        return f"wait_for_event {shown}" if shown else "wait_for_event"


class _BlockPlan:
    """What the statements of one block do for the names they never mention, computed once for
    all the waits bound in the block.

    Following each wait's name through the rest of its block statement by statement cost the
    block's size per wait: a function of n waits took n^2. A statement that does not mention a
    name acts on every such name alike: it may leave the block (return, raise, a call that
    never returns), or settle the analysis as "checked" (a `with suppress(AttributeError)`), or
    neither. That is found once per statement, with a name no statement can mention; a flow then
    jumps from one statement mentioning its name to the next, and stops where a statement in
    between leaves or settles it.
    """

    _NOBODY = "<no name>"  # not an identifier: no statement mentions it

    def __init__(self, statements: Sequence[cst.CSTNode], model: _NoneFlow) -> None:
        self.statements = statements
        self.mentioned_at: dict[str, list[int]] = {}
        for index, statement in enumerate(statements):
            # Every name the flow can compare with its own (reads, bound names, keywords): a
            # superset, so a statement that could matter is always followed in full.
            for name in names_in(statement):
                self.mentioned_at.setdefault(name, []).append(index)
        # The first statement at or after each index that leaves or settles a flow it does not
        # mention (len(statements): none does).
        neutral = _NoneFlow(self._NOBODY, model.is_builtin_name, model.qualify)
        self.next_stop = [len(statements)] * (len(statements) + 1)
        for index in range(len(statements) - 1, -1, -1):
            settled, leaves = neutral.statement(statements[index], False)
            self.next_stop[index] = index if (settled or leaves) else self.next_stop[index + 1]


class _NoneFlow:
    """Walks the statements after `name = await wait_for_event(...)` and finds the first
    attribute/item access on `name` that no None check dominates.

    `checked` means "on this path `name` is known not to be None, or we cannot tell": every
    doubt resolves to checked, so the analysis can miss a bug but never invents one.
    """

    def __init__(
        self,
        name: str,
        is_builtin_name: Callable[[str], bool],
        qualify: Callable[[cst.BaseExpression], str | None],
    ) -> None:
        self.name = name
        self.is_builtin_name = is_builtin_name
        self.qualify = qualify
        self.found: cst.CSTNode | None = None

    # ------------------------------------------------------------------ statements
    def follow(self, plan: _BlockPlan, start: int) -> None:
        """`block(plan.statements[start:], False)`, for `found` only, visiting only the statements
        that mention the name (see `_BlockPlan`). Once checked, a flow stays checked and can find
        nothing more, so it stops there too."""
        positions = plan.mentioned_at.get(self.name, [])
        position = bisect.bisect_left(positions, start)
        index = start
        checked = False
        while position < len(positions) and self.found is None:
            mention = positions[position]
            if plan.next_stop[index] < mention:
                return  # the flow leaves the block, or is settled, before the name appears again
            checked, leaves = self.statement(plan.statements[mention], checked)
            if leaves or checked:
                return
            index = mention + 1
            position += 1

    def block(self, statements: Sequence[cst.CSTNode], checked: bool) -> tuple[bool, bool]:
        """(checked at the end, the block always leaves: return/raise/continue/break)."""
        for statement in statements:
            if self.found is not None:
                return True, True
            checked, leaves = self.statement(statement, checked)
            if leaves:
                return checked, True
        return checked, False

    def statement(self, statement: cst.CSTNode, checked: bool) -> tuple[bool, bool]:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                checked, leaves = self.small(small, checked)
                if leaves:
                    return checked, True
            return checked, False
        if isinstance(statement, cst.If):
            return self.if_statement(statement, checked)
        if isinstance(statement, cst.While):
            self.expression(statement.test, checked)
            when_true, when_false, understood = self.narrow(statement.test)
            self.block(block_statements(statement.body), checked or when_true or not understood)
            if statement.orelse is not None:
                self.block(block_statements(statement.orelse.body), True)
            return checked or when_false or not understood or self.mentions(statement.body), False
        if isinstance(statement, cst.For):
            self.expression(statement.iter, checked)
            if self.name in target_names(statement.target):
                return True, False
            self.block(block_statements(statement.body), checked)
            if statement.orelse is not None:
                self.block(block_statements(statement.orelse.body), True)
            return checked or self.mentions(statement.body), False
        if isinstance(statement, cst.With):
            suppressed = False
            for item in statement.items:
                self.expression(item.item, checked)
                if item.asname is not None and self.name in target_names(item.asname.name):
                    return True, False
                suppressed = suppressed or _suppresses_none_access(item.item)
            out, leaves = self.block(block_statements(statement.body), checked or suppressed)
            # A context manager may swallow the exception that left the block early.
            return (True, False) if leaves else (out, False)
        if isinstance(statement, (cst.Try, cst.TryStar)):
            return self.try_statement(statement, checked)
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            return (True, False) if statement.name.value == self.name else (checked, False)
        # match statements and anything newer: not followed.
        return True, False

    def if_statement(self, statement: cst.If, checked: bool) -> tuple[bool, bool]:
        self.expression(statement.test, checked)
        when_true, when_false, understood = self.narrow(statement.test)
        if not understood:
            when_true = when_false = True
        body_out, body_leaves = self.block(block_statements(statement.body), checked or when_true)
        orelse = statement.orelse
        if orelse is None:
            else_out, else_leaves = checked or when_false, False
        elif isinstance(orelse, cst.If):
            else_out, else_leaves = self.if_statement(orelse, checked or when_false)
        else:
            else_out, else_leaves = self.block(block_statements(orelse.body), checked or when_false)
        if body_leaves and else_leaves:
            return True, True
        if body_leaves:
            return else_out, False
        if else_leaves:
            return body_out, False
        return body_out and else_out, False

    def try_statement(self, statement: cst.Try | cst.TryStar, checked: bool) -> tuple[bool, bool]:
        # `try: reply.data ... except AttributeError:` handles the None case by exception.
        handles_none = any(_catches_none_access(handler) for handler in statement.handlers)
        body_out, body_leaves = self.block(block_statements(statement.body), checked or handles_none)
        outs: list[bool] = []
        if not body_leaves:
            if statement.orelse is not None:
                else_out, else_leaves = self.block(block_statements(statement.orelse.body), body_out)
                if not else_leaves:
                    outs.append(else_out)
            else:
                outs.append(body_out)
        # An exception can leave the body anywhere: a handler only knows what held on entry.
        handler_entry = checked or self.mentions(statement.body)
        for handler in statement.handlers:
            entry = handler_entry
            if handler.name is not None and self.name in target_names(handler.name.name):
                entry = True
            handler_out, handler_leaves = self.block(block_statements(handler.body), entry)
            if not handler_leaves:
                outs.append(handler_out)
        if statement.finalbody is not None:
            final_out, final_leaves = self.block(block_statements(statement.finalbody.body), handler_entry)
            if final_leaves:
                return final_out, True
        if not outs:
            return True, True
        return all(outs), False

    def small(self, small: cst.BaseSmallStatement, checked: bool) -> tuple[bool, bool]:
        if isinstance(small, (cst.Return, cst.Raise)):
            for part in (getattr(small, "value", None), getattr(small, "exc", None)):
                if part is not None:
                    self.expression(part, checked)
            return checked, True
        if isinstance(small, (cst.Continue, cst.Break)):
            return checked, True
        if isinstance(small, cst.Assert):
            self.expression(small.test, checked)
            when_true, _, understood = self.narrow(small.test)
            return checked or when_true or not understood, False
        if isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            value = small.value
            if value is not None:
                self.expression(value, checked)
            targets = [target.target for target in small.targets] if isinstance(small, cst.Assign) else [small.target]
            rebound = False
            for target in targets:
                if self.name in target_names(target):
                    rebound = True
                else:
                    self.expression(target, checked)
            if rebound or (value is not None and self.uncertain(value)):
                return True, False
            return checked, False
        if isinstance(small, cst.Expr):
            self.expression(small.value, checked)
            if self.never_returns(small.value):
                return checked, True
            return checked or self.uncertain(small.value), False
        if isinstance(small, cst.Pass):
            return checked, False
        # del, import, global/nonlocal, ...: anything touching the name ends the analysis.
        return checked or self.mentions(small), False

    # ------------------------------------------------------------------ expressions
    def expression(self, node: cst.CSTNode, checked: bool) -> None:
        """Find the first unchecked `name.attr` / `name[...]` in evaluation order."""
        if self.found is not None or isinstance(node, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
            return
        if isinstance(node, (cst.Attribute, cst.Subscript)) and self.is_subject(node.value):
            if not checked:
                self.found = node
                return
            if isinstance(node.value, cst.NamedExpr):
                self.expression(node.value.value, checked)
            if isinstance(node, cst.Subscript):
                for element in node.slice:
                    self.expression(element, checked)
            return
        if isinstance(node, cst.BooleanOperation):
            self.expression(node.left, checked)
            when_true, when_false, understood = self.narrow(node.left)
            proven = when_true if isinstance(node.operator, cst.And) else when_false
            self.expression(node.right, checked or proven or not understood)
            return
        if isinstance(node, cst.IfExp):
            self.expression(node.test, checked)
            when_true, when_false, understood = self.narrow(node.test)
            self.expression(node.body, checked or when_true or not understood)
            self.expression(node.orelse, checked or when_false or not understood)
            return
        if isinstance(node, _COMPREHENSIONS) and self._comprehension_unclear(node):
            return
        if isinstance(node, cst.Attribute):
            self.expression(node.value, checked)
            return
        for child in children(node):
            self.expression(child, checked)

    def _comprehension_unclear(self, node: cst.BaseComp | cst.DictComp) -> bool:
        """A comprehension rebinding the name, or filtering on it, is not followed."""
        comp: cst.CompFor | None = node.for_in
        while comp is not None:
            if self.name in target_names(comp.target):
                return True
            if any(self.mentions(condition.test) for condition in comp.ifs):
                return True
            comp = comp.inner_for_in
        return False

    def is_subject(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Name):
            return node.value == self.name
        return isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name) and node.target.value == self.name

    def narrow(self, test: cst.BaseExpression) -> Narrowing:
        if self.is_subject(test):
            return True, False, True
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            when_true, when_false, understood = self.narrow(test.expression)
            return when_false, when_true, understood
        if isinstance(test, cst.BooleanOperation):
            left = self.narrow(test.left)
            right = self.narrow(test.right)
            understood = left[2] and right[2]
            if isinstance(test.operator, cst.And):
                return left[0] or right[0], left[1] and right[1], understood
            return left[0] and right[0], left[1] or right[1], understood
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            target = test.comparisons[0]
            sides = (test.left, target.comparator)
            if any(self.is_subject(side) for side in sides) and any(_is_none(side) for side in sides):
                if isinstance(target.operator, (cst.IsNot, cst.NotEqual)):
                    return True, False, True
                if isinstance(target.operator, (cst.Is, cst.Equal)):
                    return False, True, True
        if (
            isinstance(test, cst.Call)
            and isinstance(test.func, cst.Name)
            and test.func.value in _NON_NONE_WHEN_TRUE
            and self.is_builtin_name(test.func.value)
            and test.args
            and self.is_subject(test.args[0].value)
        ):
            return True, False, True
        return False, False, not self.uncertain(test)

    # ------------------------------------------------------------------ mentions
    def mentions(self, node: cst.CSTNode) -> bool:
        """Any appearance of the name (read, write, or check), lambdas and nested defs included."""
        stack: list[cst.CSTNode] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Name) and current.value == self.name:
                return True
            stack.extend(value_children(current))
        return False

    def uncertain(self, node: cst.CSTNode) -> bool:
        """The bare name used where it may be checked or handed on: a call argument, an alias,
        a comparison with something other than None, a captured closure.

        Attribute and item access are uses (the analysis judges those), and display calls
        (`print(x)`, `logger.info("...", x)`), f-strings and `x is None` tests are harmless.
        """
        if isinstance(node, cst.Name):
            return node.value == self.name
        if isinstance(node, cst.NamedExpr):
            return self.uncertain(node.value)
        if isinstance(node, cst.Attribute):
            return False if self.is_subject(node.value) else self.uncertain(node.value)
        if isinstance(node, cst.Subscript):
            pieces: list[cst.CSTNode] = list(node.slice)
            if not self.is_subject(node.value):
                pieces.append(node.value)
            return any(self.uncertain(piece) for piece in pieces)
        if isinstance(node, (cst.Lambda, cst.FunctionDef)):
            return self.mentions(node)
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            sides = (node.left, node.comparisons[0].comparator)
            if any(self.is_subject(side) for side in sides) and any(_is_none(side) for side in sides):
                return False
        if isinstance(node, cst.FormattedStringExpression) and self.is_subject(node.expression):
            return False
        if isinstance(node, cst.Call) and self._is_display_call(node):
            return any(self.uncertain(arg.value) for arg in node.args if not self.is_subject(arg.value))
        if isinstance(node, cst.Arg):
            return self.uncertain(node.value)
        return any(self.uncertain(child) for child in children(node))

    def _is_display_call(self, call: cst.Call) -> bool:
        func = call.func
        if isinstance(func, cst.Name):
            return func.value in _DISPLAY_FUNCTIONS and self.is_builtin_name(func.value)
        return isinstance(func, cst.Attribute) and func.attr.value in _LOG_METHODS

    def never_returns(self, node: cst.BaseExpression) -> bool:
        """`sys.exit(...)`, `abort(...)`, `fail_run(...)`: a call that most likely raises."""
        if isinstance(node, cst.Await):
            node = node.expression
        if not isinstance(node, cst.Call) or not isinstance(node.func, (cst.Name, cst.Attribute)):
            return False
        qualified = self.qualify(node.func)
        if qualified in _NO_RETURN_QUALIFIED or (
            isinstance(node.func, cst.Name) and node.func.value in ("exit", "quit")
        ):
            return True
        last = node.func.value if isinstance(node.func, cst.Name) else node.func.attr.value
        return bool(_NO_RETURN_NAME.search(last))


#: Exceptions that reading `.data` / `["data"]` from None raises, and their bases.
_NONE_ACCESS_ERRORS = frozenset({"AttributeError", "TypeError", "Exception", "BaseException"})
_SUPPRESS = "suppress"


def _exception_names(node: cst.BaseExpression | None) -> list[str]:
    elements = [element.value for element in node.elements] if isinstance(node, cst.Tuple) else [node]
    names: list[str] = []
    for element in elements:
        if isinstance(element, cst.Name):
            names.append(element.value)
        elif isinstance(element, cst.Attribute):
            names.append(element.attr.value)
    return names


def _catches_none_access(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """A bare `except:` or one naming AttributeError, TypeError or a base of them."""
    return handler.type is None or any(name in _NONE_ACCESS_ERRORS for name in _exception_names(handler.type))


def _suppresses_none_access(item: cst.BaseExpression) -> bool:
    """`contextlib.suppress(AttributeError)` (or TypeError, Exception) as a `with` item."""
    if not isinstance(item, cst.Call):
        return False
    func = item.func
    name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
    if name != _SUPPRESS:
        return False
    return any(any(exception in _NONE_ACCESS_ERRORS for exception in _exception_names(arg.value)) for arg in item.args)


def _is_none(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"
