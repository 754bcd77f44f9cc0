"""INN502 non-serializable-step-return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.replay import (
    FUNCTOOLS_PARTIAL,
    Origins,
    StepHandlers,
    binding_frame,
    has_keyword_splat,
)
from inngest_lint.semantic.values import argument, returned_values

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext

_DATETIME = "a datetime"
#: Calls (by qualified name) that return a value `json.dumps` rejects, and what it is.
NON_JSON_CALLS: dict[str, str] = {
    "datetime.datetime": _DATETIME,
    "datetime.datetime.now": _DATETIME,
    "datetime.datetime.utcnow": _DATETIME,
    "datetime.datetime.today": _DATETIME,
    "datetime.datetime.fromtimestamp": _DATETIME,
    "datetime.datetime.utcfromtimestamp": _DATETIME,
    "datetime.datetime.fromisoformat": _DATETIME,
    "datetime.datetime.strptime": _DATETIME,
    "datetime.datetime.combine": _DATETIME,
    "django.utils.timezone.now": _DATETIME,
    "datetime.date": "a date",
    "datetime.date.today": "a date",
    "datetime.date.fromisoformat": "a date",
    "datetime.date.fromtimestamp": "a date",
    "datetime.time": "a time",
    "datetime.timedelta": "a timedelta",
    "decimal.Decimal": "a Decimal",
    "uuid.UUID": "a UUID",
    "uuid.uuid1": "a UUID",
    "uuid.uuid3": "a UUID",
    "uuid.uuid4": "a UUID",
    "uuid.uuid5": "a UUID",
}
#: Of those, the ones that need no argument: passing them as the handler itself returns that value.
NO_ARGUMENT_CALLS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "django.utils.timezone.now",
        "uuid.uuid1",
        "uuid.uuid4",
    }
)
_TIME_VALUES = frozenset({_DATETIME, "a date", "a time", "a timedelta", "a datetime or timedelta"})
BUILTIN_NON_JSON: dict[str, str] = {"set": "a set", "frozenset": "a set", "bytes": "bytes", "bytearray": "bytes"}
DATACLASS_DECORATORS = frozenset(
    {
        "dataclasses.dataclass",
        "attr.s",
        "attr.attrs",
        "attr.define",
        "attr.frozen",
        "attr.mutable",
        "attrs.define",
        "attrs.frozen",
        "attrs.mutable",
    }
)
PYDANTIC_MODELS = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})
PLAIN_ENUM = "enum.Enum"
_MAX_DEPTH = 4

PLAIN_ADVICE = (
    "return JSON data instead (e.g. `.isoformat()`, `str(...)`, a list or dict), or pass `output_type=` "
    "with a client `serializer=`"
)
PYDANTIC_ADVICE = (
    'return `.model_dump(mode="json")`, or pass `output_type=` with the client\'s '
    "`serializer=inngest.PydanticSerializer()`"
)


@dataclass(frozen=True)
class _Problem:
    node: cst.CSTNode
    what: str
    pydantic: bool = False


class NonSerializableStepReturn(Rule):
    """A step handler that returns a value the SDK cannot JSON-serialize.

    ## What it does
    Flags a step handler (a lambda or def passed to `step.run` in the same file, directly or
    through `functools.partial`) that returns, directly or inside a returned list, tuple or dict
    literal, or through a local variable that always holds it:
    - a `datetime`, `date`, `time` or `timedelta` (`datetime.now()`, `date.today()`,
      `datetime(...)`), a `Decimal(...)` or a `UUID` (`uuid4()`);
    - a set (`{...}`, a set comprehension, `set(...)`), bytes (`b"..."`, `bytes(...)`), or the
      `.content` of an HTTP response whose origin is certain;
    - an instance of a class defined in the same file that `json.dumps` rejects: a plain class,
      a dataclass or attrs class, a pydantic model, a plain `Enum`. Classes with any other base
      (`dict`, `TypedDict`, `NamedTuple`, `str`, an imported class) are left alone.
    Also flags passing such a function itself as the handler (`step.run("now", datetime.now)`).
    Not flagged when every `step.run` using the handler passes `output_type=` (whether the
    client has a `serializer=` is not checked).

    Severity error: each recognised value certainly fails `json.dumps`, and the SDK does not
    retry that failure.

    ## Why is this bad?
    The SDK sends a step's return value to Inngest with `json.dumps`. A value it cannot encode
    fails the step with `OutputUnserializableError`, which is not retried: the work done in the
    step is lost and the run fails. The fix is a one-liner (`.isoformat()`, `str(...)`,
    `list(...)`), or `output_type=` with a client serializer (SDK 0.5+) for rich types.

    ## Use instead
    Return what JSON can hold (here an ISO string), and rebuild the value from the step's result.
    """

    code = "INN502"
    name = "non-serializable-step-return"

    VALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")


        def schedule() -> str:
            return (datetime.datetime.now() + datetime.timedelta(days=1)).isoformat()


        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/signup"))
        async def remind(ctx: inngest.Context) -> None:
            run_at = datetime.datetime.fromisoformat(await ctx.step.run("schedule", schedule))
            await ctx.step.sleep_until("wait", run_at)
        """,
        """
        import datetime
        import uuid

        import inngest

        client = inngest.Inngest(app_id="app", serializer=inngest.PydanticSerializer())


        def stamp() -> str:
            return datetime.datetime.now().isoformat()


        @client.create_function(fn_id="stamp", trigger=inngest.TriggerEvent(event="app/stamp"))
        async def stamp_fn(ctx: inngest.Context) -> None:
            await ctx.step.run("stamp", stamp)
            await ctx.step.run("new-id", lambda: str(uuid.uuid4()))
            await ctx.step.run("tags", lambda: sorted({"a", "b"}))
            await ctx.step.run("when", datetime.datetime.now, output_type=datetime.datetime)
        """,
    )
    INVALID = (
        """
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")


        def schedule() -> datetime.datetime:
            return datetime.datetime.now() + datetime.timedelta(days=1)  # error: INN502


        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/signup"))
        async def remind(ctx: inngest.Context) -> None:
            run_at = await ctx.step.run("schedule", schedule)
            await ctx.step.sleep_until("wait", run_at)
        """,
        """
        import dataclasses
        import datetime

        import inngest

        client = inngest.Inngest(app_id="app")


        @dataclasses.dataclass
        class Receipt:
            order_id: str
            total: int


        def charge(order_id: str) -> Receipt:
            return Receipt(order_id, 100)  # error: INN502


        @client.create_function(fn_id="pay", trigger=inngest.TriggerEvent(event="shop/pay"))
        async def pay(ctx: inngest.Context) -> None:
            await ctx.step.run("charge", charge, ctx.event.data["order_id"])
            await ctx.step.run("stamp", lambda: datetime.datetime.now())  # error: INN502
        """,
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.handlers = StepHandlers(context)
        self.origins = Origins(context)
        self._candidates: list[tuple[cst.CSTNode, list[_Problem]]] = []

    # ------------------------------------------------------------------ collecting
    def visit_Call(self, node: cst.Call) -> None:
        self.handlers.visit_Call(node)
        context = self.context
        if context.step_method(node) != sdk.STEP_RUN:
            return
        handler = argument(node, 1, "handler")
        if handler is None or _has_output_type(node):
            return
        if (
            isinstance(handler, cst.Call)
            and isinstance(handler.func, (cst.Name, cst.Attribute))
            and context.qualify(handler.func) == FUNCTOOLS_PARTIAL
            and handler.args
        ):
            target = handler.args[0].value
            qualified = context.qualify(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
            what = NON_JSON_CALLS.get(qualified or "")
        else:
            qualified = context.qualify(handler) if isinstance(handler, (cst.Name, cst.Attribute)) else None
            what = NON_JSON_CALLS.get(qualified or "") if qualified in NO_ARGUMENT_CALLS else None
        if what is None:
            return
        self.report(
            handler,
            f"the handler `{qualified}` of step {_step_name(node)} returns {what}, which the SDK cannot "
            f"JSON-serialize: the step fails without retry; {PLAIN_ADVICE}",
            context=qualified or "",
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self._is_handler_frame(node):
            return
        problems = [
            problem
            for statement in returned_values(node.body)
            if statement.value is not None
            for problem in [self._problem(statement.value)]
            if problem is not None
        ]
        if problems:
            self._candidates.append((node, problems))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        if not self._is_handler_frame(node):
            return
        problem = self._problem(node.body)
        if problem is not None:
            self._candidates.append((node, [problem]))

    def _is_handler_frame(self, node: cst.CSTNode) -> bool:
        scope = self.handlers.scope()
        return scope is not None and scope.node is node

    def finish(self) -> None:
        for handler, problems in self._candidates:
            uses = self.handlers.uses_of(handler)
            if not uses or all(use.has_output_type for use in uses):
                continue
            label = self.handlers.label(handler)
            for problem in problems:
                advice = PYDANTIC_ADVICE if problem.pydantic else PLAIN_ADVICE
                self.report(
                    problem.node,
                    f"{label} returns {problem.what}, which the SDK cannot JSON-serialize: the step fails "
                    f"without retry; {advice}",
                    context=problem.what,
                )

    # ------------------------------------------------------------------ what a value is
    def _problem(self, node: cst.BaseExpression, depth: int = 0) -> _Problem | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, (cst.Set, cst.SetComp)):
            return _Problem(node, "a set")
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            return _Problem(node, "bytes") if _is_bytes_literal(node) else None
        if isinstance(node, cst.Dict):
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    found = self._problem(element.value, depth + 1)
                    if found is not None:
                        return found
            return None
        if isinstance(node, (cst.List, cst.Tuple)):
            for item in node.elements:
                if isinstance(item, cst.Element):
                    found = self._problem(item.value, depth + 1)
                    if found is not None:
                        return found
            return None
        if isinstance(node, cst.IfExp):
            return self._problem(node.body, depth + 1) or self._problem(node.orelse, depth + 1)
        if isinstance(node, cst.BinaryOperation):
            return self._arithmetic_problem(node, depth)
        if isinstance(node, cst.Call):
            return self._call_problem(node, depth)
        if isinstance(node, cst.Attribute):
            if node.attr.value == "content" and self.origins.is_http_response(node.value) in ("requests", "httpx"):
                return _Problem(node, "bytes (an HTTP response's `.content`)")
            return None
        if isinstance(node, cst.Name):
            values = self.origins.values_of(node.value)
            if not values:
                return None
            problems = [self._problem(value, depth + 1) for value in values]
            if all(problem is not None for problem in problems):
                first = problems[0]
                assert first is not None
                return _Problem(node, first.what, first.pydantic)
        return None

    def _arithmetic_problem(self, node: cst.BinaryOperation, depth: int) -> _Problem | None:
        """`now() + delay`, `a_set | other`, `price * 2`: the result keeps the operand's type.

        Python's rules for these types leave no other outcome (or a TypeError): datetime +/-
        anything is a datetime or timedelta, a set operator gives a set, Decimal arithmetic a
        Decimal.
        """
        operands = [self._problem(node.left, depth + 1), self._problem(node.right, depth + 1)]
        kinds = {problem.what for problem in operands if problem is not None}
        operator = node.operator
        if kinds & _TIME_VALUES and isinstance(operator, (cst.Add, cst.Subtract)):
            return _Problem(node, "a datetime or timedelta")
        if "a set" in kinds and isinstance(operator, (cst.BitOr, cst.BitAnd, cst.BitXor, cst.Subtract)):
            return _Problem(node, "a set")
        if "a Decimal" in kinds and isinstance(operator, (cst.Add, cst.Subtract, cst.Multiply, cst.Divide)):
            return _Problem(node, "a Decimal")
        return None

    def _call_problem(self, node: cst.Call, depth: int) -> _Problem | None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "read" and not node.args:
            if self.origins.is_http_response(func.value) == "urllib":
                return _Problem(node, "bytes (an HTTP response's `.read()`)")
            return None
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return None
        if isinstance(func, cst.Name) and func.value in BUILTIN_NON_JSON:
            if binding_frame(self.context, func.value) is None:
                return _Problem(node, BUILTIN_NON_JSON[func.value])
            return self._class_problem(node, func.value)
        qualified = self.context.qualify(func)
        if qualified in NON_JSON_CALLS:
            return _Problem(node, NON_JSON_CALLS[qualified])
        if isinstance(func, cst.Name):
            return self._class_problem(node, func.value)
        return None

    def _class_problem(self, node: cst.Call, name: str) -> _Problem | None:
        class_def = self._class_named(name)
        if class_def is None:
            return None
        kind = self._class_kind(class_def, 0)
        if kind is None:
            return None
        return _Problem(node, f"{kind} `{name}`", pydantic=kind == "a pydantic model")

    def _class_named(self, name: str) -> cst.ClassDef | None:
        """The class a name refers to when it is bound only by a class statement in this file."""
        found = binding_frame(self.context, name)
        if found is None:
            return None
        _, frame = found
        scan = frame.scan
        if (
            name in scan.classes
            and name not in scan.assignments
            and name not in scan.other
            and name not in scan.imports
            and name not in scan.defs
            and name not in frame.params
        ):
            return scan.classes[name]
        return None

    def _class_kind(self, class_def: cst.ClassDef, depth: int) -> str | None:
        """What instances of a class of this file are, when `json.dumps` rejects them, else None."""
        if depth > _MAX_DEPTH:
            return None
        if class_def.keywords or any(arg.keyword is not None or arg.star for arg in class_def.bases):
            return None  # a metaclass or dynamic bases: anything may happen
        context = self.context
        decorated = False
        for decorator in class_def.decorators:
            expression = decorator.decorator
            if isinstance(expression, cst.Call):
                expression = expression.func
            if isinstance(expression, (cst.Name, cst.Attribute)):
                decorated = decorated or context.qualify(expression) in DATACLASS_DECORATORS
        kinds: list[str] = []
        for base in class_def.bases:
            value = base.value
            if isinstance(value, cst.Name) and value.value == "object" and binding_frame(context, "object") is None:
                continue
            qualified = context.qualify(value) if isinstance(value, (cst.Name, cst.Attribute)) else None
            if qualified in PYDANTIC_MODELS:
                kinds.append("a pydantic model")
                continue
            if qualified == PLAIN_ENUM:
                kinds.append("an Enum member")
                continue
            parent = self._class_named(value.value) if isinstance(value, cst.Name) else None
            inherited = self._class_kind(parent, depth + 1) if parent is not None else None
            if inherited is None:
                return None
            kinds.append(inherited)
        if "a pydantic model" in kinds:
            return "a pydantic model"
        if kinds:
            return kinds[0]
        return "a dataclass instance" if decorated else "an instance of the plain class"


def _has_output_type(call: cst.Call) -> bool:
    return any(arg.keyword is not None and arg.keyword.value == "output_type" for arg in call.args) or (
        has_keyword_splat(call)
    )


def _is_bytes_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        return "b" in node.prefix.lower()
    if isinstance(node, cst.ConcatenatedString):
        return _is_bytes_literal(node.left)
    return False


def _step_name(call: cst.Call) -> str:
    step_id = argument(call, 0, sdk.STEP_ID_KEYWORD)
    literal = literal_string(step_id) if step_id is not None else None
    return f"'{literal}'" if literal is not None else "here"
