"""The README's first screen stays true: its test command is what CI runs, its sample output is
what the tool prints on the example app, and docs/rules.md is fresh."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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
        [sys.executable, "-m", "inngest_lint", "examples/"], cwd=ROOT, capture_output=True, text=True,
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
        [sys.executable, "-m", "inngest_lint", "graph", "--no-cache", "examples/"], cwd=ROOT,
        capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == match.group(1).strip(), "README graph is stale: run `inngest-lint graph examples/`"
