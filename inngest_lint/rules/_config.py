"""Shared predicates for the SDK-misuse, configuration and security rules (INN110, INN601-INN610).

These rules read argument values that are written in the source: literals, arithmetic on
literals, `datetime.timedelta(...)` of literals, and names bound once in the same file to such a
value. Anything else (a parameter, a call result, a value imported from another module) is
"unknown", and an unknown value is never reported: the configuration rules only speak when the
source itself proves the mistake.
"""

from __future__ import annotations

import datetime
import difflib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import shortened
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.traverse import children

_MAX_DEPTH = 8
#: Arithmetic on literals is folded only while it stays this small (no `10 ** 10 ** 10`).
_MAX_MAGNITUDE = 10**15

TIMEDELTA = "datetime.timedelta"
#: `datetime.timedelta` positional parameters, in order.
_TIMEDELTA_PARAMETERS = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
#: Calls that return "now" (for `now() + timedelta(...)` in `sleep_until`).
NOW_CALLS = frozenset({"datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today"})


# ---------------------------------------------------------------------------- values
def resolve(context: FileContext, node: cst.BaseExpression) -> cst.BaseExpression:
    """Follow a name to the one value it is bound to in this file (function scope, then module).

    A parameter, a name assigned twice, an import or a loop variable stays as it is.
    """
    for _ in range(_MAX_DEPTH):
        if not isinstance(node, cst.Name):
            return node
        value = context.local_value(node.value)
        if value is None:
            return node
        node = value
    return node


def string_value(context: FileContext, node: cst.BaseExpression | None) -> str | None:
    """The value of a string literal, directly or through a name bound once in this file."""
    if node is None:
        return None
    return literal_string(resolve(context, node))


def is_string_expression(context: FileContext, node: cst.BaseExpression) -> bool:
    """A literal string, an f-string, or `str(...)`: an expression that is certainly a `str`."""
    node = resolve(context, node)
    if literal_string(node) is not None or isinstance(node, cst.FormattedString):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return not _has_bytes(node)
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "str"
        and (context.qualify(node.func) is None)
    )


def _has_bytes(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.SimpleString):
        return "b" in node.prefix.lower()
    return any(_has_bytes(child) for child in children(node))


def number(context: FileContext, node: cst.BaseExpression | None, depth: int = 0) -> int | float | None:
    """An int or float written with literals (`60 * 1000`, `-5`, `1_000`), else None.

    Values beyond 10**15 in size (no duration or limit is that large) count as unknown, so no
    later float conversion can overflow.
    """
    if node is None or depth > _MAX_DEPTH:
        return None
    value = _number(context, resolve(context, node), depth)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if abs(value) <= _MAX_MAGNITUDE else None


def _number(context: FileContext, node: cst.BaseExpression, depth: int) -> int | float | None:
    try:
        if isinstance(node, cst.Integer):
            return int(node.evaluated_value)
        if isinstance(node, cst.Float):
            return float(node.evaluated_value)
    except (TypeError, ValueError, OverflowError):
        return None
    if isinstance(node, cst.UnaryOperation):
        inner = number(context, node.expression, depth + 1)
        if inner is None:
            return None
        if isinstance(node.operator, cst.Minus):
            return -inner
        if isinstance(node.operator, cst.Plus):
            return inner
        return None
    if isinstance(node, cst.BinaryOperation):
        left = number(context, node.left, depth + 1)
        right = number(context, node.right, depth + 1)
        if left is None or right is None:
            return None
        try:
            return _fold(node.operator, left, right)
        except (OverflowError, ZeroDivisionError, ValueError):
            return None
    return None


def _fold(operator: cst.BaseBinaryOp, left: int | float, right: int | float) -> int | float | None:
    if isinstance(operator, cst.Add):
        return left + right
    if isinstance(operator, cst.Subtract):
        return left - right
    if isinstance(operator, cst.Multiply):
        return left * right
    if isinstance(operator, (cst.FloorDivide, cst.Divide, cst.Modulo)) and right == 0:
        return None
    if isinstance(operator, cst.FloorDivide):
        return left // right
    if isinstance(operator, cst.Divide):
        return left / right
    if isinstance(operator, cst.Modulo):
        return left % right
    if isinstance(operator, cst.Power) and isinstance(right, int) and 0 <= right <= 64 and abs(left) <= 10**6:
        return left**right
    return None


@dataclass(frozen=True)
class Duration:
    """A duration written in the source: `milliseconds` as the SDK would compute it.

    `kind` is "int" (an int of milliseconds) or "timedelta" (`datetime.timedelta(...)`).
    """

    milliseconds: float
    kind: Literal["int", "timedelta"]

    @property
    def seconds(self) -> float:
        return self.milliseconds / 1000


def timedelta_of(context: FileContext, node: cst.BaseExpression) -> datetime.timedelta | None:
    """`datetime.timedelta(...)` whose arguments are all numbers written in the source."""
    node = resolve(context, node)
    if not isinstance(node, cst.Call) or not isinstance(node.func, (cst.Name, cst.Attribute)):
        return None
    if context.qualify(node.func) != TIMEDELTA:
        return None
    arguments: dict[str, float] = {}
    position = 0
    for arg in node.args:
        if arg.star:
            return None
        value = number(context, arg.value)
        if value is None or isinstance(value, bool):
            return None
        if arg.keyword is None:
            if position >= len(_TIMEDELTA_PARAMETERS):
                return None
            name = _TIMEDELTA_PARAMETERS[position]
            position += 1
        else:
            name = arg.keyword.value
            if name not in _TIMEDELTA_PARAMETERS:
                return None
        arguments[name] = value
    try:
        return datetime.timedelta(**arguments)
    except (OverflowError, TypeError, ValueError):
        return None


