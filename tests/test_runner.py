"""Phase 1 scheduling: serial or pooled, waves submitted while results come back, a broken pool."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from inngest_lint.engine import runner
from inngest_lint.engine.file_pass import FileInput
from inngest_lint.engine.runner import POOL_THRESHOLD, Phase1
from inngest_lint.registry import all_rules
from inngest_lint.settings import Settings

CODES = frozenset(rule.code for rule in all_rules())

SOURCE = """\
import inngest

client = inngest.Inngest(app_id="app")


@client.create_function(fn_id="f{index}", trigger=inngest.TriggerEvent(event="app/e{index}"))
async def f{index}(ctx: inngest.Context) -> None:
    for item in ctx.event.data["items"]:
        await ctx.step.run("same", lambda: item)
"""


def _item(index: int) -> FileInput:
    return FileInput(f"/project/m{index}.py", f"m{index}", False, False, text=SOURCE.format(index=index))


def _run(
    items: list[FileInput], jobs: int | None, more: dict[str, list[FileInput]] | None = None
) -> dict[str, list[str]]:
    """Lint `items`; when the file named in `more` comes back, submit its follow-ups."""
    phase = Phase1(Settings(), CODES, False, jobs)
    for item in items:
        phase.submit(item)
    found: dict[str, list[str]] = {}
    for item, result in phase.completed():
        assert item.path not in found, "a file came back twice"
        found[item.path] = sorted(f"{d.line}:{d.column} {d.code}" for d in result.diagnostics)
        for follow_up in (more or {}).get(item.path, []):
            phase.submit(follow_up)
    return found


def test_pool_and_serial_agree_and_waves_are_followed() -> None:
    first = [_item(index) for index in range(POOL_THRESHOLD)]
    later = [_item(index) for index in range(POOL_THRESHOLD, POOL_THRESHOLD + 5)]
    more = {first[3].path: later[:2], later[0].path: later[2:]}
    pooled = _run(first, None, more)
    serial = _run(first, 1, more)
    assert pooled == serial
    assert len(pooled) == POOL_THRESHOLD + 5
    assert all(codes == ["9:28 INN101"] for codes in pooled.values()), pooled


def test_few_files_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool for a handful of files")

    monkeypatch.setattr(runner, "_new_pool", no_pool)
    assert len(_run([_item(index) for index in range(3)], None)) == 3


def test_the_queue_growing_past_the_threshold_starts_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []
    real_pool = runner._new_pool

    def counting_pool(*args: object, **kwargs: object) -> object:
        started.append(1)
        return real_pool(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_new_pool", counting_pool)
    seed = _item(0)
    wave = [_item(index) for index in range(1, POOL_THRESHOLD + 2)]
    found = _run([seed], None, {seed.path: wave})
    assert len(found) == POOL_THRESHOLD + 2
    assert started == [1]


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="needs workers forked from the test")
def test_a_worker_that_dies_costs_one_pool_and_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files in flight are linted again alone, the rest by a new pool (see also
    tests/test_parser_safety.py, where the main process is checked to lint none of them)."""
    parent = os.getpid()
    real = runner.lint_file

    def dying(item: FileInput, *args: object):  # type: ignore[no-untyped-def]
        if os.getpid() != parent and item.path.endswith("m5.py"):
            os._exit(3)  # what a segfault in the parser looks like from outside
        return real(item, *args)

    # Forked workers inherit the patch; the submitted task itself must stay importable.
    monkeypatch.setattr(runner, "lint_file", dying)
    fallbacks: list[int] = []
    real_recover = Phase1._recover_from_broken_pool

    def spy(self: Phase1, *args: object) -> None:
        fallbacks.append(1)
        real_recover(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Phase1, "_recover_from_broken_pool", spy)
    items = [_item(index) for index in range(POOL_THRESHOLD + 6)]
    found = _run(items, 2)
    assert fallbacks == [1], "the pool should have broken once"
    assert sorted(found) == sorted(item.path for item in items)
    assert all(codes == ["9:28 INN101"] for codes in found.values())
