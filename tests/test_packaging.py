"""Release plumbing: the version lives in one place, the changelog knows it, and .ci/tag-release
creates the tag only when the changelog is ready."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from inngest_lint import __version__

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_version_lives_in_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "inngest_lint.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:(?:a|b|rc|\.dev)\d+)?", __version__), __version__


def test_the_graph_viewer_ships_as_package_data() -> None:
    """The viewer's CSS and script are files of the package: pyproject's package-data must name
    each, or the wheel draws pages without them."""
    from inngest_lint.graph.html import viewer_asset

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["inngest_lint.graph"]
    graph = ROOT / "inngest_lint" / "graph"
    assets = sorted(path.relative_to(graph).as_posix() for path in (graph / "assets").iterdir())
    assert assets == ["assets/viewer.css", "assets/viewer.js"]
    assert all(any(fnmatch.fnmatch(asset, pattern) for pattern in patterns) for asset in assets), patterns
    assert "data-ready" in viewer_asset("viewer.js") and ":root" in viewer_asset("viewer.css")


def test_changelog_has_unreleased_and_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert re.search(rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M), __version__


def test_build_and_publish_tools_are_in_the_test_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    test_extra = project["project"]["optional-dependencies"]["test"]
    names = {re.split(r"[<>=;\[ ]", requirement)[0] for requirement in test_extra}
    assert {"build", "twine"} <= names


def test_release_workflow_publishes_tags_with_trusted_publishing() -> None:
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert 'tags: ["v*"]' in workflow
    assert "id-token: write" in workflow
    assert "pypa/gh-action-pypi-publish@release/v1" in workflow
    assert "twine check" in workflow and "python -m build" in workflow


CHANGELOG = """\
# Changelog

## [Unreleased]
{unreleased}
## [1.2.0] - 2027-01-02

- Something.
"""


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None, reason="needs git and bash")
def test_tag_release_refuses_until_the_changelog_is_ready(tmp_path: Path) -> None:
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "tag-release", tmp_path / ".ci" / "tag-release")
    (tmp_path / "inngest_lint").mkdir()
    (tmp_path / "inngest_lint" / "__init__.py").write_text('__version__ = "1.2.0"\n', encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG.format(unreleased="\n- Not moved yet.\n"), encoding="utf-8")

    def git(*args: str) -> str:
        return subprocess.run(
            [
                "git",
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false",
                *args,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def tag_release() -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ["PATH"],
            "GIT_AUTHOR_NAME": "T",
            "GIT_COMMITTER_NAME": "T",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "HOME": str(tmp_path),
        }
        return subprocess.run(
            ["bash", ".ci/tag-release"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60
        )

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "one")
    refused = tag_release()
    assert refused.returncode == 1 and "[Unreleased]" in refused.stderr, refused.stderr

    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG.format(unreleased=""), encoding="utf-8")
    dirty = tag_release()
    assert dirty.returncode == 1 and "uncommitted" in dirty.stderr, dirty.stderr

    git("commit", "-qam", "two")
    created = tag_release()
    assert created.returncode == 0, created.stderr
    assert git("tag", "--list").split() == ["v1.2.0"]
    assert git("cat-file", "-t", "v1.2.0").strip() == "tag"  # annotated

    again = tag_release()
    assert again.returncode == 1 and "already exists" in again.stderr
