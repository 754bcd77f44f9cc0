"""Whatever a file holds, parsing it costs at most that file, and CPython decides INN900.

- libcst's native parser overflows its stack (SIGSEGV) on deep trees that CPython compiles: an
  8,000-term `and` chain inside one pair of brackets, say. Such a file is parsed in a child
  process; a worker that dies anyway costs only the files it was on, each re-linted alone.
- A syntax error is CPython's (`compile()`): its message and position, never suppressed by a
  `# noqa`, and never reported for a file CPython compiles.
- A file's bytes are decoded by its `coding:` cookie, on stdin too; a cookie naming a codec that
  fails is that file's INN901, not an error for the run.

The runs at crash sizes go through the command line in a child process with a timeout, so a
regression fails here instead of killing or hanging the test run.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import compiling_fixtures

from inngest_lint.engine import parse, runner
from inngest_lint.engine.file_pass import FileInput
from inngest_lint.engine.runner import Phase1
from inngest_lint.registry import all_rules
from inngest_lint.settings import Settings

CODES = frozenset(rule.code for rule in all_rules())

BAD = textwrap.dedent(
    """
    import inngest

    client = inngest.Inngest(app_id="app")

    @client.create_function(fn_id="f{index}", trigger=inngest.TriggerEvent(event="app/items{index}"))
    async def handler(ctx: inngest.Context) -> None:
        for item in ctx.event.data["items"]:
            await ctx.step.run("process", work, item)
    """
).lstrip()
BAD_FINDING = ":8:28: INN101"

#: The shapes that crashed libcst 1.9.0's parser (8 MB stack) or took it minutes, at sizes
#: that do: a chain split over short lines inside one pair of brackets, and an `elif` chain.
CRASHING = {
    "and": lambda n: "x = (a\n" + " and a\n" * n + ")\n",
    "plus": lambda n: "x = (a\n" + " + a\n" * n + ")\n",
    "attr": lambda n: "x = (a\n" + " .b\n" * n + ")\n",
    "elif": lambda n: "if a:\n    pass\n" + "elif a:\n    pass\n" * n,
}
CRASH_SIZES = {"and": 8000, "plus": 8000, "attr": 8000, "elif": 16000}


def _compiles(source: str) -> bool:
    try:
        compile(source, "x.py", "exec", dont_inherit=True)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return False
    return True


def _cli(root: Path, *args: str, timeout: float = 120, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """The command line in a child process: a crash or a hang fails the test, not the run."""
    raw = subprocess.run(
        [sys.executable, "-m", "inngest_lint", "--no-cache", *args],
        cwd=root,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
    )
    completed = subprocess.CompletedProcess(
        raw.args, raw.returncode, raw.stdout.decode("utf-8", "replace"), raw.stderr.decode("utf-8", "replace")
    )
    assert "Traceback" not in completed.stdout + completed.stderr, completed.stderr
    return completed


def _project(root: Path, files: dict[str, str | bytes]) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)


def _lines_for(output: str, name: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(name + ":")]


# --------------------------------------------------------------------------------------------
# 1. Native parser crashes cost one file.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pooled", [False, True], ids=["in-process", "pool"])
def test_crash_sized_chains_cost_nothing_but_their_own_file(tmp_path: Path, pooled: bool) -> None:
    """Four crash-sized files among files with findings: every finding survives, and each big
    file is INN900 exactly when CPython cannot compile it (3.11 refuses deep `+`/`.attr`/`elif`
    chains, but compiles a flat 8,000-term `and`)."""
    files: dict[str, str | bytes] = {}
    for kind, size in CRASH_SIZES.items():
        files[f"big_{kind}.py"] = "import inngest\n" + CRASHING[kind](size)
    normal = 6 if pooled else 1  # 6+ files to lint start the process pool
    for index in range(normal):
        files[f"ok{index}.py"] = BAD.format(index=index)
    _project(tmp_path, files)
    completed = _cli(tmp_path, ".", timeout=240)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    for index in range(normal):
        assert [line for line in _lines_for(completed.stdout, f"ok{index}.py") if BAD_FINDING in line]
    for kind in CRASH_SIZES:
        name = f"big_{kind}.py"
        found = _lines_for(completed.stdout, name)
        if _compiles(files[name]):  # type: ignore[arg-type]
            assert not [line for line in found if "INN900" in line], found
        else:
            assert [line for line in found if "INN900" in line], (name, completed.stdout)


def test_a_chain_of_a_thousand_terms_is_linted_not_refused(tmp_path: Path) -> None:
    """At 1,000 terms the old screen said INN900 for code CPython compiles."""
    chains = "".join(CRASHING[kind](1000).replace("x =", f"x_{kind} =") for kind in ("and", "plus", "attr"))
    _project(tmp_path, {"jobs.py": BAD.format(index=0) + chains})
    completed = _cli(tmp_path, "jobs.py")
    assert completed.returncode == 1
    assert completed.stdout.splitlines()[0].startswith("jobs.py" + BAD_FINDING), completed.stdout


def test_the_screen_sends_deep_files_to_a_child_and_leaves_real_code_here() -> None:
    deep = CRASHING["and"](parse.MAX_IN_PROCESS_NESTING + 10)
    assert parse.nesting_estimate(deep) > parse.MAX_IN_PROCESS_NESTING
    assert parse.nesting_estimate(CRASHING["elif"](parse.MAX_IN_PROCESS_NESTING + 10)) > parse.MAX_IN_PROCESS_NESTING
    # Long but flat: a big literal table, and brackets or a chain hidden in strings and comments.
    table = "TABLE = [\n" + "".join(f"    ('k{i}', a.b + c[{i}], \"x.y(z)\"),\n" for i in range(3000)) + "]\n"
    assert parse.nesting_estimate(table) < 50
    hidden = "x = (')'\n" + " and a\n" * 3000 + ")\n"
    assert parse.nesting_estimate(hidden) > 3000, "a ')' in a string must not end the statement"
    commented = "x = (a  # )\n" + " and a\n" * 3000 + ")\n"
    assert parse.nesting_estimate(commented) > 3000
    backslashed = "x = a" + " \\\n + a" * 3000 + "\n"
    assert parse.nesting_estimate(backslashed) >= 3000
    cr_only = "x = a.b.c + d\r" * 3000
    assert parse.nesting_estimate(cr_only) < 50
    cr_comment = "# don't\rx = (a\r" + " and a\r" * 3000 + ")\r"
    assert parse.nesting_estimate(cr_comment) > 3000, "a comment ends at a lone CR"
    docstring = '"""' + "(\n" * 100_000 + '"""\nx = 1\n'
    assert parse.nesting_estimate(docstring) < 50


def test_real_code_is_screened_cheaply() -> None:
    """The screen runs on every parsed file: on ordinary code it must cost a small fraction of
    the parse it guards (a ratio, against libcst on the same text; best of three each)."""
    import libcst

    text = "\n".join(path.read_text(encoding="utf-8") for path in compiling_fixtures())
    text = text * max(1, 200_000 // max(1, len(text)))

    def best_of_three(function: object) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            function(text)  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return min(times)

    screen = best_of_three(parse.nesting_estimate)
    parsing = best_of_three(libcst.parse_module)
    assert screen < parsing / 10, (screen, parsing)


def test_many_short_elif_chains_are_not_one_long_one() -> None:
    functions = "".join(
        f"def f{i}(x):\n    if x == 0:\n        return 0\n    elif x == 1:\n        return 1\n"
        f"    elif x == 2:\n        return 2\n"
        for i in range(1000)
    )
    assert parse.nesting_estimate(functions) < 50


def test_lint_isolated_reports_a_crash_or_a_stall_as_the_files_own_inn901(monkeypatch: pytest.MonkeyPatch) -> None:
    from inngest_lint.engine import isolate

    item = FileInput("/project/m.py", "m", False, False, text=BAD.format(index=0))
    normal = isolate.lint_isolated(item, Settings(), CODES)
    assert [f"{d.line}:{d.column}: {d.code}" for d in normal.diagnostics] == ["8:28: INN101"]
    assert normal.facts is not None

    monkeypatch.setattr(isolate, "child_command", lambda: [sys.executable, "-c", "import os; os.abort()"])
    crashed = isolate.lint_isolated(item, Settings(), CODES)
    assert [d.code for d in crashed.diagnostics] == ["INN901"]
    assert "the parser crashed on this file (SIGABRT)" in crashed.diagnostics[0].message

    monkeypatch.setattr(isolate, "child_command", lambda: [sys.executable, "-c", "import time; time.sleep(30)"])
    stalled = isolate.lint_isolated(item, Settings(), CODES, timeout=1)
    assert [d.code for d in stalled.diagnostics] == ["INN901"]
    assert "did not finish" in stalled.diagnostics[0].message


def _item(index: int) -> FileInput:
    return FileInput(f"/project/m{index}.py", f"m{index}", False, False, text=BAD.format(index=index))


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="needs workers forked from the test")
def test_a_worker_killed_by_a_file_costs_only_that_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker segfaults on m5: the files it and its sibling were on are each linted again in a
    child process of their own (where m5 is fine), the rest in a new pool; none here."""
    parent = os.getpid()
    real = runner.lint_file

    def segfaulting(item: FileInput, *args: object):  # type: ignore[no-untyped-def]
        if os.getpid() != parent and item.path.endswith("m5.py"):
            faulthandler.disable()  # pytest's, inherited: no dump of this deliberate crash
            os.kill(os.getpid(), signal.SIGSEGV)
        if os.getpid() == parent:
            raise AssertionError(f"{item.path} linted in the main process after a crash")
        return real(item, *args)

    monkeypatch.setattr(runner, "lint_file", segfaulting)
    from inngest_lint.engine import isolate

    alone: list[str] = []
    real_isolated = isolate.lint_isolated

    def spy(item: FileInput, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        alone.append(item.path)
        return real_isolated(item, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(isolate, "lint_isolated", spy)
    phase = Phase1(Settings(), CODES, False, 2)
    items = [_item(index) for index in range(12)]
    for item in items:
        phase.submit(item)
    found = {
        item.path: sorted(f"{d.line}:{d.column} {d.code}" for d in result.diagnostics)
        for item, result in phase.completed()
    }
    assert sorted(found) == sorted(item.path for item in items)
    assert all(codes == ["8:28 INN101"] for codes in found.values()), found
    assert "/project/m5.py" in alone and len(alone) <= 3, alone


def test_inputs_that_crash_the_parser_get_inn901_not_the_run(tmp_path: Path) -> None:
    """A crash the screen did not foresee, forced here by a tiny limit and a child that dies."""
    _project(tmp_path, {"jobs.py": BAD.format(index=0), "deep.py": "import inngest\n" + CRASHING["and"](50)})
    script = textwrap.dedent(
        """
        import sys
        from inngest_lint.engine import isolate, parse
        from inngest_lint.cli import main
        parse.MAX_IN_PROCESS_NESTING = 20
        isolate.child_command = lambda: [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]
        main(["--no-cache", "."])
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    assert completed.returncode == 1
    assert "deep.py:1:1: INN901 [error] the parser crashed on this file (SIGSEGV); not linted" in completed.stdout
    assert "jobs.py" + BAD_FINDING in completed.stdout


# --------------------------------------------------------------------------------------------
# 2. Syntax errors: CPython's message and position, never suppressed.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import inngest  # noqa\nx = (1,\n", "broken.py:2:5: INN900 [error] syntax error: '(' was never closed"),
        (
            "import inngest  # noqa\nx = 'abc\n",
            "broken.py:2:5: INN900 [error] syntax error: unterminated string literal (detected at line 2)",
        ),
        ("import inngest\r# noqa\rdef f(:\r    pass\r", "broken.py:3:7: INN900 [error] syntax error: invalid syntax"),
        (
            "# inngest-lint: noqa\nimport inngest\nreturn 1\n",
            "broken.py:3:1: INN900 [error] syntax error: 'return' outside function",
        ),
        (
            "import inngest\nif x:\n  a = 1\n    b = 2  # noqa: INN900\n",
            "broken.py:4:4: INN900 [error] syntax error: unexpected indent",
        ),
    ],
    ids=["unclosed-bracket", "unterminated-string", "cr-only", "file-noqa-compiler-error", "indent-line-noqa"],
)
def test_syntax_errors_are_cpythons_and_noqa_never_hides_them(tmp_path: Path, source: str, expected: str) -> None:
    _project(tmp_path, {"broken.py": source.encode()})
    completed = _cli(tmp_path, "broken.py")
    assert completed.returncode == 1
    assert completed.stdout.splitlines()[0] == expected, completed.stdout


def test_flake8_file_level_noqa_does_not_hide_a_syntax_error(tmp_path: Path) -> None:
    from inngest_lint.flake8_plugin import _file_pass

    path = tmp_path / "jobs.py"
    text = "# inngest-lint: noqa\nimport inngest\nreturn 1\n"
    path.write_text(text)
    found = _file_pass(path, None, text, Settings(), CODES)
    assert [(d.line, d.code) for d in found] == [(3, "INN900")]


# --------------------------------------------------------------------------------------------
# 3. Parity with CPython, and decoding.
# --------------------------------------------------------------------------------------------

PEP_695 = "type Pair = tuple[int, int]\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n"


@pytest.mark.parametrize("long_line", [False, True], ids=["short-lines", "beside-a-2000-char-line"])
def test_pep_695_is_inn900_exactly_when_this_python_rejects_it(tmp_path: Path, long_line: bool) -> None:
    source = BAD.format(index=0) + PEP_695 + (f"LONG = {'1 + ' * 700}1\n" if long_line else "")
    _project(tmp_path, {"jobs.py": source})
    completed = _cli(tmp_path, "jobs.py")
    assert ("INN900" in completed.stdout) == (not _compiles(source)), completed.stdout
    if _compiles(source):
        assert "jobs.py" + BAD_FINDING in completed.stdout


def test_tabs_and_spaces_beside_a_long_line_are_not_a_syntax_error(tmp_path: Path) -> None:
    source = BAD.format(index=0) + "if x:\n\tif y:\n\t    z = 1\n" + f"LONG = [{'1, ' * 800}]\n"
    assert _compiles(source)
    _project(tmp_path, {"jobs.py": source})
    completed = _cli(tmp_path, "jobs.py")
    assert "INN900" not in completed.stdout and "jobs.py" + BAD_FINDING in completed.stdout


def test_valid_python_that_libcst_cannot_read_is_not_a_syntax_error(tmp_path: Path) -> None:
    """libcst 1.9.0 gives up on a 4,000-part implicit string concatenation."""
    source = "import inngest\nx = (\n" + " 'a'\n" * 4000 + ")\n"
    assert _compiles(source)
    _project(tmp_path, {"strings.py": source})
    completed = _cli(tmp_path, "strings.py")
    assert "INN900" not in completed.stdout


def test_stdin_honours_a_coding_cookie(tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n" + BAD.format(index=0) + "NAME = 'caf\xe9'\n"
    _project(tmp_path, {})
    completed = _cli(tmp_path, "-", "--stdin-filename", "jobs.py", stdin=source.encode("latin-1"))
    assert completed.returncode == 1
    assert completed.stdout.splitlines()[0].startswith("jobs.py:9:28: INN101"), completed.stdout


@pytest.mark.parametrize("codec", ["undefined", "punycode"])
def test_a_cookie_naming_a_failing_codec_is_that_files_inn901(tmp_path: Path, codec: str) -> None:
    broken = f"# coding: {codec}\nimport inngest\nNAME = 'caf\xe9'\n".encode("utf-8")
    _project(tmp_path, {"jobs.py": BAD.format(index=0), "odd.py": broken, "helper.py": "import odd\n"})
    everything = _cli(tmp_path, ".")
    assert everything.returncode == 1, everything.stderr
    assert "jobs.py" + BAD_FINDING in everything.stdout
    assert [line for line in _lines_for(everything.stdout, "odd.py") if "INN901 [error] cannot decode file" in line]
    one = _cli(tmp_path, "jobs.py")  # the project is still read, odd.py among it
    assert one.returncode == 1 and "odd.py" not in one.stdout, one.stdout
    stdin = _cli(tmp_path, "-", "--stdin-filename", "odd.py", stdin=broken)
    assert stdin.returncode == 1 and "odd.py:1:1: INN901 [error] cannot decode file" in stdin.stdout, stdin.stdout


def test_lint_file_never_raises_on_a_failing_codec() -> None:
    for codec in ("undefined", "punycode", "rot13", "idna", "no-such-codec"):
        decoded = parse.decode("/p/x.py", f"# coding: {codec}\nx = 'caf\xe9'\n".encode("utf-8"))
        assert decoded.text is None and decoded.problem is not None and decoded.problem.code == "INN901"


def test_compile_warnings_are_not_printed_nor_errors(tmp_path: Path) -> None:
    _project(tmp_path, {"jobs.py": BAD.format(index=0) + "PATTERN = '\\d+'\n"})
    completed = subprocess.run(
        [sys.executable, "-W", "error", "-m", "inngest_lint", "--no-cache", "jobs.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1 and "INN900" not in completed.stdout, completed.stdout
    assert "Warning" not in completed.stderr, completed.stderr


def test_lint_file_in_a_small_stack_thread_survives_a_deep_file(tmp_path: Path) -> None:
    """The language server lints on a thread of its own, whose stack may be small (512 KB for
    a secondary thread on macOS); the parse gets a stack of its own anyway. In a child process:
    without that, this segfaults."""
    script = textwrap.dedent(
        """
        import threading
        from inngest_lint.settings import Settings
        from inngest_lint.engine.file_pass import FileInput, lint_file
        from inngest_lint.registry import all_rules

        codes = frozenset(rule.code for rule in all_rules())
        text = "import inngest\\nx = (a\\n" + " .b\\n" * 900 + ")\\n"
        item = FileInput("/project/deep.py", "deep", False, False, text=text)
        results = []
        threading.stack_size(512 * 1024)
        thread = threading.Thread(target=lambda: results.append(lint_file(item, Settings(), codes)))
        thread.start()
        thread.join()
        print(sorted(d.code for d in results[0].diagnostics), results[0].parsed)
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip() == "[] True", completed.stdout


def test_the_child_does_not_import_the_linted_repositorys_modules(tmp_path: Path) -> None:
    """`python -m inngest_lint` from a repository's root has that root on its path; the child
    that parses a deep file must not import the repository's `libcst.py` or `pickle` helpers."""
    _project(
        tmp_path,
        {
            "jobs.py": BAD.format(index=0) + CRASHING["and"](parse.MAX_IN_PROCESS_NESTING + 100),
            "libcst.py": "raise SystemExit('the repository libcst.py was imported')\n",
        },
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    package_root = str(Path(parse.__file__).resolve().parents[2])
    script = (
        f"import sys; sys.path.insert(1, {package_root!r}); from inngest_lint.engine import isolate; "
        "import runpy; runpy.run_module('inngest_lint', run_name='__main__')"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, "--no-cache", "jobs.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert "jobs.py" + BAD_FINDING in completed.stdout, completed.stdout + completed.stderr
