"""The README's first screen stays true: its test command is what CI runs, its sample output is
what the tool prints on the example app, and docs/rules.md is fresh."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _first_code_block_after(marker: str) -> str:
    start = README.index(marker)
    match = re.search(r"```(?:bash|text)\n(.*?)```", README[start:], re.S)
    assert match, marker
    return match.group(1).strip()


def test_readme_test_command_is_what_ci_runs() -> None:
    commands = _first_code_block_after("**Run the tests**").splitlines()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands and all(command in ci for command in commands), commands


def test_readme_sample_output_matches_the_tool() -> None:
    sample = _first_code_block_after("Sample output")
    completed = subprocess.run(
        [sys.executable, "-m", "inngest_lint", "examples/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert completed.returncode == 1
    assert completed.stdout.strip() == sample, "README sample is stale: paste the output of `inngest-lint examples/`"


def test_docs_rules_md_is_fresh() -> None:
    from inngest_lint.docs import render_all

    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == render_all(), "docs/rules.md is stale: run `python -m inngest_lint.docs`"


def test_rule_catalog_is_fresh() -> None:
    from inngest_lint.registry import render_catalog

    current = (ROOT / "inngest_lint" / "rules" / "_catalog.py").read_text(encoding="utf-8")
    assert current == render_catalog(), "the rule catalog is stale: run `python -m inngest_lint.docs`"


def test_readme_graph_is_what_the_tool_draws() -> None:
    match = re.search(r"```mermaid\n(.*?)```", README, re.S)
    assert match
    completed = subprocess.run(
        [sys.executable, "-m", "inngest_lint", "graph", "--no-cache", "examples/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == match.group(1).strip(), (
        "README graph is stale: run `inngest-lint graph examples/`"
    )


# --- The README followed from a clean clone (slow: minutes, network to PyPI) -----------------------

SLOW = pytest.mark.skipif(
    os.environ.get("INNGEST_LINT_SLOW") != "1",
    reason="slow: a fresh clone installed in a fresh venv from PyPI; set INNGEST_LINT_SLOW=1 (.ci/run does)",
)
INSTALL_TIMEOUT = 900  # seconds: a venv and a pip install from PyPI on a loaded machine


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment a newcomer's shell has: no virtualenv active, nothing on PYTHONPATH."""
    dropped = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PIP_QUIET")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])  # python3 as the tests'
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`git clone` of this checkout's committed HEAD (uncommitted changes are not in it)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    clone = tmp_path_factory.mktemp("readme") / "inngest-lint"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(ROOT), str(clone)], check=True, timeout=300)
    subprocess.run(["git", "checkout", "-q", "--detach", head.stdout.strip()], cwd=clone, check=True, timeout=300)
    return clone


