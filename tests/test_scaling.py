"""A file pass must take time linear (or n log n) in the file's size, whatever grows in it.

Each shape in tests/scaling_shapes.py is walked at size n and 4n, in this process, and the ratio
of the two times is checked, never an absolute time: linear work grows 4 times, n log n a little
more, quadratic work 16 times. Times are CPU time of this thread (other processes on a busy
machine do not count) and the best of a few runs; a ratio over the limit is measured again,
longer, before the test fails.

Sizes are chosen so that each shape takes tens of milliseconds at n: enough for the quadratic
passes this guards against (a module-level lookup that rebuilt a set per call, INN101's loop
check per step, the step-name sets rebuilt per call, INN102's pairwise path comparison, the
position search restarted per node, the module searched per client, INN106 following each
wait through the rest of its block, INN103 walking the function per unawaited call) to show
at 4n, and the whole file well under ten seconds.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import libcst as cst
import pytest
from scaling_shapes import SHAPES  # tests/ is on sys.path under pytest

from inngest_lint.engine import file_pass
from inngest_lint.engine import parse as parsing
from inngest_lint.engine.file_pass import FileInput, FileResult
from inngest_lint.registry import all_rules
from inngest_lint.semantic.positions import PositionResolver
from inngest_lint.settings import Settings

CODES = frozenset(rule.code for rule in all_rules())

#: Shape -> n, so that a shape's walk takes tens of milliseconds at n. 4n must stay within
#: what the parser accepts (the `elif` chain nests).
SIZES: dict[str, int] = {
    "module_assignments": 300,
    "steps_in_one_loop": 20,
    "steps_in_one_function": 60,
    "many_locals": 200,
    "unawaited_steps": 40,
    "many_functions": 4,
    "many_helpers": 20,
    "many_classes": 20,
    "nested_blocks": 3,
    "elif_chain": 25,
    "wide_statement": 20,
    "many_lambdas_and_comprehensions": 15,
    "guard_clauses": 60,
    "exclusive_branches": 40,
    "many_waits": 25,
    "noqa_comments": 50,
    "fixtures_repeated": 1,
}

#: The larger input is this many times the smaller.
GROWTH = 4
#: t(4n) / t(n) above this is super-linear: linear gives 4, n log n about 4.5, quadratic 16.
#: Comparing n with 4n rather than 2n shows a quadratic term five times smaller against the
#: linear work (the ratio passes 6 once it is a fifth of it), so the inputs can stay small.
LIMIT = 6.0


def _best_time(source: str, repeats: int) -> float:
    """The best time of the rules' and the collector's walk over `source`, parsed beforehand.

    The parse is left out: it is libcst's (linear here) and would only dilute the walk's curve.
    """
    module, problem = parsing.parse("/project/big.py", source)
    assert problem is None, problem
    item = FileInput("/project/big.py", "big", False, False, text=source)
    best = float("inf")
    collecting = gc.isenabled()
    gc.disable()  # as lint_file does: the collector's pauses are not the walk's cost
    try:
        for _ in range(repeats):
            result = FileResult(item.path)
            start = time.thread_time()
            file_pass._walk(item, source, module, Settings(), CODES, result, False)
            best = min(best, time.thread_time() - start)
            assert not [d for d in result.diagnostics if d.internal], result.diagnostics
    finally:
        if collecting:
            gc.enable()
    return best


def _check(label: str, measure: Callable[[int, int], float], n: int) -> None:
    """Fail when `measure(4n)` / `measure(n)` passes LIMIT (measured again, longer, first)."""
    measure(2, 1)  # warm up: imports and per-class caches
    ratio = 0.0
    for repeats in (2, 4):  # a noisy neighbour or a cold cache can slow one measurement
        t_small = measure(n, repeats)
        t_large = measure(GROWTH * n, repeats)
        ratio = t_large / t_small
        if ratio <= LIMIT:
            return
    raise AssertionError(
        f"{label}: t({GROWTH * n}) / t({n}) = {t_large:.3f}s / {t_small:.3f}s = {ratio:.2f} > {LIMIT}: "
        f"the work grows faster than the input"
    )


def test_every_shape_is_sized() -> None:
    assert set(SIZES) == set(SHAPES)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_file_pass_time_grows_linearly(shape: str) -> None:
    _check(shape, lambda n, repeats: _best_time(SHAPES[shape](n), repeats), SIZES[shape])


def _position_lookups(n: int, repeats: int) -> float:
    """Ranges of the calls of a function's n statements, asked for while the walk is at its
    `def` (as INN102 and the collector ask about nodes they have not been walked to yet)."""
    source = "def handler(ctx):\n" + "".join(f"    value_{i} = work({i})\n" for i in range(n))
    module = cst.parse_module(source)
    function = module.body[0]
    assert isinstance(function, cst.FunctionDef) and isinstance(function.body, cst.IndentedBlock)
    calls = [statement.body[0].value for statement in function.body.body]  # type: ignore[attr-defined]
    best = float("inf")
    for _ in range(repeats):
        resolver = PositionResolver(module, source)
        resolver.owners[id(function)] = module
        resolver.pieces.append(function)
        start = time.thread_time()
        for call in calls:
            resolver.range(call)
        best = min(best, time.thread_time() - start)
    return best


def test_position_lookups_ahead_of_the_walk_grow_linearly() -> None:
    """Each lookup used to search the function's pieces again from the top: n^2 in all, too
    small a term to show in a whole file pass of quick size, so it is timed on its own."""
    _check("positions", _position_lookups, 500)
