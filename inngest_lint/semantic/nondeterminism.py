"""Calls whose result changes on every execution: the clock, random numbers, fresh UUIDs.

Inngest re-runs a function's body from the top once per step and replays memoized step results,
so such a value is different on every re-entry. Several rules care: a step ID built from one
(INN116: each replay sees a new step) and one computed in the body outside a step (INN108: the
value changes between runs). They share this one list so that "is this call nondeterministic"
has one answer in the whole linter.

These are standard-library (and a few well-known third-party) names, not Inngest SDK names, so
they live here rather than in `inngest_lint/sdk.py`. Names are *qualified* names as
`FileContext.qualify` produces them through every import style: `from uuid import uuid4 as u`,
`import datetime as dt` and `from datetime import datetime` all resolve to the spellings below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext

#: Functions that return a new value on every call, whatever their arguments.
NONDETERMINISTIC_CALLS = frozenset(
    {
        # Fresh identifiers (uuid3/uuid5 hash their inputs and are stable, so they are not here).
        "uuid.uuid1",
        "uuid.uuid4",
        # The clock.
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
        "time.process_time",
        "time.process_time_ns",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        # Operating-system randomness.
        "os.urandom",
        "os.getrandom",
        # Well-known third-party clocks.
        "pendulum.now",
        "pendulum.today",
        "arrow.now",
        "arrow.utcnow",
        "django.utils.timezone.now",
    }
)

#: Modules whose every function is random: `random.*` and `secrets.*`.
NONDETERMINISTIC_MODULES = frozenset({"random", "secrets"})

#: Names inside those modules that are deterministic: seeding, state, constant-time comparison.
DETERMINISTIC_EXCEPTIONS = frozenset(
    {
        "random.seed",
        "random.getstate",
        "random.setstate",
        "secrets.compare_digest",
    }
)

#: Random functions that change their argument in place (their own result is None).
IN_PLACE_RANDOM = frozenset({"random.shuffle"})

#: Constructors that are deterministic when given a seed (`random.Random(42)`) and random without.
SEEDABLE_CONSTRUCTORS = frozenset({"random.Random"})

#: Functions that read the current time only when called without a time argument
#: (`time.localtime()` is now; `time.localtime(ts)` converts `ts`).
CURRENT_TIME_WITHOUT_ARGUMENT: dict[str, int] = {
    "time.localtime": 0,
    "time.gmtime": 0,
    "time.ctime": 0,
    "time.asctime": 0,
    "time.strftime": 1,  # the format is the first argument; the time tuple is the optional second
}


#: How many helpers deep a helper returning a nondeterministic value is followed (same file).
_HELPER_DEPTH = 3


def nondeterministic_call(context: FileContext, call: cst.Call, depth: int = 0) -> str | None:
    """The qualified name of `call` if its result changes on every execution, else None.

    Only calls whose target resolves by qualified name count: a local variable, a parameter or
    a method on an arbitrary object (`rng.random()`) is not matched, because its origin is not
    known for certain. A call of an undecorated def of this file whose every `return` returns
    such a call (`def now_iso(): return datetime.now().isoformat()` is not one: it returns a
    method's result; `def now(): return datetime.now()` is) counts too, by the helper's name,
    up to three helpers deep.
    """
    if not isinstance(call.func, (cst.Name, cst.Attribute)):
        return None
    if isinstance(call.func, cst.Name) and depth < _HELPER_DEPTH:
        helper = _nondeterministic_helper(context, call.func, depth)
        if helper is not None:
            return helper
    qualified = context.qualify(call.func)
    if qualified is None:
        return None
    if qualified in NONDETERMINISTIC_CALLS:
        return qualified
    if qualified in CURRENT_TIME_WITHOUT_ARGUMENT:
        if _positional_count(call) <= CURRENT_TIME_WITHOUT_ARGUMENT[qualified] and not _has_keywords(call):
            return qualified
        return None
    if qualified in SEEDABLE_CONSTRUCTORS:
        return qualified if not call.args else None
    module, _, member = qualified.rpartition(".")
    if module in NONDETERMINISTIC_MODULES and member and qualified not in DETERMINISTIC_EXCEPTIONS:
        return qualified
    return None


def _positional_count(call: cst.Call) -> int:
    """Positional arguments; a `*args` counts as many (its length is unknown)."""
    count = 0
    for arg in call.args:
        if arg.star == "*":
            return 1_000
        if arg.keyword is None and not arg.star:
            count += 1
    return count


def _has_keywords(call: cst.Call) -> bool:
    return any(arg.keyword is not None or arg.star == "**" for arg in call.args)


def _nondeterministic_helper(context: FileContext, name: cst.Name, depth: int) -> str | None:
    """`name` when it is a def of this file whose every return is a nondeterministic call."""
    from inngest_lint.semantic.steps import resolve_local_def
    from inngest_lint.semantic.values import returned_values

    definition = resolve_local_def(context, name)
    if definition is None or definition.decorators or definition.asynchronous is not None:
        return None
    returned = [statement.value for statement in returned_values(definition.body)]
    if not returned or any(value is None for value in returned):
        return None
    for value in returned:
        if not isinstance(value, cst.Call) or nondeterministic_call(context, value, depth + 1) is None:
            return None
    return name.value