@pytest.fixture(scope="module")
def first_screen(fresh_clone: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The README's first-screen command, run as written in the clone; returns the venv's bin/."""
    command = _first_code_block_after("**Install and lint the example app**")
    assert "\n" not in command and command.endswith("inngest-lint examples/"), command
    completed = subprocess.run(
        ["bash", "-c", command],
        cwd=fresh_clone,
        capture_output=True,
        text=True,
        env=_clean_env(PIP_QUIET="1"),
        timeout=INSTALL_TIMEOUT,
    )
    return fresh_clone / ".venv" / "bin", completed


@pytest.mark.slow
@SLOW
def test_readme_first_screen_from_a_clean_clone(first_screen: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    bin_dir, completed = first_screen
    assert (bin_dir / "inngest-lint").exists(), f"the install failed:\n{completed.stdout}\n{completed.stderr}"
    assert completed.returncode == 1, completed.stderr
    assert completed.stdout.strip().endswith(_first_code_block_after("Sample output")), completed.stdout
    # The lean install: the linter and its three dependencies, none of the test extra.
    listed = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=120,
        check=True,
    ).stdout.lower()
    names = {line.split("==")[0].replace("_", "-") for line in listed.split()}
    assert {"inngest-lint", "libcst", "click", "pathspec"} <= names, names
    assert not names & {"pytest", "inngest", "pre-commit", "pygls", "build", "twine"}, names


def _usage_command(bin_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "inngest-lint"), *args],
        cwd=bin_dir.parent.parent,
        capture_output=True,
        text=True,
        input=stdin,
        env=_clean_env(),
        timeout=300,
    )


@pytest.mark.slow
@SLOW
def test_readme_usage_commands_in_the_fresh_install(
    first_screen: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """The README's other commands, run with what the first screen installed."""
    import json

    bin_dir, _ = first_screen
    from inngest_lint import __version__

    version = _usage_command(bin_dir, "--version")
    assert version.returncode == 0 and __version__ in version.stdout, version
    as_json = _usage_command(bin_dir, "--output-format", "json", "examples/")
    assert as_json.returncode == 1 and len(json.loads(as_json.stdout)) == 8, as_json
    selected = _usage_command(bin_dir, "--select", "INN1,INN301", "examples/")
    selected_codes = {line.split()[1] for line in selected.stdout.splitlines() if ": INN" in line}
    assert selected.returncode == 1 and selected_codes == {"INN101", "INN110", "INN301"}, selected.stdout
    stdin = _usage_command(
        bin_dir,
        "-",
        "--stdin-filename",
        "examples/shop/steps.py",
        stdin=(bin_dir.parent.parent / "examples" / "shop" / "steps.py").read_text(encoding="utf-8"),
    )
    assert stdin.returncode == 1 and "examples/shop/steps.py:2:1: INN605" in stdin.stdout, stdin
    rule = _usage_command(bin_dir, "rule", "INN101")
    assert rule.returncode == 0 and "INN101" in rule.stdout, rule
    rules = _usage_command(bin_dir, "rules")
    assert rules.returncode == 0 and "INN101" in rules.stdout and "INN901" in rules.stdout, rules
    graph = _usage_command(bin_dir, "graph", "--no-cache", "examples/")
    match = re.search(r"```mermaid\n(.*?)```", README, re.S)
    assert match and graph.returncode == 0 and graph.stdout.strip() == match.group(1).strip(), graph
    # The lean install has no language server; the message says how to get one.
    server = _usage_command(bin_dir, "server")
    assert server.returncode == 2 and "pygls" in server.stderr, server


def _install_lines() -> list[str]:
    """The README's Install block, without its comments."""
    lines = [line.split("#")[0].strip() for line in _first_code_block_after("## Install").splitlines()]
    return [line for line in lines if line]


def test_readme_install_block_lists_the_lean_lsp_tool_and_test_installs() -> None:
    assert _install_lines() == ["pip install .", "pip install '.[lsp]'", "pipx install .", "pip install -e '.[test]'"]
    assert "`uv tool install .`" in _first_code_block_after("## Install")
    # The test line is the README's test block's, which CI runs.
    assert _install_lines()[-1] in _first_code_block_after("**Run the tests**").splitlines()


@pytest.mark.slow
@SLOW
@pytest.mark.parametrize("tool", ["pip lsp", "pipx", "uv"])
def test_readme_install_lines_from_a_clean_clone(tool: str, fresh_clone: Path, tmp_path: Path) -> None:
    """`pip install '.[lsp]'` in a fresh venv, `pipx install .` and `uv tool install .` (those two
    when the tool is on PATH), each from the clean clone, then `inngest-lint examples/`."""
    if tool == "pip lsp":
        venv = tmp_path / "venv"
        command = f"python3 -m venv {venv} && . {venv}/bin/activate && {_install_lines()[1]}"
        bin_dir, env = venv / "bin", _clean_env(PIP_QUIET="1")
    else:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
        command = "pipx install ." if tool == "pipx" else "uv tool install ."
        assert command in _first_code_block_after("## Install")  # in a comment for uv
        bin_dir = tmp_path / "bin"
        env = _clean_env(
            PIPX_HOME=str(tmp_path / "pipx"),
            PIPX_BIN_DIR=str(bin_dir),
            UV_TOOL_DIR=str(tmp_path / "uv"),
            UV_TOOL_BIN_DIR=str(bin_dir),
        )
    installed = subprocess.run(
        ["bash", "-c", command], cwd=fresh_clone, capture_output=True, text=True, env=env, timeout=INSTALL_TIMEOUT
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    linted = subprocess.run(
        [str(bin_dir / "inngest-lint"), "examples/"],
        cwd=fresh_clone,
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=300,
    )
    assert linted.returncode == 1 and linted.stdout.strip() == _first_code_block_after("Sample output"), linted
    if tool == "pip lsp":
        server = subprocess.run(
            [str(bin_dir / "python"), "-c", "import inngest_lint.server"],
            capture_output=True,
            text=True,
            env=_clean_env(),
            timeout=300,
        )
        assert server.returncode == 0, server.stderr
