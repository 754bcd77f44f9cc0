"""The command line, run as a user runs it: exit codes, options, config, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from inngest_lint import __version__
from inngest_lint.cli import main

BAD = textwrap.dedent(
    """
    import inngest

    client = inngest.Inngest(app_id="app")

    @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
    async def handler(ctx: inngest.Context) -> None:
        for item in ctx.event.data["items"]:
            await ctx.step.run("process", work, item)
    """
).lstrip()
GOOD = BAD.replace('"process"', 'f"process-{item}"').replace('fn_id="f"', 'fn_id="g"')


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bad.py").write_text(BAD)
    (tmp_path / "src" / "good.py").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_findings_exit_1_with_flake8_lines(repo: Path) -> None:
    code, out, _ = run("src")
    assert code == 1
    assert out.splitlines()[0].startswith("src/bad.py:8:28: INN101 [error] step ID 'process'")


def test_check_subcommand_and_default_path(repo: Path) -> None:
    assert run("check", "src")[0] == 1
    assert run()[0] == 1  # default "."


def test_clean_exit_0(repo: Path) -> None:
    code, out, _ = run("src/good.py")
    assert code == 0
    assert "All checks passed" in out


def test_exit_zero(repo: Path) -> None:
    assert run("--exit-zero", "src")[0] == 0


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out


def test_select_ignore_and_prefixes(repo: Path) -> None:
    assert run("--ignore", "INN101", "src")[0] == 0
    assert run("--ignore", "INN1", "src")[0] == 0
    assert run("--ignore", "step-id-reused-in-loop", "src")[0] == 0
    assert run("--select", "INN2", "src")[0] == 0
    assert run("--select", "INN2,INN101", "src")[0] == 1
    assert run("--select", "INN2", "--extend-select", "INN1", "src")[0] == 1


def test_unknown_selector_is_usage_error_with_suggestion(repo: Path) -> None:
    code, _, err = run("--select", "INN1011", "src")
    assert code == 2
    assert "unknown rule code or name 'INN1011'; did you mean" in err


def test_json_output(repo: Path) -> None:
    code, out, _ = run("--output-format", "json", "src")
    assert code == 1
    (item,) = json.loads(out)
    assert item["code"] == "INN101" and item["name"] == "step-id-reused-in-loop"
    assert item["path"] == "src/bad.py" and item["line"] == 8 and item["column"] == 28
    assert item["severity"] == "error" and item["url"].endswith("#inn101-step-id-reused-in-loop")
    assert {"end_line", "end_column", "message"} <= set(item)


def test_unknown_output_format(repo: Path) -> None:
    assert run("--output-format", "xml", "src")[0] == 2


def test_statistics_and_quiet(repo: Path) -> None:
    _, out, _ = run("--statistics", "src")
    assert "1  INN101  step-id-reused-in-loop [error]" in out
    _, out, _ = run("--quiet", "src")
    assert "Found" not in out and out.count("\n") == 1


def test_config_select_and_unknown_key(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.inngest-lint]\nignore = ['INN101']\n")
    assert run("src")[0] == 0
    (repo / "pyproject.toml").write_text("[tool.inngest-lint]\nignor = ['INN101']\n")
    code, _, err = run("src")
    assert code == 2
    assert "pyproject.toml" in err and "'ignor'" in err and "did you mean 'ignore'" in err
    (repo / "pyproject.toml").write_text("[tool.inngest-lint]\nselect = 'INN101'\n")
    code, _, err = run("src")
    assert code == 2 and "'select' must be a list" in err


def test_explicit_config_file(repo: Path) -> None:
    (repo / "lint.toml").write_text("[tool.inngest-lint]\nignore = ['INN101']\n")
    assert run("--config", "lint.toml", "src")[0] == 0
    assert run("--config", "missing.toml", "src")[0] == 2


def test_inngest_lint_toml(repo: Path) -> None:
    (repo / "inngest-lint.toml").write_text("ignore = ['INN101']\n")
    assert run("src")[0] == 0


def test_severity_override_and_max_warnings(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.inngest-lint.severity]\nINN101 = 'warning'\n")
    code, out, _ = run("src")
    assert code == 1 and "1 warning" in out
    assert run("--max-warnings", "1", "src")[0] == 0
    assert run("--max-warnings", "0", "src")[0] == 1
    _, out, _ = run("--output-format", "json", "src")
    assert json.loads(out)[0]["severity"] == "warning"


def test_per_file_ignores(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.inngest-lint.per-file-ignores]\n'src/bad.py' = ['INN101']\n")
    assert run("src")[0] == 0


def test_noqa_line_and_file(repo: Path) -> None:
    bad = repo / "src" / "bad.py"
    bad.write_text(BAD.replace("work, item)", "work, item)  # noqa: INN101"))
    assert run("src")[0] == 0
    bad.write_text(BAD.replace("work, item)", "work, item)  # noqa: INN102"))
    assert run("src")[0] == 1
    bad.write_text(BAD.replace("work, item)", "work, item)  # noqa: step-id-reused-in-loop"))
    assert run("src")[0] == 0
    bad.write_text(BAD.replace("work, item)", "work, item)  # noqa"))
    assert run("src")[0] == 0
    bad.write_text("# inngest-lint: noqa: INN101\n" + BAD)
    assert run("src")[0] == 0
    bad.write_text("# inngest-lint: noqa: INN501\n" + BAD)
    assert run("src")[0] == 1
    bad.write_text("# inngest-lint: noqa\n" + BAD)
    assert run("src")[0] == 0
    bad.write_text(BAD.replace("work, item)", "'# noqa' and work, item)"))
    assert run("src")[0] == 1  # inside a string is not a comment


def test_missing_path_is_exit_2_but_others_are_linted(repo: Path) -> None:
    code, out, err = run("nope.py", "src")
    assert code == 2
    assert "nope.py: no such file or directory" in err
    assert "INN101" in out


def test_syntax_error_binary_and_non_utf8_files(repo: Path) -> None:
    (repo / "src" / "broken.py").write_text("import inngest\ndef f(:\n")
    (repo / "src" / "binary.py").write_bytes(b"import inngest\x00\x01")
    (repo / "src" / "latin.py").write_bytes("import inngest\nname = 'caf\xe9'\n".encode("latin-1"))
    (repo / "src" / "declared.py").write_bytes(
        "# -*- coding: latin-1 -*-\nimport inngest\nx = 'caf\xe9'\n".encode("latin-1")
    )
    code, out, _ = run("src")
    assert code == 1
    assert "src/broken.py:2:" in out and "INN900" in out
    assert "src/binary.py:1:1: INN901" in out
    assert "src/latin.py:1:1: INN901" in out
    assert "declared.py" not in out
    assert "src/bad.py:8:28: INN101" in out


@pytest.mark.parametrize(
    "source",
    [
        "x = " + "(" * 3000 + "1" + ")" * 3000,  # crashes libcst's native parser
        "x = " + " + ".join(["1"] * 20000),  # super-linear in libcst
        "x = " + "[" * 150 + "]" * 150,  # valid Python, deep but fine
    ],
    ids=["parens", "long-chain", "deep-list"],
)
def test_deep_nesting_is_a_finding_not_a_crash(repo: Path, source: str) -> None:
    (repo / "src" / "deep.py").write_text("import inngest\n" + source + "\n")
    completed = subprocess.run(
        [sys.executable, "-m", "inngest_lint", "src/deep.py"], capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in completed.stdout + completed.stderr
    assert completed.returncode in (0, 1)
    if completed.returncode == 1:
        assert "INN900" in completed.stdout


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root can read anything")
def test_unreadable_file(repo: Path) -> None:
    target = repo / "src" / "secret.py"
    target.write_text("import inngest\n")
    target.chmod(0)
    code, out, _ = run("src/secret.py")
    assert "INN901" in out and code == 1


def test_stdin(repo: Path) -> None:
    code, out, _ = run("-", "--stdin-filename", "src/typed.py", "--select", "INN101", input=BAD)
    assert code == 1
    assert out.startswith("src/typed.py:8:28: INN101")


def test_stdin_without_a_filename_never_takes_a_real_files_place(repo: Path) -> None:
    """Without --stdin-filename, stdin is `<stdin>` in the working directory: a real `stdin.py`
    (or a file named `<stdin>`) stays part of the project, with its own facts and findings."""
    (repo / "stdin.py").write_text(BAD)
    (repo / "<stdin>").write_text("x = 1\n")
    code, out, _ = run("-", "--select", "INN101,INN203", input=GOOD.replace('fn_id="g"', 'fn_id="f"'))
    # The piped function reuses the real stdin.py's fn_id: both are in the project, and the
    # real file's INN101 is not reported (it was not named).
    assert code == 1 and out.startswith("<stdin-2>:"), out
    assert "INN203" in out and "stdin.py:" in out and "INN101" not in out
    code, out, _ = run("-", "--select", "INN101", input=GOOD)
    assert code == 0 and out == "All checks passed (1 file checked).\n"


def test_excludes_gitignore_and_force_exclude(repo: Path) -> None:
    (repo / ".git").mkdir()
    (repo / ".gitignore").write_text("generated/\n")
    for folder in ("generated", ".venv", "build", "node_modules"):
        (repo / folder).mkdir()
        (repo / folder / "bad.py").write_text(BAD)
    code, out, _ = run(".")
    assert out.count("INN101") == 1
    # Named explicitly: linted anyway, unless --force-exclude.
    assert run("build/bad.py")[0] == 1
    assert run("--force-exclude", "build/bad.py")[0] == 0
    (repo / "pyproject.toml").write_text("[tool.inngest-lint]\nextend-exclude = ['src/bad.py']\n")
    assert run(".")[0] == 0


def test_internal_error_in_a_rule_is_reported_and_exit_2(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from inngest_lint.rules import inn101_step_id_reused_in_loop as module

    def explode(self, node):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(module.StepIdReusedInLoop, "visit_Call", explode)
    code, out, err = run("src")
    assert code == 2
    assert "INN101 [error] internal error in rule INN101: RuntimeError: boom" in out
    assert "Traceback" not in out + err


def test_rule_and_rules_commands() -> None:
    code, out, _ = run("rule", "INN101")
    assert code == 0 and out.startswith("# INN101 step-id-reused-in-loop") and "## Why is this bad?" in out
    assert run("rule", "step-id-reused-in-loop")[1] == out
    code, _, err = run("rule", "INN1011")
    assert code == 2 and "did you mean" in err
    code, out, _ = run("rules")
    assert code == 0 and "INN303  event-sent-without-listener-any" in out and " off " in out


def test_python_dash_m_and_console_script(repo: Path) -> None:
    completed = subprocess.run([sys.executable, "-m", "inngest_lint", "src"], capture_output=True, text=True)
    assert completed.returncode == 1 and "INN101" in completed.stdout


def test_the_fast_exit_keeps_output_and_exit_codes(repo: Path) -> None:
    """`run()` ends the process with os._exit: everything written must still arrive."""
    script = str(Path(sys.executable).with_name("inngest-lint"))
    command = [script] if Path(script).exists() else [sys.executable, "-m", "inngest_lint"]

    def lint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], capture_output=True, text=True)

    findings = lint("src", "--output-format", "json")
    assert findings.returncode == 1 and json.loads(findings.stdout)  # the whole document, flushed
    (repo / "src" / "plain.py").write_text("x = 1\n")
    clean = lint("src/plain.py")
    assert (clean.returncode, clean.stderr) == (0, "")
    usage = lint("--select", "INN1011", "src")
    assert usage.returncode == 2 and "did you mean" in usage.stderr
    help_text = lint("--help")
    assert help_text.returncode == 0 and "Usage" in help_text.stdout
    # A reader that leaves early (`| head -1`) gets no traceback.
    piped = subprocess.run(
        f"{' '.join(command)} src | head -1",
        shell=True,
        capture_output=True,
        text=True,  # noqa: S602
    )
    assert "INN101" in piped.stdout and "Traceback" not in piped.stderr


def test_files_over_max_file_size_are_reported_not_parsed(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.inngest-lint]\nmax-file-size = '1KB'\n")
    (repo / "src" / "huge.py").write_text("import inngest\n" + "x = 1\n" * 400)
    code, out, _ = run("src/huge.py")
    assert code == 1 and "src/huge.py:1:1: INN901 [error] file is" in out and "over max-file-size" in out
    # Imported by a linted file, it is still not parsed on demand.
    (repo / "src" / "user.py").write_text("import inngest\nfrom src import huge\n")
    (repo / "src" / "__init__.py").write_text("")
    code, out, _ = run("src/user.py")
    assert code == 0, out
    (repo / "pyproject.toml").write_text("[tool.inngest-lint]\nmax-file-size = 'big'\n")
    assert run("src/huge.py")[0] == 2
