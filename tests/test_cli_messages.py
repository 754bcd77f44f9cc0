"""Golden tests for what the command line prints around the findings: the `--statistics` table,
a path that does not exist, a run that finds no Python file, and `inngest-lint rules` (text and
JSON). Each golden file holds the command, its exit code, stdout and stderr; rerun with
UPDATE_GOLDEN=1 to rewrite them after an intended change."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from inngest_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "cli"

BAD = """\
import inngest

client = inngest.Inngest(app_id="app")


@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
async def handler(ctx: inngest.Context) -> None:
    for item in ctx.event.data["items"]:
        await ctx.step.run("process", work, item)
    await ctx.step.sleep("nap", 5)
"""
GOOD = (
    BAD.replace('"process"', 'f"process-{item}"')
    .replace('fn_id="f"', 'fn_id="g"')
    .replace('    await ctx.step.sleep("nap", 5)\n', "")
)


def transcript(*args: str) -> str:
    result = CliRunner().invoke(
        main, ["--no-cache", *args] if args[:1] != ("rules",) else list(args), catch_exceptions=False
    )
    return (
        f"$ inngest-lint {shlex.join(args)}\n"
        f"exit {result.exit_code}\n"
        f"--- stdout\n{result.stdout}"
        f"--- stderr\n{result.stderr}"
    )


def check_golden(name: str, output: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(output, encoding="utf-8", newline="\n")
    assert golden.exists(), f"{golden} is missing: run with UPDATE_GOLDEN=1 to create it"
    expected = golden.read_text(encoding="utf-8")
    assert output == expected, f"{golden.name} differs: rerun with UPDATE_GOLDEN=1 if intended"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bad.py").write_text(BAD)
    (tmp_path / "src" / "also_bad.py").write_text(BAD.replace('fn_id="f"', 'fn_id="h"'))
    (tmp_path / "src" / "good.py").write_text(GOOD)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Docs\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def test_statistics_prints_only_the_table(repo: Path) -> None:
    output = transcript("--statistics", "src")
    check_golden("statistics.txt", output)
    assert ": INN" not in output and "Found" not in output


def test_statistics_of_the_example_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    check_golden("statistics-examples.txt", transcript("--statistics", "examples/"))


def test_statistics_without_findings(repo: Path) -> None:
    check_golden("statistics-clean.txt", transcript("--statistics", "src/good.py"))


def test_missing_path_is_an_error_line_and_exit_2(repo: Path) -> None:
    output = transcript("nope/")
    check_golden("missing-path.txt", output)
    assert "All checks passed" not in output


def test_missing_path_beside_a_real_one(repo: Path) -> None:
    check_golden("missing-path-and-findings.txt", transcript("src/good.py", "missing.py", "src/bad.py"))


def test_missing_path_beside_a_clean_file(repo: Path) -> None:
    output = transcript("src/good.py", "missing.py")
    check_golden("missing-path-and-clean-file.txt", output)
    assert "All checks passed" not in output


def test_no_python_file_says_so(repo: Path) -> None:
    output = transcript("docs")
    check_golden("no-python-files.txt", output)
    assert "All checks passed" not in output


def test_no_python_file_in_json_is_an_empty_list(repo: Path) -> None:
    result = CliRunner().invoke(main, ["--no-cache", "--output-format", "json", "docs"], catch_exceptions=False)
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert result.stderr == "inngest-lint: warning: no Python files to lint in docs\n"


def test_rules_table_has_a_severity_column() -> None:
    output = transcript("rules")
    check_golden("rules.txt", output)
    first = output.split("--- stdout\n")[1].splitlines()[0].split()
    assert first[:5] == ["INN101", "step-id-reused-in-loop", "error", "on", "fix:unsafe"]


def test_rules_as_json() -> None:
    output = transcript("rules", "--format", "json")
    check_golden("rules.json.txt", output)
    rows = json.loads(output.split("--- stdout\n")[1].split("--- stderr\n")[0])
    assert {"code", "name", "severity", "default", "fix", "summary"} == set(rows[0])
    assert (
        CliRunner().invoke(main, ["rules", "--output-format", "json"]).stdout
        == CliRunner().invoke(main, ["rules", "--format", "json"]).stdout
    )


def test_full_output_format(repo: Path) -> None:
    """Source lines with the span underlined, severity, rule name and docs link (no colour:
    the fixture sets NO_COLOR, and CliRunner's stream is not a terminal)."""
    output = transcript("--output-format", "full", "src/bad.py")
    check_golden("full.txt", output)
    assert "\x1b[" not in output
    assert "  |         ^^^^^^^^^ step-id-reused-in-loop\n" not in output  # the gutter is as wide as the line number
    assert "^^^^^^^^^ step-id-reused-in-loop" in output and "= docs: https://" in output


def test_full_output_format_colour_follows_no_color_and_force_color(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = CliRunner().invoke(main, ["--no-cache", "--output-format", "full", "src/bad.py"]).stdout
    assert "\x1b[31m" in coloured and "\x1b[0m" in coloured
    monkeypatch.setenv("NO_COLOR", "1")  # NO_COLOR wins over FORCE_COLOR
    assert "\x1b[" not in CliRunner().invoke(main, ["--no-cache", "--output-format", "full", "src/bad.py"]).stdout
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("FORCE_COLOR")
    # Piped (CliRunner's stream is not a terminal): plain.
    assert "\x1b[" not in CliRunner().invoke(main, ["--no-cache", "--output-format", "full", "src/bad.py"]).stdout


def test_colour_switches() -> None:
    import io

    from inngest_lint.reporters.full import use_colour

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert use_colour(Terminal(), {}) is True
    assert use_colour(io.StringIO(), {}) is False
    assert use_colour(io.StringIO(), {"FORCE_COLOR": "1"}) is True
    assert use_colour(Terminal(), {"NO_COLOR": "1"}) is False
    assert use_colour(Terminal(), {"NO_COLOR": ""}) is True  # empty means unset, as no-color.org says
    assert use_colour(Terminal(), {"TERM": "dumb"}) is False


def test_concise_is_the_text_format(repo: Path) -> None:
    text = CliRunner().invoke(main, ["--no-cache", "src/bad.py"]).stdout
    assert CliRunner().invoke(main, ["--no-cache", "--output-format", "concise", "src/bad.py"]).stdout == text
    assert text.splitlines()[0].startswith("src/bad.py:9:28: INN101 [error] step ID 'process'")


def test_both_config_files_say_which_one_is_used(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.inngest-lint]\nselect = ['INN2']\n")
    (repo / "inngest-lint.toml").write_text("select = ['INN101']\n")
    result = CliRunner().invoke(main, ["--no-cache", "src/bad.py"])
    assert result.exit_code == 1 and "INN101" in result.stdout and "INN606" not in result.stdout
    assert result.stderr == (
        f"inngest-lint: warning: using {repo / 'inngest-lint.toml'}; the [tool.inngest-lint] table of "
        f"{repo / 'pyproject.toml'} is ignored (inngest-lint.toml takes precedence)\n"
    )
    # One of them alone, or --config: no warning.
    (repo / "inngest-lint.toml").unlink()
    assert CliRunner().invoke(main, ["--no-cache", "src/bad.py"]).stderr == ""


def test_show_settings_prints_the_resolved_configuration(repo: Path) -> None:
    from inngest_lint.config import tomllib  # tomllib, or tomli before Python 3.11

    (repo / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[tool.inngest-lint]\nignore = ['INN606']\n"
        "per-file-ignores = { 'tests/*' = ['INN2'] }\nmax-sleep = '7d'\n\n"
        "[tool.inngest-lint.severity]\nINN101 = 'warning'\n"
    )
    result = CliRunner().invoke(main, ["--show-settings", "--extend-select", "INN303", "src"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"# settings file: {repo / 'pyproject.toml'}"
    assert lines[1] == f"# project folder: {repo}"
    document = tomllib.loads("\n".join(line for line in lines if not line.startswith("#")))
    assert document["ignore"] == ["INN606"] and document["extend-select"] == ["INN303"]
    assert document["per-file-ignores"] == {"tests/*": ["INN2"]}
    assert document["severity"] == {"INN101": "warning"} and document["max-sleep"] == 7 * 24 * 3600
    enabled = lines[-1].removeprefix("# enabled rules: ").split(", ")
    assert "INN303" in enabled and "INN606" not in enabled and "INN101" in enabled


def test_show_files_prints_what_would_be_linted(repo: Path) -> None:
    (repo / ".gitignore").write_text("generated/\n")
    (repo / ".git").mkdir()
    (repo / "generated").mkdir()
    (repo / "generated" / "skip.py").write_text(BAD)
    result = CliRunner().invoke(main, ["--show-files", "."])
    assert result.exit_code == 0 and result.stdout == "src/also_bad.py\nsrc/bad.py\nsrc/good.py\n", result.output
    missing = CliRunner().invoke(main, ["--show-files", "src/bad.py", "nope.py"])
    assert missing.exit_code == 2 and missing.stdout == "src/bad.py\n"
    assert missing.stderr == "inngest-lint: error: nope.py: no such file or directory\n"
