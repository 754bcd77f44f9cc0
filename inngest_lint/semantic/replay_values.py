"""Where a value computed in an Inngest function body goes, and whether that matters (INN108).

A clock read, a random number or a fresh UUID computed in the body is computed again on every
request of the run (see `semantic.replay_flow`), so each request sees a different value. That matters
only when two requests that see different values both use it, or when every request uses it:

- a step consumes the value in the one request that executes it (`Step.run` calls the handler
  with its arguments only when the step has no memo; `Step.sleep_until` puts `until` only in
  the `StepInfo` it reports for a new step, and a memoized sleep returns before it is used:
  `inngest/_internal/step_lib/step_async.py`, `ExecutionV0.report_step` in
  `inngest/_internal/execution_lib/v0.py`). So `x = now(); step.sleep_until("id", x)` reads `x`
  once, exactly like `step.sleep_until("id", now() + d)`;
- code no step call can follow (a `return`, the writes after the last step) runs in the one
  request that finishes the function;
- a step ID (matched against the memos on every request), a condition or loop that decides
  which steps run, and a side effect that a step can still follow use it on every request.

`ValueUses` follows a value from where it is computed: through expressions (arithmetic,
f-strings, method calls, containers, calls of unknown functions whose result it feeds),
through local assignments (`name = expr`, chains of them, `d[key] = expr`, `items.append(expr)`,
`with expr as name`, `for name in expr`, `name := expr`) and into closures. It lists the uses
that consume it, and `hazard` says whether they conflict. Logging (`logging`, a logger, `print`,
`ctx.logger`) and metrics (`statsd.timing`, `histogram.observe`, `span.set_attribute`, ...) do
not consume it: a duration or trace ID that only reaches a log line is not a replay hazard. A
value stored into an attribute, or into a def that is neither called nor given to a step, is
not followed: precision first, the rule stays silent when it cannot see where the value goes.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import libcst as cst

from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.names import parameter_names, target_names
from inngest_lint.semantic.nondeterminism import IN_PLACE_RANDOM
from inngest_lint.semantic.replay_flow import StepOrder, is_plan_call
from inngest_lint.semantic.steps import step_id_node, step_label
from inngest_lint.semantic.traverse import children, layout_classes
from inngest_lint.semantic.values import positional

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext
    from inngest_lint.semantic.replay import SideEffects

# ------------------------------------------------------------------------------------ logs, metrics
#: Logger methods (`logging`, structlog, loguru).
_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg", "trace", "success"}
)
#: A receiver named like a logger: `log`, `logger`, `LOGGER`, `audit_log`, `ctx.logger`, `self._logger`.
_LOGGER_NAME = re.compile(r"(?:^|_)(?:log|logger|logging)$", re.IGNORECASE)
#: Modules whose every call only logs.
_LOG_MODULES = ("logging.", "structlog.", "loguru.", "logfire.")
_LOG_FUNCTIONS = frozenset({"warnings.warn"})
#: `logging.getLogger(__name__).info(...)`, `structlog.get_logger().bind(...).info(...)`.
_LOGGER_FACTORIES = frozenset({"getLogger", "get_logger", "getChild", "bind"})
#: Metric methods specific enough to need no receiver name (statsd, Datadog, Prometheus).
_METRIC_METHODS = frozenset({"timing", "timed", "histogram", "distribution", "gauge", "observe"})
#: Methods that record a metric or trace attribute when the receiver is named like one.
_RECORD_METHODS = frozenset(
    {
        "increment",
        "incr",
        "decrement",
        "decr",
        "inc",
        "dec",
        "record",
        "set",
        "count",
        "set_attribute",
        "set_attributes",
        "set_tag",
        "set_tags",
        "set_measurement",
        "set_data",
        "add_event",
    }
)
_METRIC_NAME = re.compile(
    r"metric|statsd|stats|histogram|counter|gauge|timer|span|telemetry|meter|tracer|sentry|prometheus|datadog|"
    r"latency|duration",
    re.IGNORECASE,
)
_METRIC_MODULES = ("sentry_sdk.", "opentelemetry.", "prometheus_client.", "datadog.", "statsd.")


def _chain_names(node: cst.BaseExpression) -> list[str]:
    """The names along a receiver chain, through calls and subscripts:
    `REQUESTS.labels(route="x")` -> ["REQUESTS", "labels"]."""
    names: list[str] = []
    current: cst.BaseExpression = node
    while True:
        if isinstance(current, cst.Attribute):
            names.append(current.attr.value)
            current = current.value
        elif isinstance(current, cst.Call):
            current = current.func
        elif isinstance(current, cst.Subscript):
            current = current.value
        elif isinstance(current, cst.Name):
            names.append(current.value)
            break
        else:
            break
    names.reverse()
    return names


def is_log_or_metric(context: FileContext, call: cst.Call) -> bool:
    """A call that only writes a log line or records a metric (its arguments do not matter to
    the workflow): `logger.info(...)`, `logging.warning(...)`, `print(...)`, `ctx.logger.info(...)`,
    `statsd.timing(...)`, `metrics.histogram(...)`, `LATENCY.labels(...).observe(...)`,
    `span.set_attribute(...)`."""
    func = call.func
    if isinstance(func, (cst.Name, cst.Attribute)):
        qualified = context.qualify(func) or ""
        if qualified.startswith((*_LOG_MODULES, *_METRIC_MODULES)) or qualified in _LOG_FUNCTIONS:
            return True
        if isinstance(func, cst.Name):
            return func.value == "print" and qualified == "" and not _bound(context, "print")
    if not isinstance(func, cst.Attribute):
        return False
    method = func.attr.value
    receiver = _chain_names(func.value)
    if (
        method in _LOG_METHODS
        and receiver
        and (
            _LOGGER_NAME.search(receiver[-1])
            or any(name in _LOGGER_FACTORIES for name in receiver)
            or (context.qualify(cst.Name(receiver[0])) or "").startswith(_LOG_MODULES)
        )
    ):
        return True
    if method in _METRIC_METHODS:
        return True
    return method in _RECORD_METHODS and any(_METRIC_NAME.search(name) for name in receiver)


def _bound(context: FileContext, name: str) -> bool:
    return any(frame.binds(name) for frame in context.frames if frame.kind != "class")


# ------------------------------------------------------------------------------------ the index
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_LOOPS = (cst.For, cst.While, *_COMPREHENSIONS)
_SUITES = (cst.IndentedBlock, cst.SimpleStatementSuite)
_SKIP = layout_classes()


@dataclass(frozen=True)
class _Store:
    """A binding of a name: where (walk position), in which nested suites, and whether it
    replaces the value (`x += y` keeps what `x` held)."""

    position: int
    suites: tuple[int, ...]
    replaces: bool


class _Index:
    """Parents, evaluation positions, name reads and bindings of one function body (nested defs
    are recorded by name and not entered; lambdas and comprehensions are, their own parameters
    and targets shadowing the function's names)."""

    def __init__(self, function: cst.FunctionDef) -> None:
        self.parents: dict[int, cst.CSTNode] = {}
        self.position: dict[int, int] = {}
        self.loads: dict[str, list[cst.Name]] = {}
        self.stores: dict[str, list[_Store]] = {}
        self.nested_defs: dict[str, cst.FunctionDef] = {}
        self.params = set(parameter_names(function.params))
        self._suites: list[int] = []
        self._shadowed: list[set[str]] = []
        self._counter = 0
        self._walk(function)

    def _store(self, name: str, replaces: bool = True) -> None:
        self.stores.setdefault(name, []).append(_Store(self._counter, tuple(self._suites), replaces))

    def _walk(self, function: cst.FunctionDef) -> None:
        """Visit the body in evaluation order, without recursion (the walker is already deep in
        the file when a rule asks). The stack holds ("visit", node, parent, store) items and the
        markers that close a suite or a shadowing scope."""
        stack: list[tuple] = [("visit", function.body, function, False)]  # type: ignore[type-arg]
        while stack:
            item = stack.pop()
            if item[0] == "suite":
                self._suites.pop()
                continue
            if item[0] == "shadow":
                self._shadowed.pop()
                continue
            _, node, parent, store = item
            later: list[tuple] = []  # type: ignore[type-arg]
            self._visit(node, parent, store, later)
            stack.extend(reversed(later))

    def _visit(
        self,
        node: cst.CSTNode,
        parent: cst.CSTNode,
        store: bool | str,
        later: list,  # type: ignore[type-arg]
    ) -> None:
        """Record `node`, and queue its children (in evaluation order) into `later`. `store` is
        True in an assignment target, "update" for the target of `x += y`."""
        self.parents[id(node)] = parent
        self._counter += 1
        self.position[id(node)] = self._counter

        def visit(child: cst.CSTNode, as_store: bool = False) -> None:
            later.append(("visit", child, node, as_store))

        if isinstance(node, cst.Name):
            if store:
                self._store(node.value, replaces=store != "update")  # `x += y` keeps what x held
            elif not any(node.value in names for names in self._shadowed):
                self.loads.setdefault(node.value, []).append(node)
        elif isinstance(node, cst.FunctionDef):
            self.nested_defs[node.name.value] = node
            self._store(node.name.value)
        elif isinstance(node, cst.ClassDef):
            self._store(node.name.value)
        elif isinstance(node, (cst.Attribute, cst.Arg)):
            visit(node.value)
        elif isinstance(node, cst.Assign):
            visit(node.value)
            for target in node.targets:
                self.parents[id(target)] = node
                visit(target.target, True)
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                visit(node.value)
                visit(node.target, True)
        elif isinstance(node, cst.AugAssign):
            visit(node.value)
            if isinstance(node.target, cst.Name):
                later.append(("visit", node.target, node, "update"))
            else:
                visit(node.target)
        elif isinstance(node, cst.NamedExpr):
            visit(node.value)
            visit(node.target, True)
        elif isinstance(node, cst.For):
            visit(node.iter)
            visit(node.target, True)
            visit(node.body)
            if node.orelse is not None:
                visit(node.orelse)
        elif isinstance(node, cst.CompFor):
            visit(node.iter)
            for condition in node.ifs:
                visit(condition)
            if node.inner_for_in is not None:
                visit(node.inner_for_in)
        elif isinstance(node, cst.WithItem):
            visit(node.item)
            if node.asname is not None:
                visit(node.asname.name, True)
        elif isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
            if node.type is not None:
                visit(node.type)
            if node.name is not None:
                visit(node.name.name, True)
            visit(node.body)
        elif isinstance(node, cst.Del):
            for name in target_names(node.target):
                self._store(name)
        elif isinstance(node, (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal)):
            pass
        elif isinstance(node, cst.Lambda):
            self._shadowed.append(set(parameter_names(node.params)))
            visit(node.body)
            later.append(("shadow",))
        elif isinstance(node, _COMPREHENSIONS):
            shadowed: set[str] = set()
            comp: cst.CompFor | None = node.for_in
            while comp is not None:
                shadowed.update(target_names(comp.target))
                comp = comp.inner_for_in
            self._shadowed.append(shadowed)
            for child in children(node):
                if type(child) not in _SKIP:
                    visit(child)
            later.append(("shadow",))
        elif isinstance(node, (cst.MatchAs, cst.MatchStar)):
            if node.name is not None:
                self._store(node.name.value)
            if isinstance(node, cst.MatchAs) and node.pattern is not None:
                visit(node.pattern)
        else:
            is_suite = isinstance(node, _SUITES)
            if is_suite:
                self._suites.append(id(node))
            keep = bool(store) and isinstance(node, (cst.Tuple, cst.List, cst.StarredElement, cst.Element))
            for child in children(node):
                if type(child) not in _SKIP:
                    visit(child, keep)
            if is_suite:
                later.append(("suite",))


# ------------------------------------------------------------------------------------ uses
@dataclass(frozen=True)
class Use:
    """Where the value is consumed.

    kind: "every" (on every request: a step ID, a condition that decides which steps run, a
    side effect that a step can follow, a step in a loop); "step" (by the one request that
    executes that step); "final" (by the request that finishes the function); "call" (an
    unknown call made on every request, which may or may not keep it).
    """

    kind: Literal["every", "step", "final", "call"]
    node: cst.CSTNode
    what: str  # how a message names it


class ValueUses:
    """Follows values computed in one Inngest function body (see the module docstring)."""

    def __init__(self, context: FileContext, function: cst.FunctionDef, order: StepOrder, effects: SideEffects):
        self.context = context
        self.order = order
        self.effects = effects
        self.index = _Index(function)

    # ------------------------------------------------------------------ the verdict
    def hazard(self, origin: cst.Call) -> str | None:
        """Why the value of `origin` matters to the workflow, or None when it does not."""
        uses = self.uses(origin)
        for use in uses:
            if use.kind == "every":
                return use.what
        for first_index, first in enumerate(uses):
            for second in uses[first_index + 1 :]:
                if first.node is second.node or self._exclusive(origin, first.node, second.node):
                    continue
                kinds = {first.kind, second.kind}
                if kinds == {"final"} or kinds == {"call"}:
                    continue  # the same request
                if "final" in kinds:
                    earlier = second if first.kind == "final" else first
                    final = first if first.kind == "final" else second
                    if not self._can_run_before(origin, earlier.node, final.node):
                        continue
                return f"{first.what} and {second.what} see different values"
        return None

    def uses(self, origin: cst.Call) -> list[Use]:
        found: list[Use] = []
        seen: set[tuple[str, int]] = set()
        pending: list[cst.CSTNode] = [origin]
        done: set[int] = set()
        func = origin.func
        if isinstance(func, (cst.Name, cst.Attribute)) and self.context.qualify(func) in IN_PLACE_RANDOM:
            # `random.shuffle(items)`: the value is the list it shuffled.
            shuffled = positional(origin, 0)
            if isinstance(shuffled, cst.Name) and self._is_local(shuffled):
                self._follow(shuffled.value, origin, pending, seen)
        while pending:
            node = pending.pop()
            if id(node) in done:
                continue
            done.add(id(node))
            self._climb(origin, node, pending, found, seen)
        unique: dict[int, Use] = {}
        for use in found:
            if use.kind == "every" or id(use.node) not in unique:
                unique[id(use.node)] = use
        position = self.index.position
        return sorted(unique.values(), key=lambda use: position.get(id(use.node), 0))

    # ------------------------------------------------------------------ following the value up
    def _climb(
        self,
        origin: cst.Call,
        node: cst.CSTNode,
        pending: list[cst.CSTNode],
        found: list[Use],
        seen: set[tuple[str, int]],
    ) -> None:
        """Walk up from `node` (which holds the value) while the enclosing expression still
        carries it; record a use where it is consumed, queue the names it is stored in."""
        parents = self.index.parents
        order = self.order
        current = node
        while True:
            parent = parents.get(id(current))
            if parent is None:
                return
            if isinstance(parent, cst.Arg):
                call = parents.get(id(parent))
                if not isinstance(call, cst.Call):
                    return
                carried = self._argument(origin, call, parent, pending, found, seen)
                if carried is None:
                    return
                current = carried
                continue
            if isinstance(parent, cst.Lambda):
                self._lambda_body(origin, parent, found)
                return
            if isinstance(parent, (cst.Assign, cst.AnnAssign)):
                targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
                for target in targets:
                    self._store_into(target, pending, seen)
                return
            if isinstance(parent, cst.AugAssign):
                if current is parent.value:
                    self._store_into(parent.target, pending, seen)
                return
            if isinstance(parent, cst.NamedExpr):
                self._store_into(parent.target, pending, seen)
                current = parent
                continue
            if isinstance(parent, cst.Return):
                found.append(Use("final", parent, "the function's return value"))
                return
            if isinstance(parent, (cst.If, cst.While)):
                if current is parent.test and order.decides_steps(parent):
                    found.append(Use("every", parent, self._decides(parent.test)))
                return
            if isinstance(parent, cst.For):
                if current is parent.iter:
                    if order.decides_steps(parent):
                        found.append(Use("every", parent, self._decides(parent.iter)))
                        return
                    self._store_into(parent.target, pending, seen)
                return
            if isinstance(parent, cst.WithItem):
                if parent.asname is not None:
                    self._store_into(parent.asname.name, pending, seen)
                return
            if isinstance(parent, cst.Match):
                if current is parent.subject and order.decides_steps(parent):
                    found.append(Use("every", parent, self._decides(parent.subject)))
                return
            if isinstance(parent, cst.IfExp):
                if current is parent.test and order.decides_steps(parent):
                    found.append(Use("every", parent, self._decides(parent.test)))
                    return
                current = parent
                continue
            if isinstance(parent, cst.BooleanOperation):
                if current is parent.left and order.decides_steps(parent):
                    found.append(Use("every", parent, self._decides(parent.left)))
                    return
                current = parent
                continue
            if isinstance(parent, (cst.CompFor, cst.CompIf)):
                comprehension: cst.CSTNode | None = parent
                while comprehension is not None and not isinstance(comprehension, _COMPREHENSIONS):
                    comprehension = parents.get(id(comprehension))
                if comprehension is None:
                    return
                if order.decides_steps(comprehension):
                    found.append(Use("every", comprehension, self._decides(current)))
                    return
                current = comprehension
                continue
            if isinstance(parent, cst.Call):
                if current is parent.func and order.is_step_call(parent):
                    # A nested def that reads the value and calls steps (`await process(item)`).
                    found.append(self._step_use(origin, parent, f"`{snippet(self.context, parent.func, 40)}()`"))
                current = parent  # the value's own method (`started.isoformat()`) or the callee
                continue
            if isinstance(parent, (cst.BaseSmallStatement, cst.BaseCompoundStatement, cst.BaseSuite)):
                return  # an expression statement, `raise`, `assert`, `del`: nothing carries it on
            if isinstance(
                parent,
                (
                    cst.BaseExpression,
                    cst.BaseElement,
                    cst.BaseDictElement,
                    cst.FormattedStringExpression,
                    cst.SubscriptElement,
                    cst.BaseSlice,
                    cst.ComparisonTarget,
                ),
            ):
                current = parent
                continue
            return

    def _argument(
        self,
        origin: cst.Call,
        call: cst.Call,
        arg: cst.Arg,
        pending: list[cst.CSTNode],
        found: list[Use],
        seen: set[tuple[str, int]],
    ) -> cst.CSTNode | None:
        """The value reaches `call` as an argument: record the use, and return the node that
        carries the value on (the call's result), or None when it stops here."""
        context = self.context
        order = self.order
        if context.step_method(call) is not None:
            step_id = step_id_node(call)
            if step_id is arg.value:
                found.append(
                    Use(
                        "every",
                        call,
                        f"it reaches the step ID `{snippet(context, step_id, 40)}`, so "
                        f"replays never find that step's memoized result",
                    )
                )
            else:
                found.append(self._step_use(origin, call, step_label(context, call)))
            return None
        if is_plan_call(context, call) or is_log_or_metric(context, call):
            return None
        effect = self.effects.of(call)
        if effect is not None:
            if order.can_precede_step(call):
                found.append(
                    Use(
                        "every",
                        call,
                        f"`{effect.label}` uses it, and a later step makes that call run again with a new value",
                    )
                )
            else:
                found.append(Use("final", call, f"`{effect.label}`"))
            return None
        if order.is_step_call(call):
            # A helper given the context or step object may run steps with the value.
            found.append(self._step_use(origin, call, f"`{snippet(context, call.func, 40)}()`"))
            return call
        receiver = _local_receiver(call.func)
        if receiver is not None and self._is_local(receiver):
            # `rows.append(value)`, `payload.update(at=value)`: the local now holds the value.
            self._follow(receiver.value, call, pending, seen)
            return call
        if self._result_dropped(call):
            # An unknown call whose result is dropped may keep the value (a write we cannot see).
            kind: Literal["call", "final"] = "call" if order.can_precede_step(call) else "final"
            found.append(Use(kind, call, f"`{snippet(context, call.func, 40)}()`"))
            return None
        return call

    def _result_dropped(self, call: cst.Call) -> bool:
        """`save(value)` or `await save(value)` as a statement of its own."""
        parent = self.index.parents.get(id(call))
        while isinstance(parent, cst.Await):
            parent = self.index.parents.get(id(parent))
        return isinstance(parent, cst.Expr)

    def _step_use(self, origin: cst.Call, call: cst.Call, label: str) -> Use:
        """A step consumes the value in the request that executes it; a step in a loop that
        does not also recompute the value gets a different value on each iteration."""
        if self._loop_between(origin, call) is not None:
            return Use("every", call, f"{label} runs in a loop, so each iteration's step gets a different value")
        return Use("step", call, label)

    def _lambda_body(self, origin: cst.Call, lambda_: cst.Lambda, found: list[Use]) -> None:
        """The value is read in a lambda: it matters when the lambda is a step handler."""
        parents = self.index.parents
        arg = parents.get(id(lambda_))
        call = parents.get(id(arg)) if isinstance(arg, cst.Arg) else None
        if isinstance(call, cst.Call) and self.context.step_method(call) is not None and arg is not call.args[0]:
            found.append(self._step_use(origin, call, step_label(self.context, call)))

    # ------------------------------------------------------------------ names
    def _is_local(self, name: cst.Name) -> bool:
        """A name the function binds itself (not a parameter, not the context or step object)."""
        return name.value in self.index.stores and not self.order.is_handle(name)

    def _store_into(self, target: cst.BaseExpression, pending: list[cst.CSTNode], seen: set[tuple[str, int]]) -> None:
        """The value is stored into `target`: follow the names that now hold it."""
        if isinstance(target, cst.Subscript):
            root = _local_receiver(target.value, allow_name=True)
            if root is not None and self._is_local(root):
                self._follow(root.value, target, pending, seen)
            return
        if isinstance(target, cst.Attribute):
            return  # stored on an object: not followed
        for name in target_names(target):
            self._follow(name, target, pending, seen)

    def _follow(self, name: str, anchor: cst.CSTNode, pending: list[cst.CSTNode], seen: set[tuple[str, int]]) -> None:
        """Queue the reads of `name` that can see the value stored into it at `anchor`."""
        index = self.index
        position = index.position.get(id(anchor), 0)
        if (name, position) in seen:
            return
        seen.add((name, position))
        stores = index.stores.get(name, [])
        ancestors = self._ancestors(anchor)
        suites = tuple(id(node) for node in reversed(ancestors) if isinstance(node, _SUITES))
        # The first later binding on the same path (same suite or an enclosing one) replaces it.
        end = min(
            (
                store.position
                for store in stores
                if store.replaces and store.position > position and store.suites == suites[: len(store.suites)]
            ),
            default=None,
        )
        loops = [node for node in ancestors if isinstance(node, _LOOPS)]
        loop = loops[-1] if loops else None
        for read in index.loads.get(name, ()):
            where = index.position[id(read)]
            if where > position and (end is None or where < end):
                pending.append(read)
            elif loop is not None and where < position and self._inside(read, loop):
                pending.append(read)  # the next iteration reads it
        for nested_name, nested in index.nested_defs.items():
            if _reads_free(nested, name):
                for read in index.loads.get(nested_name, ()):
                    pending.append(read)

    # ------------------------------------------------------------------ positions
    def _ancestors(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        found: list[cst.CSTNode] = []
        parent = self.index.parents.get(id(node))
        while parent is not None:
            found.append(parent)
            parent = self.index.parents.get(id(parent))
        return found

    def _inside(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        return any(parent is ancestor for parent in self._ancestors(node))

    def _loop_between(self, origin: cst.CSTNode, node: cst.CSTNode) -> cst.CSTNode | None:
        """A loop around `node` that does not also hold `origin` (so it repeats `node` with the
        same value), else None."""
        around_origin = {id(parent) for parent in self._ancestors(origin)}
        for parent in self._ancestors(node):
            if isinstance(parent, _LOOPS) and id(parent) not in around_origin:
                return parent
        return None

    def _exclusive(self, origin: cst.CSTNode, first: cst.CSTNode, second: cst.CSTNode) -> bool:
        """Whether `first` and `second` are on different branches of one `if`/`match`/conditional
        expression (or different `except` handlers), which one pass never takes both of."""
        first_path = [first, *self._ancestors(first)]
        second_path = [second, *self._ancestors(second)]
        positions = {id(node): index for index, node in enumerate(first_path)}
        for index, node in enumerate(second_path):
            if id(node) in positions:
                common = node
                first_child = first_path[positions[id(node)] - 1] if positions[id(node)] else None
                second_child = second_path[index - 1] if index else None
                break
        else:
            return False
        if first_child is None or second_child is None or first_child is second_child:
            return False
        branches: tuple[cst.CSTNode | None, ...]
        if isinstance(common, cst.If):
            branches = (common.body, common.orelse)
        elif isinstance(common, cst.IfExp):
            branches = (common.body, common.orelse)
        elif isinstance(common, cst.Match):
            branches = tuple(common.cases)
        elif isinstance(common, (cst.Try, cst.TryStar)):
            branches = (*common.handlers, common.orelse)
        else:
            return False
        if not (any(first_child is b for b in branches) and any(second_child is b for b in branches)):
            return False
        # In a loop that does not recompute the value, two iterations can take both branches.
        return self._loop_between(origin, common) is None

    def _can_run_before(self, origin: cst.CSTNode, earlier: cst.CSTNode, final: cst.CSTNode) -> bool:
        """Whether `earlier` can run before `final` in one pass: it comes first in the source, or
        a loop that does not recompute the value holds both."""
        position = self.index.position
        if position.get(id(earlier), 0) < position.get(id(final), 0):
            return True
        loop = self._loop_between(origin, earlier)
        return loop is not None and self._inside(final, loop)

    def _decides(self, node: cst.CSTNode) -> str:
        return f"it decides which steps run (`{snippet(self.context, node, 40)}`)"


def _local_receiver(func: cst.BaseExpression, allow_name: bool = False) -> cst.Name | None:
    """The local name at the root of `rows.append` / `payload["items"].extend` (a method call's
    receiver chain), or of `payload["at"]` with `allow_name`."""
    if not allow_name:
        if not isinstance(func, cst.Attribute):
            return None
        func = func.value
    while isinstance(func, (cst.Attribute, cst.Subscript)):
        func = func.value
    return func if isinstance(func, cst.Name) else None


def _reads_free(function: cst.FunctionDef, name: str) -> bool:
    """Whether a nested def reads `name` from the enclosing function (it neither takes nor binds it)."""
    if name in parameter_names(function.params):
        return False
    reads = False
    stack: list[cst.CSTNode] = [function.body]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name) and current.value == name:
            reads = True
        elif isinstance(current, cst.AssignTarget) and name in target_names(current.target):
            return False
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
            continue
        stack.extend(children(current))
    return reads


#: One ValueUses per Inngest function, built only when a rule has a value to follow.
_USES: weakref.WeakKeyDictionary[FileContext, dict[int, ValueUses]] = weakref.WeakKeyDictionary()


def value_uses(context: FileContext, function: cst.FunctionDef, order: StepOrder, effects: SideEffects) -> ValueUses:
    """The ValueUses of `function`, built once per function and shared."""
    uses = _USES.setdefault(context, {})
    found = uses.get(id(function))
    if found is None or found.order is not order:
        found = ValueUses(context, function, order, effects)
        uses[id(function)] = found
    return found
