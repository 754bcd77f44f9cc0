"""Whatever a tree holds, a run ends, reads no more than it must, and keeps every other file's
findings: special files (FIFOs, devices), directory symlink loops, file names that are not
UTF-8, a hostile module in the working directory, a baseline write that fails half-way.

Anything that hung or ran out of memory before its fix runs the CLI in a subprocess with a
timeout (and a memory cap), so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import BAD

POSIX_ONLY = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symlinks (POSIX)")
TIMEOUT = 20.0
#: A run over these small trees needs well under this much address space; reading /dev/zero
#: would need all of it.
MEMORY_CAP = 4 * 1024**3


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "src" / "bad.py").write_text(BAD)
    return root


def _limits() -> None:  # pragma: no cover - runs in the child
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    except (ImportError, ValueError, OSError):
        pass  # no such limit here (macOS refuses RLIMIT_AS): the timeout still applies


def lint(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = TIMEOUT, preexec: object = _limits
) -> subprocess.CompletedProcess[str]:
    """`python -m inngest_lint ARGS` in `cwd`; a run that outlives `timeout` fails the test.

    The child gets its own process group, so a hung run and any workers it started are
    killed together.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "inngest_lint", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=preexec if os.name == "posix" else None,  # type: ignore[arg-type]
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.communicate()
        pytest.fail(f"inngest-lint {' '.join(args)} did not finish in {timeout:.0f} s")
    return subprocess.CompletedProcess(
        process.args,
        process.returncode,
        out.decode("utf-8", "backslashreplace"),
        err.decode("utf-8", "backslashreplace"),
    )


