"""Shared helpers: lint snippets and projects through the real engine."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from inngest_lint.api import RunOptions, lint_paths
from inngest_lint.config import load_settings
from inngest_lint.diagnostics import Diagnostic
from inngest_lint.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


def compiling_fixtures() -> list[Path]:
    """Every fixture file that Python compiles: all of tests/fixtures/**/*.py but INN900's
    mistakes, which do not parse on purpose (for tests that parse fixtures as samples)."""
    found = []
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)
        except SyntaxError:
            continue
        found.append(path)
    return found


def write_project(root: Path, files: dict[str, str]) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'sample'\n", encoding="utf-8")
    for relative, source in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")


def lint_project(root: Path, paths: list[str] | None = None, settings: Settings | None = None) -> list[Diagnostic]:
    """Lint a project directory (absolute paths in results), as a user would from its root."""
    settings = settings or load_settings(root)
    old = os.getcwd()
    os.chdir(root)
    try:
        result = lint_paths(paths or ["."], settings, RunOptions())
    finally:
        os.chdir(old)
    assert not result.errors, result.errors
    return [d for d in result.diagnostics]


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write files into a fresh project and lint it: project({"app.py": "..."}) -> diagnostics."""

    def run(files: dict[str, str], paths: list[str] | None = None, **settings: object) -> list[Diagnostic]:
        write_project(tmp_path, files)
        base = load_settings(tmp_path)
        from dataclasses import replace

        return lint_project(tmp_path, paths, replace(base, **settings) if settings else base)

    return run


def fix_project(root: Path, settings: Settings | None = None, *, unsafe: bool = True, write: bool = True):  # type: ignore[no-untyped-def]
    """Run the fix stage on a project from its root (as `inngest-lint --fix [--unsafe-fixes] .`):
    the FixReport, after writing the changes unless `write` is False."""
    from inngest_lint.fixing import FixPolicy, fix_paths, write_changes

    settings = settings or load_settings(root)
    old = os.getcwd()
    os.chdir(root)
    try:
        report = fix_paths(["."], settings, RunOptions(), FixPolicy.from_settings(settings, unsafe=unsafe), lint_paths)
        if write:
            assert write_changes(report) == []
    finally:
        os.chdir(old)
    return report
