"""Fixture files vs their inline `# error:` annotations, compared as sets.

- `tests/fixtures/rules/<CODE>/*.py`: each file is linted alone (its own one-file project) with
  every rule enabled; findings of <CODE> and of any code annotated in the file are compared.
  An optional `<name>.toml` beside a fixture holds `[tool.inngest-lint]` settings for it.
- `tests/fixtures/rules/<CODE>/<name>/`: a small project laid out as real ones are (for rules
  that read several files), linted from its root with every rule enabled; findings of <CODE>
  and of any code annotated in its files are compared. Its pyproject.toml may set options.
  A deploy-safety rule's folder (INN7xx) holds `before/` and `after/`: the two versions, which
  tests/test_deploy_safety.py commits and compares with `since`.
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
from inngest_lint.registry import all_rules

RULE_FIXTURES = sorted((FIXTURES / "rules").glob("INN*/*.py"))
#: A folder with `before/` and `after/` holds the two versions of a deploy-safety rule's project
#: (INN7xx), linted with `since` by tests/test_deploy_safety.py, not as two projects here.
RULE_PROJECTS = sorted(
    path
    for path in (FIXTURES / "rules").glob("INN*/*")
    if path.is_dir() and not ((path.parent / "before").is_dir() and (path.parent / "after").is_dir())
)
RULE_FOLDERS = sorted(path for path in (FIXTURES / "rules").glob("INN*") if path.is_dir())
#: What `scripts/new_rule.py` writes in a fixture still to be written.
PLACEHOLDER = "TODO(new-rule)"
PROJECTS = (
    sorted(path for path in (FIXTURES / "projects").iterdir() if path.is_dir())
    if (FIXTURES / "projects").is_dir()
    else []
)


def _found(diagnostics: list) -> list[tuple[str, int, str, str]]:
    return [(str(Path(d.path).resolve()), d.line, d.code, d.message) for d in diagnostics]


def _lint_project(project_dir: Path, settings: Settings) -> list[tuple[str, int, str, str]]:
    """Every finding in a fixture project, linted from its root as a user would."""
    old = os.getcwd()
    os.chdir(project_dir)
    try:
        result = lint_paths(["."], settings, RunOptions(use_cache=False))
    finally:
        os.chdir(old)
    assert not result.errors
    return [(str((project_dir / d.path).resolve()), d.line, d.code, d.message) for d in result.diagnostics]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_every_rule_has_a_fixture_folder(rule: type) -> None:
    assert (FIXTURES / "rules" / rule.code).is_dir(), f"{rule.code} has no tests/fixtures/rules/{rule.code}/"


@pytest.mark.parametrize("folder", RULE_FOLDERS, ids=lambda p: p.name)
def test_fixture_folder_expects_its_code(folder: Path) -> None:
    """A rule's fixtures show it finding something, not only staying silent."""
    expected = annotations_in_tree(folder)
    assert any(e.code == folder.name for e in expected), f"no `# error: {folder.name}` in {folder}"


@pytest.mark.parametrize("fixture", RULE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixture(fixture: Path) -> None:
    assert PLACEHOLDER not in fixture.read_text(encoding="utf-8"), f"fill in {fixture} (it says {PLACEHOLDER})"
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


@pytest.mark.parametrize("project_dir", RULE_PROJECTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_project_fixture(project_dir: Path) -> None:
    found = _lint_project(project_dir, replace(load_settings(project_dir), select=("ALL",)))
    expected = annotations_in_tree(project_dir)
    problems = compare(expected, found, {project_dir.parent.name} | {e.code for e in expected})
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("project_dir", PROJECTS, ids=lambda p: p.name)
def test_project_fixture(project_dir: Path) -> None:
    found = _lint_project(project_dir, load_settings(project_dir))
    problems = compare(annotations_in_tree(project_dir), found, None)
    assert not problems, "\n".join(problems)