def findings(completed: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    """(path, code) of each finding in a json-lines report."""
    return [(record["path"], record["code"]) for record in map(json.loads, completed.stdout.splitlines())]


def assert_clean_run(completed: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in completed.stdout + completed.stderr, completed.stderr
    assert completed.returncode in (0, 1), completed.stderr


# ------------------------------------------------------------------------------- special files
@POSIX_ONLY
@pytest.mark.parametrize("output_format", ["text", "sarif"])  # sarif reads the flagged line too
def test_a_fifo_named_on_the_command_line_is_inn901_not_a_hang(repo: Path, output_format: str) -> None:
    os.mkfifo(repo / "src" / "x.py")
    done = lint(repo, "--output-format", output_format, "src/x.py", "src/bad.py")
    assert_clean_run(done)
    assert done.returncode == 1
    assert "not a regular file (a FIFO); not linted" in done.stdout
    assert "INN101" in done.stdout
    if output_format == "text":
        assert "src/x.py:1:1: INN901 [error] not a regular file (a FIFO); not linted" in done.stdout


@POSIX_ONLY
def test_a_fifo_found_by_the_walk_is_skipped_silently(repo: Path) -> None:
    os.mkfifo(repo / "src" / "x.py")
    os.mkfifo(repo / "x.py")  # in the project root too: walked for cross-file facts
    done = lint(repo, "--output-format", "json-lines", "src")
    assert_clean_run(done)
    assert findings(done) == [("src/bad.py", "INN101")]


@POSIX_ONLY
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_symlink_to_a_device_is_never_read(repo: Path, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    (repo / "src" / "z.py").symlink_to(device)
    walked = lint(repo, "--output-format", "json-lines", "src")
    assert_clean_run(walked)
    assert findings(walked) == [("src/bad.py", "INN101")]
    named = lint(repo, "--output-format", "sarif", "src/z.py", "src/bad.py")
    assert_clean_run(named)
    results = json.loads(named.stdout)["runs"][0]["results"]
    assert sorted(result["ruleId"] for result in results) == ["INN101", "INN901"]
    assert "not a regular file (a character device)" in named.stdout


@POSIX_ONLY
def test_a_file_that_says_it_is_empty_is_read_no_further_than_max_file_size(repo: Path) -> None:
    """/proc files report a size of 0 and then give more: the read itself must stop."""
    if not os.path.exists("/proc/self/maps"):
        pytest.skip("no /proc")
    (repo / "src" / "maps.py").symlink_to("/proc/self/maps")
    (repo / "pyproject.toml").write_text("[tool.inngest-lint]\nmax-file-size = 64\n")
    done = lint(repo, "src/maps.py")
    assert_clean_run(done)
    # (A named symlink is reported under the path it leads to.)
    assert "INN901 [error] file is more than 64 bytes, over max-file-size (64 bytes)" in done.stdout


def test_read_bytes_refuses_what_is_over_the_limit_or_not_regular(tmp_path: Path) -> None:
    from inngest_lint.engine.parse import read_bytes

    big = tmp_path / "big.py"
    big.write_bytes(b"x = 1\n" * 1000)
    data, problem = read_bytes(str(big), 100)
    assert data is None and problem is not None and "over max-file-size" in problem.message
    data, problem = read_bytes(str(big), 0)  # 0: no limit
    assert data == b"x = 1\n" * 1000 and problem is None
    data, problem = read_bytes(str(tmp_path), 100)
    assert data is None and problem is not None and "not a regular file (a directory)" in problem.message
    data, problem = read_bytes(str(tmp_path / "missing.py"), 100)
    assert data is None and problem is not None and "cannot read file" in problem.message


@POSIX_ONLY
@pytest.mark.parametrize(
    "links",
    [
        {"src/loop1": ".", "src/loop2": "."},  # two links to the directory they are in
        {"src/root": "/"},  # every ancestor, and the whole file system
        {"src/up": ".."},  # the project root, again
        {"src/a/b/up": "../..", "src/a/side": "b"},  # an ancestor, and a sibling seen twice
    ],
    ids=["two-links-to-dot", "link-to-root", "link-to-parent", "nested"],
)
@pytest.mark.parametrize("target", [".", "src"])
def test_directory_symlink_loops_walk_each_directory_once(repo: Path, links: dict[str, str], target: str) -> None:
    (repo / "src" / "a" / "b").mkdir(parents=True)
    for link, points_to in links.items():
        (repo / link).symlink_to(points_to, target_is_directory=True)
    done = lint(repo, "--no-cache", "--output-format", "json-lines", target)
    assert_clean_run(done)
    assert findings(done) == [("src/bad.py", "INN101")]


@POSIX_ONLY
def test_a_directory_reached_through_a_symlink_first_is_still_reported_under_its_real_path(repo: Path) -> None:
    """`src/a_link` sorts before the real `src/z`: the real path must win, and only once."""
    (repo / "src" / "z").mkdir()
    (repo / "src" / "bad.py").rename(repo / "src" / "z" / "bad.py")
    (repo / "src" / "a_link").symlink_to("z", target_is_directory=True)
    done = lint(repo, "--no-cache", "--output-format", "json-lines", ".")
    assert_clean_run(done)
    assert findings(done) == [("src/z/bad.py", "INN101")]


@POSIX_ONLY
def test_a_symlinked_directory_outside_the_tree_is_still_walked(repo: Path) -> None:
    shared = repo.parent / "shared"
    shared.mkdir()
    (shared / "jobs.py").write_text(BAD.replace('fn_id="f"', 'fn_id="g"'))
    (repo / "src" / "shared").symlink_to(shared, target_is_directory=True)
    done = lint(repo, "--no-cache", "--output-format", "json-lines", ".")
    assert_clean_run(done)
    assert findings(done) == [("src/bad.py", "INN101"), ("src/shared/jobs.py", "INN101")]


@POSIX_ONLY
def test_a_python_file_symlink_is_linted_once(repo: Path) -> None:
    """A `.py` link to a file of the tree (`a_alias.py` sorts first) is the same file: linting it
    twice would report its function as a duplicate of itself (INN203). A link to a file outside
    the tree is linted under the link's path."""
    (repo / "src" / "a_alias.py").symlink_to("bad.py")
    outside = repo.parent / "vendored.py"
    outside.write_text(BAD.replace('fn_id="f"', 'fn_id="v"'))
    (repo / "src" / "vendored.py").symlink_to(outside)
    done = lint(repo, "--no-cache", "--output-format", "json-lines", "--select", "ALL", ".")
    assert_clean_run(done)
    assert findings(done) == [("src/bad.py", "INN101"), ("src/vendored.py", "INN101")]


def test_a_deep_tree_is_walked_without_recursion() -> None:
    """A tree can be deeper than Python's recursion limit (paths allow about 2,000 levels).

    Measured against a lowered limit, so the tree need only be a few hundred levels deep. It
    lives outside pytest's tmp_path: pytest removes old temporary folders with a recursive
    shutil.rmtree, which a deep tree would break for every later session.
    """
    import tempfile

    from inngest_lint.discovery import Excluder, walk_python_texts

    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    top = Path(tempfile.mkdtemp(prefix="inngest-lint-deep-"))
    folders = [str(top.resolve())]
    limit = sys.getrecursionlimit()
    try:
        for _ in range(400):
            folders.append(os.path.join(folders[-1], "d"))
            os.mkdir(folders[-1])
        Path(folders[-1], "m.py").write_text("x = 1\n")
        sys.setrecursionlimit(depth + 150)
        found = list(walk_python_texts(top, Excluder(top, ())))
        sys.setrecursionlimit(limit)
        assert len(found) == 1 and found[0] == os.path.join(folders[-1], "m.py"), "the deep file was not found"
    finally:  # pytest's own clean-up (shutil.rmtree) recurses, and would fail here
        sys.setrecursionlimit(limit)
        Path(folders[-1], "m.py").unlink(missing_ok=True)
        for folder in reversed(folders):
            if os.path.isdir(folder):
                os.rmdir(folder)


SNAPSHOT = """
import sys
from pathlib import Path
from inngest_lint.config import load_settings
from inngest_lint.watch import snapshot
root = Path(sys.argv[1])
print(sorted(Path(p).relative_to(root).as_posix() for p in snapshot([root], load_settings(root))))
"""


@POSIX_ONLY
def test_watch_snapshots_skip_special_files_and_loops(repo: Path) -> None:
    os.mkfifo(repo / "src" / "x.py")
    (repo / "src" / "loop").symlink_to(".", target_is_directory=True)
    (repo / "src" / "up").symlink_to("..", target_is_directory=True)
    completed = subprocess.run(
        [sys.executable, "-c", SNAPSHOT, str(repo.resolve())], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "['src/bad.py']"


SERVER_JOB = """
import sys
from pathlib import Path
from inngest_lint import server
root = Path(sys.argv[1])
path = root / "src" / "bad.py"
job = server.LintJob(server.ProjectKey(root), (server.DocumentSnapshot(path.as_uri(), path, path.read_text(), 1),))
outcome = server.run_lint_job(job)
print(sorted(d.code for d in outcome.by_path[path]), outcome.problems)
"""


@POSIX_ONLY
def test_the_language_server_lints_a_project_holding_a_fifo(repo: Path) -> None:
    pytest.importorskip("pygls")
    os.mkfifo(repo / "src" / "x.py")
    (repo / "src" / "z.py").symlink_to("/dev/zero")
    completed = subprocess.run(
        [sys.executable, "-c", SERVER_JOB, str(repo.resolve())],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limits,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "['INN101'] []"


# ------------------------------------------------------------------ file names that are not UTF-8
UNDECODABLE = b"bad\xff.py"
#: How such a name is shown in every format: the byte as a Python escape, lossless and ASCII.
SHOWN = "bad\\xff.py"


@pytest.fixture
def undecodable_repo(repo: Path) -> Path:
    try:
        with open(os.fsencode(repo / "src") + b"/" + UNDECODABLE, "w") as handle:
            handle.write(BAD.replace('fn_id="f"', 'fn_id="g"'))
    except (OSError, ValueError):
        pytest.skip("the file system refuses file names that are not UTF-8")
    return repo


ALL_FORMATS = ["text", "concise", "full", "json", "json-lines", "sarif", "github", "gitlab", "junit"]


@POSIX_ONLY
@pytest.mark.parametrize("graph_format", ["mermaid", "dot", "json", "html"])
def test_the_graph_of_a_project_with_a_file_name_that_is_not_utf8(undecodable_repo: Path, graph_format: str) -> None:
    out = undecodable_repo / f"graph.{graph_format}"
    for target in (["-o", str(out)], []):
        done = lint(
            undecodable_repo, "graph", "--format", graph_format, *target, ".", env={"PYTHONIOENCODING": "utf-8:strict"}
        )
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, (done.returncode, done.stderr)
    text = out.read_text(encoding="utf-8")
    shown = str(json.loads(text)) if graph_format == "json" else text
    # The byte escaped as in every report (Mermaid writes the backslash as `#92;`).
    assert ("bad#92;xff" if graph_format == "mermaid" else "bad\\xff") in shown.replace("\\\\", "\\")


@POSIX_ONLY
@pytest.mark.parametrize("output_format", ALL_FORMATS)
def test_a_file_name_that_is_not_utf8_is_shown_escaped_in_every_format(
    undecodable_repo: Path, output_format: str
) -> None:
    # A UTF-8 locale writes stdout strictly (only the C locale escapes undecodable bytes).
    done = lint(undecodable_repo, "--output-format", output_format, ".", env={"PYTHONIOENCODING": "utf-8:strict"})
    assert_clean_run(done)
    assert done.returncode == 1
    assert "src/bad.py" in done.stdout  # the other file keeps its findings
    if output_format == "sarif":
        uris = {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for result in json.loads(done.stdout)["runs"][0]["results"]
        }
        assert uris == {"src/bad.py", "src/bad%FF.py"}  # a URI names the file's own bytes
    else:
        assert SHOWN in done.stdout.replace("\\\\", "\\")  # JSON escapes the backslash itself
    if output_format in ("json", "json-lines"):
        records = json.loads(done.stdout) if output_format == "json" else findings_records(done)
        assert {record["path"] for record in records} == {"src/bad.py", f"src/{SHOWN}"}


def findings_records(completed: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in completed.stdout.splitlines()]


@POSIX_ONLY
def test_a_baseline_records_and_matches_a_file_name_that_is_not_utf8(undecodable_repo: Path) -> None:
    strict = {"PYTHONIOENCODING": "utf-8:strict"}
    written = lint(undecodable_repo, "--write-baseline", "baseline.json", ".", env=strict)
    assert written.returncode == 0, written.stderr
    json.loads((undecodable_repo / "baseline.json").read_text(encoding="utf-8"))  # valid UTF-8 JSON
    again = lint(undecodable_repo, "--baseline", "baseline.json", ".", env=strict)
    assert again.returncode == 0, again.stdout + again.stderr


@POSIX_ONLY
def test_a_missing_path_that_is_not_utf8_is_one_escaped_line(repo: Path) -> None:
    done = lint(repo, os.fsdecode(b"nope\xff.py"), "src", env={"PYTHONIOENCODING": "utf-8:strict"})
    assert done.returncode == 2 and "INN101" in done.stdout
    assert done.stderr == "inngest-lint: error: nope\\xff.py: no such file or directory\n"


def test_every_reporter_renders_undecodable_text_safely(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process, every format over a finding whose path and message hold a lone surrogate
    (what Python makes of an undecodable byte in a file name) writes strict UTF-8."""
    import io

    from inngest_lint.diagnostics import Diagnostic, Location
    from inngest_lint.reporters import REPORTERS

    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(b"src/" + UNDECODABLE)
    diagnostics = [
        Diagnostic(
            name, 6, 11, "INN203", f"function ID 'g' is already used at {name}:6", related=(Location(name, 6, 11),)
        ),
        Diagnostic(name, 1, 1, "INN000", f"internal error in {name}", internal=True),
    ]
    assert sorted(REPORTERS) == sorted(ALL_FORMATS)
    for output_format, reporter in REPORTERS.items():
        stream = io.StringIO()
        reporter(stream).report(diagnostics, files_linted=1)
        rendered = stream.getvalue()
        rendered.encode("utf-8")  # raises on a lone surrogate
        assert SHOWN in rendered.replace("\\\\", "\\") or "bad%FF.py" in rendered, output_format


# ------------------------------------------------------- `python -m inngest_lint` in a hostile cwd
HOSTILE = 'import sys\nsys.stderr.write("HIJACKED by {name}\\n")\nraise SystemExit(97)\n'


@pytest.mark.parametrize("pythonpath_dot", [False, True], ids=["plain", "PYTHONPATH-has-dot"])
def test_python_dash_m_never_imports_the_working_directorys_modules(repo: Path, pythonpath_dot: bool) -> None:
    """`python -m` puts the working directory first on sys.path, and the README says to run it
    from a repository's root: that repository's click.py or libcst.py must not run."""
    for name in ("click", "libcst", "pathspec", "json"):
        (repo / f"{name}.py").write_text(HOSTILE.format(name=name))
    env = {}
    if pythonpath_dot:
        env["PYTHONPATH"] = os.pathsep.join([".", os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    for args in (["src"], ["--output-format", "json", "."], ["--version"]):
        done = lint(repo, *args, env=env)
        assert "HIJACKED" not in done.stderr, done.stderr
        assert_clean_run(done)
    assert "INN101" in lint(repo, "src", env=env).stdout


# ------------------------------------------------------------------------- baselines, atomically
OLD_BASELINE = (
    json.dumps(
        {
            "version": 1,
            "tool": "inngest-lint",
            "findings": [{"path": "src/old.py", "code": "INN101", "function": "f", "identity": "x", "count": 1}],
        },
        indent=2,
    )
    + "\n"
)


def _small_files() -> None:  # pragma: no cover - runs in the child
    """Writes past 64 bytes fail with EFBIG (as on a full disk) instead of killing the process."""
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE (POSIX)")
def test_a_baseline_write_that_fails_midway_keeps_the_old_baseline(repo: Path) -> None:
    baseline = repo / "baseline.json"
    baseline.write_text(OLD_BASELINE)
    done = lint(
        repo,
        "--no-cache",
        "--write-baseline",
        "baseline.json",
        ".",
        env={"PYTHONDONTWRITEBYTECODE": "1"},
        preexec=_small_files,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("inngest-lint: error: baseline.json: cannot write the baseline:")
    assert len(done.stderr.strip().splitlines()) == 1
    assert baseline.read_text() == OLD_BASELINE
    assert sorted(path.name for path in repo.iterdir()) == ["baseline.json", "pyproject.toml", "src"]


def _diagnostic() -> object:
    from inngest_lint.diagnostics import Diagnostic

    return Diagnostic("/nowhere/app.py", 3, 1, "INN101", "step ID 'a' is the same on every iteration", context="a")


def test_a_failure_while_serializing_keeps_the_old_baseline_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inngest_lint import baseline as module

    target = tmp_path / "baseline.json"
    target.write_text(OLD_BASELINE)

    def half_then_disk_full(document: object, handle: object, **options: object) -> None:
        handle.write('{"version": 1, "findi')  # type: ignore[attr-defined]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(module.json, "dump", half_then_disk_full)
    with pytest.raises(module.BaselineError, match="No space left on device"):
        module.write_baseline(target, [_diagnostic()], None, tmp_path)  # type: ignore[list-item]
    assert target.read_text() == OLD_BASELINE
    assert [path.name for path in tmp_path.iterdir()] == ["baseline.json"]

    def broken(document: object, handle: object, **options: object) -> None:
        handle.write("[")  # type: ignore[attr-defined]
        raise ValueError("Circular reference detected")

    monkeypatch.setattr(module.json, "dump", broken)
    with pytest.raises(module.BaselineError, match="Circular reference"):
        module.write_baseline(target, [_diagnostic()], None, tmp_path)  # type: ignore[list-item]
    assert target.read_text() == OLD_BASELINE
    assert [path.name for path in tmp_path.iterdir()] == ["baseline.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_rewriting_a_baseline_keeps_its_mode_and_its_symlink(tmp_path: Path) -> None:
    from inngest_lint.baseline import load_baseline, write_baseline

    target = tmp_path / "baseline.json"
    target.write_text(OLD_BASELINE)
    target.chmod(0o640)
    assert write_baseline(target, [_diagnostic()], None, tmp_path) == 1  # type: ignore[list-item]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sum(load_baseline(target).values()) == 1

    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "real.json").write_text(OLD_BASELINE)
    link = tmp_path / "linked.json"
    link.symlink_to(shared / "real.json")
    write_baseline(link, [_diagnostic()], None, tmp_path)  # type: ignore[list-item]
    assert link.is_symlink() and sum(load_baseline(shared / "real.json").values()) == 1

    fresh = tmp_path / "new" / "baseline.json"
    umask = os.umask(0o022)
    os.umask(umask)
    write_baseline(fresh, [_diagnostic()], None, tmp_path)  # type: ignore[list-item]
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
