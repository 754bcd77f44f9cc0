"""Every rule's VALID and INVALID examples run through the real engine (they are also its docs:
the first INVALID is the rule's Example, the first VALID its Use instead).

A case that is a dict may hold a `pyproject.toml`, whose `[tool.inngest-lint]` options apply.
A case still holding the `TODO(new-rule)` placeholder of `scripts/new_rule.py` fails.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from annotations import parse_annotations
from conftest import fix_project, lint_project, write_project
from git_projects import GitProject

from inngest_lint.config import load_settings
from inngest_lint.registry import all_rules
from inngest_lint.rules._deploy import DeployRule
from inngest_lint.settings import Settings

#: What `scripts/new_rule.py` writes where a case is still to be written.
PLACEHOLDER = "TODO(new-rule)"


def _cases(kind: str) -> list[object]:
    cases = []
    for rule in all_rules():
        for number, example in enumerate(getattr(rule, kind)):
            cases.append(pytest.param(rule, example, id=f"{rule.code}-{kind.lower()}-{number}"))
    return cases


def _files(example: object) -> dict[str, str]:
    if isinstance(example, dict):
        return {path: textwrap.dedent(source).lstrip("\n") for path, source in example.items()}
    return {"app.py": textwrap.dedent(str(example)).lstrip("\n")}


def _run(tmp_path: Path, rule: type, example: object) -> tuple[dict[str, str], list]:
    files = _files(example)
    unfilled = [path for path, source in files.items() if PLACEHOLDER in source]
    assert not unfilled, f"{rule.code}: fill in the example ({', '.join(unfilled)} still says {PLACEHOLDER!r})"
    if issubclass(rule, DeployRule):
        return _run_deploy(tmp_path, rule, files)
    write_project(tmp_path, files)
    settings = replace(load_settings(tmp_path), select=(rule.code,), root=str(tmp_path))
    found = [d for d in lint_project(tmp_path, settings=settings) if d.code == rule.code]
    return files, found


def _run_deploy(tmp_path: Path, rule: type, files: dict[str, str]) -> tuple[dict[str, str], list]:
    """A deploy rule's example: `before/...` files committed, `after/...` files in the work
    tree, linted with `since="HEAD"`."""
    before = {path[len("before/") :]: source for path, source in files.items() if path.startswith("before/")}
    after = {path[len("after/") :]: source for path, source in files.items() if path.startswith("after/")}
    repository = GitProject(tmp_path)
    repository.commit(before)
    repository.change(after, remove=set(before) - set(after))
    settings = Settings(select=(rule.code,), root=str(tmp_path), since="HEAD")
    found = [d for d in lint_project(tmp_path, settings=settings) if d.code == rule.code]
    return after, found


@pytest.mark.parametrize(("rule", "example"), _cases("VALID"))
def test_valid_example_is_not_flagged(tmp_path: Path, rule: type, example: object) -> None:
    _, found = _run(tmp_path, rule, example)
    assert found == [], [f"{d.path}:{d.line}: {d.message}" for d in found]


@pytest.mark.parametrize(("rule", "example"), _cases("INVALID"))
def test_invalid_example_is_flagged(tmp_path: Path, rule: type, example: object) -> None:
    files, found = _run(tmp_path, rule, example)
    assert found, f"{rule.code} found nothing"
    expected = {
        (path, e.line) for path, source in files.items() for e in parse_annotations(source, path) if e.code == rule.code
    }
    if expected:
        got = {(str(Path(d.path).as_posix()), d.line) for d in found}
        assert got == expected


def _fix_cases() -> list[object]:
    cases = []
    for rule in all_rules():
        for number, (before, after) in enumerate(rule.FIXES):
            cases.append(pytest.param(rule, before, after, id=f"{rule.code}-fix-{number}"))
    return cases


@pytest.mark.parametrize(("rule", "before", "after"), _fix_cases())
def test_fix_example_gives_the_code_after(tmp_path: Path, rule: type, before: object, after: object) -> None:
    """Fixit's `expected_replacement`: the code before, fixed with --fix --unsafe-fixes, is the
    code after; the fixed code no longer has a finding this rule can fix."""
    files = _files(before)
    write_project(tmp_path, files)
    settings = Settings(select=(rule.code,), root=str(tmp_path))
    report = fix_project(tmp_path, settings)
    assert report.problems == []
    assert report.fixed_count() >= 1
    expected = _files(after)
    for path in sorted(set(files) | set(expected)):
        assert (tmp_path / path).read_text(encoding="utf-8") == expected.get(path, files.get(path)), path
    left = [d for d in lint_project(tmp_path, settings=settings) if d.code == rule.code and d.fix is not None]
    assert left == [], [d.message for d in left]


@pytest.mark.parametrize(("rule", "example"), _cases("VALID"))
def test_valid_example_has_no_fix(tmp_path: Path, rule: type, example: object) -> None:
    files = _files(example)
    write_project(tmp_path, files)
    report = fix_project(tmp_path, Settings(select=(rule.code,), root=str(tmp_path)), write=False)
    assert report.changed == {}


def test_every_fixable_rule_has_fix_examples_and_a_fix_section() -> None:
    for rule in all_rules():
        assert bool(rule.fixable) == bool(rule.FIXES), rule.code
        assert rule.fixable in ("", "safe", "unsafe"), rule.code
        assert ("## Fix\n" in rule.docs() + "\n") == bool(rule.fixable), rule.code
