"""Repositories holding several services: a service's findings do not depend on where the
linter starts (the repository root, the service's folder, or one staged file as pre-commit
passes it), and no service borrows another's client, functions or module names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURES

from inngest_lint.api import RunOptions, lint_paths
from inngest_lint.config import load_settings

MONOREPOS = ["two_services_same_package", "namespace_src_layouts"]
Finding = tuple[str, int, int, str, str]


def run(cwd: Path, paths: list[str]) -> set[Finding]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = lint_paths(paths, load_settings(Path(paths[0])), RunOptions(use_cache=False))
    finally:
        os.chdir(old)
    assert not result.errors, result.errors
    return {(str((cwd / d.path).resolve()), d.line, d.column, d.code, d.message) for d in result.diagnostics}


def services(root: Path) -> list[Path]:
    return sorted(path for path in root.iterdir() if path.is_dir() and any(path.rglob("*.py")))


@pytest.mark.parametrize("name", MONOREPOS)
def test_a_service_has_the_same_findings_from_anywhere(name: str) -> None:
    root = FIXTURES / "projects" / name
    everything = run(root, ["."])
    assert everything, "the fixture holds findings to compare"
    for service in services(root):
        own = {finding for finding in everything if Path(finding[0]).is_relative_to(service)}
        assert run(service, ["."]) == own, f"run from {service.name}/"
        assert run(root, [str(service.relative_to(root))]) == own, f"run on {service.name}/ from the root"
        for file in sorted(service.rglob("*.py")):
            staged = {finding for finding in own if finding[0] == str(file)}
            found = run(root, [str(file.relative_to(root))])
            assert staged <= found, f"pre-commit on {file.relative_to(root)}"
            # And the findings this file causes elsewhere in its own service, reported here.
            for code, message in ((extra[3], extra[4]) for extra in found - staged):
                original = message.rsplit(" (affected code: ", 1)[0]
                assert original != message and any(f[3] == code and f[4] == original for f in own), message


def test_cross_file_messages_name_paths_from_the_project_root() -> None:
    root = FIXTURES / "projects" / "two_services_same_package"
    messages = [finding[4] for finding in run(root / "api" / "app", ["."])]
    assert any("(api/app/main.py:10)" in message for message in messages), messages
    assert not any(str(root) in message for message in messages), "no absolute paths"
