"""Fixture files vs their inline `# error:` annotations, compared as sets.

- `tests/fixtures/rules/<CODE>/*.py`: each file is linted alone (its own one-file project) with
  every rule enabled; findings of <CODE> and of any code annotated in the file are compared.
  An optional `<name>.toml` beside a fixture holds `[tool.inngest-lint]` settings for it.
- `tests/fixtures/projects/<scenario>/`: a whole project (its own pyproject.toml sets options),
  linted from its root; every finding in it is compared with the annotations in all its files.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from annotations import annotations_in_tree, compare, parse_annotations
from conftest import FIXTURES

from inngest_lint.api import RunOptions, lint_paths
from inngest_lint.config import (
    Settings,
    load_config_table,
    load_settings,
    settings_from_table,
)

RULE_FIXTURES = sorted((FIXTURES / "rules").glob("INN*/*.py"))
PROJECTS = (
    sorted(path for path in (FIXTURES / "projects").iterdir() if path.is_dir())
    if (FIXTURES / "projects").is_dir()
    else []
)


def _found(diagnostics: list) -> list[tuple[str, int, str, str]]:
    return [(str(Path(d.path).resolve()), d.line, d.code, d.message) for d in diagnostics]


@pytest.mark.parametrize("fixture", RULE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixture(fixture: Path) -> None:
    config = fixture.with_suffix(".toml")
    settings = settings_from_table(load_config_table(config), config) if config.exists() else Settings()
    settings = replace(settings, select=("ALL",), root=str(fixture.parent))
    result = lint_paths([str(fixture)], settings, RunOptions(isolated=True, project_root=fixture.parent))
    assert not result.errors
    source = fixture.read_text(encoding="utf-8")
    expected = parse_annotations(source, str(fixture.resolve()))
    codes = {fixture.parent.name} | {e.code for e in expected}
    problems = compare(expected, _found(result.diagnostics), codes)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("project_dir", PROJECTS, ids=lambda p: p.name)
def test_project_fixture(project_dir: Path) -> None:
    old = os.getcwd()
    os.chdir(project_dir)
    try:
        result = lint_paths(["."], load_settings(project_dir), RunOptions(use_cache=False))
    finally:
        os.chdir(old)
    assert not result.errors
    expected = annotations_in_tree(project_dir)
    found = [(str((project_dir / d.path).resolve()), d.line, d.code, d.message) for d in result.diagnostics]
    problems = compare(expected, found, None)
    assert not problems, "\n".join(problems)
