"""The banded edit distance behind the near-miss rules (INN301/INN302), against the full table."""

from __future__ import annotations

import random
import time

import pytest

from inngest_lint.rules._events import NearNames
from inngest_lint.rules._project import is_near_miss, osa_within


def _full_osa(a: str, b: str) -> int:
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def _mutated(rng: random.Random, text: str) -> str:
    letters = list(text)
    for _ in range(rng.randint(0, 3)):
        operation = rng.randint(0, 3)
        if operation == 0 and letters:
            letters.pop(rng.randrange(len(letters)))
        elif operation == 1:
            letters.insert(rng.randint(0, len(letters)), rng.choice("ab.-"))
        elif operation == 2 and letters:
            letters[rng.randrange(len(letters))] = rng.choice("ab.-")
        elif operation == 3 and len(letters) > 1:
            at = rng.randrange(len(letters) - 1)
            letters[at], letters[at + 1] = letters[at + 1], letters[at]
    return "".join(letters)


def test_banded_distance_agrees_with_the_full_table() -> None:
    rng = random.Random(20261128)
    for _ in range(20000):
        a = "".join(rng.choice("ab.-") for _ in range(rng.randint(0, 10)))
        b = _mutated(rng, a) if rng.random() < 0.8 else "".join(rng.choice("ab.-") for _ in range(rng.randint(0, 10)))
        distance = _full_osa(a, b)
        for limit in (0, 1, 2, 3):
            assert osa_within(a, b, limit) == (distance <= limit), (a, b, limit, distance)


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("api/lead.follow-up", "api/lead.followup", True),  # a separator
        ("app/user.created", "App/User.Created", True),  # case
        ("app/order.paid", "app/order.piad", True),  # a transposition
        ("app/invoice.created", "app/invoice.craeted.x", False),  # 3 edits on a long name
        ("app/invoice.created", "app/invoice.creat", True),  # 2 edits on a long name
        ("user.created", "user.deleted", False),
        ("app/*", "app/x", False),  # wildcards are patterns, not names
    ],
)
def test_near_miss_examples(a: str, b: str, near: bool) -> None:
    assert is_near_miss(a, b) is near


def _brute_first(names: list[str], query: str) -> str | None:
    return next((name for name in sorted(names) if is_near_miss(query, name)), None)


def _variant(rng: random.Random, name: str) -> str:
    """`name` with up to two random edits (substitution, insertion, deletion, transposition,
    case or separator change)."""
    for _ in range(rng.randint(1, 2)):
        if len(name) < 2:
            break
        at = rng.randrange(len(name) - 1)
        kind = rng.choice(["sub", "ins", "del", "swap", "case", "sep"])
        if kind == "sub":
            name = name[:at] + rng.choice("abcdexyz.-_/0") + name[at + 1 :]
        elif kind == "ins":
            name = name[:at] + rng.choice("abcxyz.-_") + name[at:]
        elif kind == "del":
            name = name[:at] + name[at + 1 :]
        elif kind == "swap":
            name = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
        elif kind == "case":
            name = name[:at] + name[at].swapcase() + name[at + 1 :]
        else:
            name = name.replace(".", "_", 1)
    return name


def test_the_segment_index_finds_exactly_what_comparing_every_pair_finds() -> None:
    rng = random.Random(7)
    words = ["order", "user", "invoice", "created", "paid", "shipped", "app", "shop", "billing", "a", "x"]
    names = sorted(
        {
            f"{rng.choice(words)}/{rng.choice(words)}.{rng.choice(words)}{rng.choice(['', '-v2', '17'])}"
            for _ in range(300)
        }
        | {"a/b", "ab", "x"}
    )
    finder = NearNames(names)
    queries = [_variant(rng, rng.choice(names)) for _ in range(1500)] + names[:50] + ["", "a", "zz/zz"]
    for query in queries:
        assert finder.first(query) == _brute_first(names, query), query


def test_many_names_without_near_misses_are_searched_in_linear_time() -> None:
    """Each query compares only names that share a segment: 4x the names costs ~4x, not 16x."""

    def cost(count: int) -> float:
        rng = random.Random(count)
        names = [f"svc{rng.randrange(10**9)}/evt.{rng.randrange(10**9)}" for _ in range(count)]
        finder = NearNames(names)
        best = float("inf")
        for _ in range(2):
            started = time.process_time()
            for name in names:
                finder.first(name + "zzz-unrelated")
            best = min(best, time.process_time() - started)
        return max(best, 1e-4)

    small, large = cost(400), cost(1600)
    assert large / small < 8, (small, large)
