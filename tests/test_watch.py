"""Watch mode: lint, wait for a change, lint again; Ctrl-C exits 0."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from inngest_lint.settings import Settings
from inngest_lint.watch import WATCHING, snapshot, watch_loop, watched_paths

BAD = textwrap.dedent(
    """
    import inngest

    client = inngest.Inngest(app_id="shop")


    @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"))
    async def ship(ctx: inngest.Context) -> None:
        for item in ctx.event.data["items"]:
            await ctx.step.run("pack", pack, item)


    async def pack(item: object) -> None:
        return None
    """
).lstrip()
FIXED = BAD.replace('"pack", pack', 'f"pack-{item}", pack')

# A guard against a hung child, not a measurement: each report normally arrives within a second.
HANG_GUARD_SECONDS = 120


class _Lines:
    """Lines of a child's stdout, read on a thread so the test can give up on a hung child."""

    def __init__(self, stream: object) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        thread.start()

    def _pump(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def report(self) -> list[str]:
        """The lines of one watch-mode run, up to its "Watching for file changes" line."""
        collected: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=HANG_GUARD_SECONDS)
            except queue.Empty:
                pytest.fail(f"watch mode printed no complete report; got so far: {collected}")
            if line is None:
                pytest.fail(f"watch mode exited early; output: {collected}")
            if line.endswith(WATCHING):
                return collected
            collected.append(line)


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT, as Ctrl-C does on POSIX")
def test_watch_relints_after_a_save_and_exits_0_on_ctrl_c(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n", encoding="utf-8")
    (tmp_path / "src").mkdir()
    jobs = tmp_path / "src" / "jobs.py"
    jobs.write_text(BAD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-m", "inngest_lint", "--watch", "--watch-interval", "0.05", "src"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        output = _Lines(child.stdout)
        first = output.report()
        assert any(line.startswith("src/jobs.py:9:") and " INN101 " in line for line in first), first

        jobs.write_text(FIXED, encoding="utf-8")
        second = output.report()
        assert not any("INN101" in line for line in second), second
        assert any("All checks passed" in line for line in second), second

        jobs.write_text(BAD, encoding="utf-8")
        third = output.report()
        assert any(" INN101 " in line for line in third), third
    finally:
        child.send_signal(signal.SIGINT)
        try:
            code = child.wait(timeout=HANG_GUARD_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            raise
    assert code == 0, child.stderr.read() if child.stderr else ""
    assert "Traceback" not in (child.stderr.read() if child.stderr else "")


def test_watch_loop_runs_again_only_after_a_change() -> None:
    states = iter([{"a": (1, 1, 1)}, {"a": (1, 1, 1)}, {"a": (2, 1, 1)}, {"a": (2, 1, 1)}, {}])
    runs: list[int] = []
    polls: list[float] = []

    def sleep(interval: float) -> None:
        polls.append(interval)
        if len(polls) == 5:
            raise KeyboardInterrupt

    code = watch_loop(lambda: runs.append(len(polls)), lambda: next(states), 0.5, sleep)
    assert code == 0
    # Ran at start, after the poll that saw the edit, and after the one that saw the deletion.
    assert runs == [0, 2, 4]


def test_ctrl_c_during_a_run_exits_0() -> None:
    def run_once() -> None:
        raise KeyboardInterrupt

    assert watch_loop(run_once, dict, 0.5, lambda _: None) == 0


def test_snapshot_sees_edits_new_and_deleted_files_and_honours_excludes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / "app.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not python\n", encoding="utf-8")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "lib.py").write_text("x = 1\n", encoding="utf-8")
    settings = Settings(root=str(tmp_path))
    paths = watched_paths([str(tmp_path)])
    before = snapshot(paths, settings)
    assert sorted(Path(path).name for path in before) == ["app.py"]

    (tmp_path / ".venv" / "lib.py").write_text("x = 2\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("still not python\n", encoding="utf-8")
    assert snapshot(paths, settings) == before

    (tmp_path / "app.py").write_text("x = 10\n", encoding="utf-8")
    edited = snapshot(paths, settings)
    assert edited != before

    (tmp_path / "new.py").write_text("", encoding="utf-8")
    added = snapshot(paths, settings)
    assert set(added) - set(edited) == {str(tmp_path / "new.py")}

    (tmp_path / "new.py").unlink()
    assert snapshot(paths, settings) == edited


def test_watched_paths_cover_the_project_root_for_cross_file_facts(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / "src").mkdir()
    assert watched_paths([str(tmp_path / "src")]) == [tmp_path.resolve()]