def duration(context: FileContext, node: cst.BaseExpression | None) -> Duration | None:
    """An int of milliseconds or a `timedelta(...)` written with literals, else None.

    Milliseconds follow the SDK: a timedelta becomes `int(total_seconds() * 1000)`.
    """
    if node is None:
        return None
    delta = timedelta_of(context, node)
    if delta is not None:
        return Duration(float(int(delta.total_seconds() * 1000)), "timedelta")
    value = number(context, node)
    if isinstance(value, int) and not isinstance(value, bool):
        return Duration(float(value), "int")
    return None


def describe_duration(milliseconds: float) -> str:
    """`400 days`, `1.5 seconds`, `500 ms`: how a duration reads in a message."""
    units = (("week", 604_800_000), ("day", 86_400_000), ("hour", 3_600_000), ("minute", 60_000), ("second", 1000))
    if milliseconds == 0:
        return "0 ms"
    for name, size in units:
        if milliseconds % size == 0:
            count = int(milliseconds // size)
            return f"{count} {name}{'s' if abs(count) != 1 else ''}"
    if abs(milliseconds) >= 1000:
        return f"{milliseconds / 1000:g} seconds"
    return f"{milliseconds:g} ms"


def timedelta_hint(milliseconds: float) -> str:
    """A `datetime.timedelta(...)` spelling of a whole duration, for a message."""
    for name, size in (("days", 86_400_000), ("hours", 3_600_000), ("minutes", 60_000), ("seconds", 1000)):
        if milliseconds >= size and milliseconds % size == 0:
            return f"datetime.timedelta({name}={int(milliseconds // size)})"
    return f"datetime.timedelta(milliseconds={milliseconds:g})"


# ---------------------------------------------------------------------------- calls
def qualified_call(context: FileContext, call: cst.Call) -> str | None:
    if isinstance(call.func, (cst.Name, cst.Attribute)):
        return context.qualify(call.func)
    return None


def has_spread(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


def keyword_arg(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional_args(call: cst.Call) -> list[cst.Arg]:
    return [arg for arg in call.args if arg.keyword is None and not arg.star]


def is_create_function(call: cst.Call) -> bool:
    """`<client>.create_function(fn_id=..., trigger=...)`, told apart from look-alikes.

    Inngest's `create_function` takes keywords only and requires `fn_id` and `trigger`; other
    libraries' `create_function` (sqlite3's `conn.create_function(name, narg, func)`) take
    positional arguments. A call with a positional argument, or with neither required keyword
    (and no `**` spread that could hold them), is not an Inngest function.
    """
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value != sdk.CREATE_FUNCTION_METHOD:
        return False
    keywords: set[str] = set()
    for arg in call.args:
        if arg.keyword is not None:
            keywords.add(arg.keyword.value)
        elif arg.star != "**":
            return False
    return bool(keywords & {sdk.CREATE_FUNCTION_ID_KEYWORD, sdk.CREATE_FUNCTION_TRIGGER_KEYWORD})


def sdk_config_call(context: FileContext, node: cst.BaseExpression | None, qualified: str) -> cst.Call | None:
    """`node` (or the value a name is bound to) when it is a call to the SDK class `qualified`."""
    if node is None:
        return None
    node = resolve(context, node)
    if isinstance(node, cst.Call) and qualified_call(context, node) == qualified:
        return node
    return None


def list_elements(
    context: FileContext, node: cst.BaseExpression | None
) -> tuple[list[cst.BaseExpression], bool] | None:
    """(elements, complete) of a list literal (directly or through a name), else None.

    `complete` is False when a `*spread` adds elements the source does not show.
    """
    if node is None:
        return None
    node = resolve(context, node)
    if not isinstance(node, cst.List):
        return None
    elements: list[cst.BaseExpression] = []
    complete = True
    for element in node.elements:
        if isinstance(element, cst.StarredElement):
            complete = False
        else:
            elements.append(element.value)
    return elements, complete


def closest(word: str, candidates: Iterable[str], corrections: dict[str, str] | None = None) -> str | None:
    """The known spelling for `word`: a listed correction first, else the closest candidate."""
    if corrections and word in corrections:
        return corrections[word]
    options = sorted(candidates)
    lowered = {option.lower().replace("_", ""): option for option in options}
    folded = word.lower().replace("_", "")
    if folded in lowered:
        return lowered[folded]
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return matches[0] if matches else None


def only_close_match(word: str, candidates: Iterable[str], corrections: dict[str, str] | None = None) -> str | None:
    """`closest(word, ...)` when nothing else is as plausible: a listed correction, a spelling
    that differs only in case or underscores, or the one candidate difflib finds close; None
    when two candidates are close (a fix must not guess between them)."""
    if corrections and word in corrections:
        return corrections[word]
    options = sorted(candidates)
    folded = word.lower().replace("_", "")
    same = [option for option in options if option.lower().replace("_", "") == folded]
    if same:
        return same[0] if len(same) == 1 else None
    matches = difflib.get_close_matches(word, options, n=2, cutoff=0.6)
    return matches[0] if len(matches) == 1 else None


def shown_string(value: str, limit: int = 40) -> str:
    """A user string quoted for a message, shortened."""
    return repr(shortened(value, limit))
