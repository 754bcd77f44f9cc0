"""The results cache and the process pool: same findings as a cold serial run, always."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_project

from inngest_lint import api
from inngest_lint.api import RunOptions, lint_paths
from inngest_lint.cache import CACHE_DIR_NAME
from inngest_lint.config import load_settings
from inngest_lint.engine import runner

CLIENT = "import inngest\nclient = inngest.Inngest(app_id='app')\n"
JOBS = """
    import inngest
    from app.client import client

    @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
    def a(ctx):
        for item in ctx.event.data["items"]:
            ctx.step.run("same", lambda: None)

    @client.create_function(fn_id="b", trigger=inngest.TriggerEvent(event="app/b"))
    def b(ctx): ...
"""
MAIN = """
    import flask
    import inngest.flask
    from app.client import client
    from app.jobs import a

    inngest.flask.serve(flask.Flask(__name__), client, [a])
"""


def _run(root: Path, paths: tuple[str, ...] = (".",), **options: object) -> list[tuple[str, int, str]]:
    old = os.getcwd()
    os.chdir(root)
    try:
        result = lint_paths(list(paths), load_settings(root), RunOptions(**options))  # type: ignore[arg-type]
    finally:
        os.chdir(old)
    assert not result.errors
    return [(d.path, d.line, d.code) for d in result.diagnostics]


def _project(tmp_path: Path) -> Path:
    write_project(tmp_path, {"app/__init__.py": "", "app/client.py": CLIENT, "app/jobs.py": JOBS, "app/main.py": MAIN})
    return tmp_path


def test_warm_run_equals_cold_run_and_cache_ignores_itself(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cold = _run(root, use_cache=False)
    assert ("app/jobs.py", 7, "INN101") in cold and ("app/jobs.py", 10, "INN201") in cold
    assert not (root / CACHE_DIR_NAME).exists()
    first = _run(root)
    assert (root / CACHE_DIR_NAME / ".gitignore").read_text().strip().endswith("*")
    second = _run(root)
    assert cold == first == second


def test_a_change_in_another_file_updates_cross_file_findings(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _run(root)
    main = root / "app" / "main.py"
    main.write_text(main.read_text().replace("import a", "import a, b").replace("[a]", "[a, b]"))
    assert ("app/jobs.py", 10, "INN201") not in _run(root)


def test_corrupt_and_foreign_entries_are_ignored_and_rewritten(tmp_path: Path) -> None:
    import pickle

    root = _project(tmp_path)
    expected = _run(root)
    cache = root / CACHE_DIR_NAME
    entries = sorted(cache.rglob("*.pickle"))
    assert len(entries) >= 3
    entries[0].write_bytes(b"garbage")
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.system, (f"touch {marker}",))

    entries[1].write_bytes(pickle.dumps(Exploit()))
    entries[2].write_bytes(pickle.dumps((2, "/elsewhere.py", "0", True, [], None, None)))
    for index in cache.glob("index-*.json"):
        index.write_text(json.dumps({"format": 1, "files": {"x": "garbage"}}))
    assert _run(root) == expected
    assert not marker.exists(), "a cache entry ran code"
    assert _run(root) == expected


def test_cache_dir_option(tmp_path: Path) -> None:
    root = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    _run(root, cache_dir=elsewhere)
    assert any(elsewhere.glob("index-*.json"))
    assert not (root / CACHE_DIR_NAME).exists()


def test_concurrent_runs_leave_a_valid_cache(tmp_path: Path) -> None:
    root = _project(tmp_path)
    command = [sys.executable, "-m", "inngest_lint", "."]
    processes = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert len(set(outputs)) == 1
    for index in (root / CACHE_DIR_NAME).glob("index-*.json"):
        json.loads(index.read_text())
    again = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert again.stdout == outputs[0]


def test_process_pool_gives_the_serial_results(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/client.py": CLIENT, "app/main.py": MAIN, "app/jobs.py": JOBS}
    for number in range(30):
        files[f"app/extra_{number}.py"] = JOBS.replace('fn_id="a"', f'fn_id="a{number}"').replace(
            'fn_id="b"', f'fn_id="b{number}"'
        )
    write_project(tmp_path, files)
    assert _run(tmp_path, use_cache=False, jobs=1) == _run(tmp_path, use_cache=False, jobs=2)


_PROBE = """
import os, sys
from pathlib import Path
from inngest_lint.api import RunOptions, lint_paths
from inngest_lint.config import load_settings
root = Path(sys.argv[1]); os.chdir(root)
jobs = int(os.environ.get("PROBE_JOBS", "0")) or None  # 1: parse here, not in worker processes
result = lint_paths(sys.argv[2:], load_settings(root), RunOptions(jobs=jobs))
print(len(result.diagnostics), "libcst" in sys.modules)
"""


def test_warm_runs_and_non_inngest_files_never_import_libcst(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "app" / "plain.py").write_text("x = 1\n")
    probe = [sys.executable, "-c", _PROBE, str(root)]
    # In one process, so the probe is seen to notice libcst when it is imported.
    serial = {**os.environ, "PROBE_JOBS": "1"}
    cold = subprocess.run([*probe, "."], capture_output=True, text=True, check=True, env=serial).stdout.split()
    assert cold[1] == "True"
    warm = subprocess.run([*probe, "."], capture_output=True, text=True, check=True).stdout.split()
    assert warm == [cold[0], "False"]
    one = subprocess.run([*probe, "app/jobs.py"], capture_output=True, text=True, check=True).stdout.split()
    assert one[1] == "False" and int(one[0]) >= 1
    plain = subprocess.run([*probe, "app/plain.py"], capture_output=True, text=True, check=True).stdout.split()
    assert plain == ["0", "False"]


def test_a_named_changed_file_started_early_gives_the_serial_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pre-commit in a large project: the changed file is parsed in a worker while the rest of
    the project is read; cross-file findings and the file's own must not change."""
    root = _project(tmp_path)
    _run(root)  # warm
    jobs = root / "app" / "jobs.py"
    jobs.write_text(jobs.read_text() + "\n# changed\n")
    started: list[int] = []
    real_start = runner.Phase1.start_early

    def spy(self: runner.Phase1) -> None:
        started.append(len(self._queued))
        real_start(self)

    monkeypatch.setattr(runner.Phase1, "start_early", spy)
    monkeypatch.setattr(api, "EARLY_START_MIN_FILES", 0)
    early = _run(root, ("app/jobs.py",))
    assert started == [1]
    # The index was written while the worker parsed, and is whole: a run of the whole project
    # now reads every result from the cache.
    index = json.loads(next((root / CACHE_DIR_NAME).glob("index-*.json")).read_text())
    assert str(jobs) in index["files"]
    os.chdir(root)
    try:
        again = lint_paths(["."], load_settings(root), RunOptions())
    finally:
        os.chdir(tmp_path.parent)
    assert again.files_parsed == 0
    jobs.write_text(jobs.read_text() + "# changed again\n")
    assert early == _run(root, ("app/jobs.py",), jobs=1)
    assert ("app/jobs.py", 7, "INN101") in early and ("app/jobs.py", 10, "INN201") in early


def test_a_commit_without_inngest_code_never_opens_the_cache(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "app" / "plain.py").write_text("x = 1\n")
    assert _run(root, ("app/plain.py",)) == []
    assert not (root / CACHE_DIR_NAME).exists()
    _run(root, ("app/jobs.py",))
    assert (root / CACHE_DIR_NAME).is_dir()
