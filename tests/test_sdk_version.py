"""Which SDK version a project uses (`facts.sdk_version`): lock files, pins, constraints, setting."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import lint_project, write_project

from inngest_lint import sdk
from inngest_lint.config import ConfigError, settings_from_table
from inngest_lint.facts.sdk_version import SdkVersions, parse_version, version_of_constraint


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def _version(root: Path, files: dict[str, str], setting: str | None = None, where: str = "app/jobs.py"):
    (root / ".git").mkdir(parents=True, exist_ok=True)  # the repository root: the search stops here
    _write(root, {where: "", **files})
    return SdkVersions(setting).for_path(str(root / where))


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (">=0.4,<0.5", (0, 4)),
        (">=0.4, <0.5.0", (0, 4)),
        (">=0.4", sdk.NEWEST_VERSION),
        ("^0.4", (0, 4)),
        ("~0.4.1", (0, 4)),
        ("~=0.4.2", (0, 4)),
        ("~=0.4", sdk.NEWEST_VERSION),
        ("==0.4.22", (0, 4, 22)),
        ("==0.4.*", (0, 4)),
        ("<=0.4.22", (0, 4, 22)),
        ("!=0.5.1", sdk.NEWEST_VERSION),
    ],
)
def test_constraint_gives_the_newest_series_it_allows(constraint: str, expected: tuple[int, ...]) -> None:
    assert version_of_constraint(constraint) == expected


def test_parse_version_drops_pre_release_tags() -> None:
    assert parse_version("0.5.20a0") == (0, 5, 20)
    assert parse_version("0.4") == (0, 4)
    assert parse_version("latest") is None


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("uv.lock", '[[package]]\nname = "inngest"\nversion = "0.4.22"\n'),
        ("poetry.lock", '[[package]]\nname = "inngest"\nversion = "0.4.22"\ndescription = ""\n'),
        ("pdm.lock", '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "inngest"\nversion = "0.4.22"\n'),
    ],
)
def test_lock_files(tmp_path: Path, name: str, text: str) -> None:
    found = _version(tmp_path, {name: text, "pyproject.toml": '[project]\ndependencies = ["inngest>=0.5"]\n'})
    assert (found.version, found.source, found.where) == ((0, 4, 22), "lock", name)
    assert found.described() == f"SDK 0.4.22 ({name}: inngest 0.4.22)"


def test_requirements_pin_beats_pyproject_constraint(tmp_path: Path) -> None:
    found = _version(
        tmp_path,
        {
            "requirements-prod.txt": "inngest-tools==2.0\ninngest[connect]==0.4.3 ; python_version >= '3.10'\n",
            "pyproject.toml": '[project]\ndependencies = ["inngest>=0.5"]\n',
        },
    )
    assert (found.version, found.source, found.where) == ((0, 4, 3), "pin", "requirements-prod.txt:2")


def test_pyproject_constraint_then_requirements_constraint(tmp_path: Path) -> None:
    found = _version(tmp_path, {"pyproject.toml": '[project]\ndependencies = ["fastapi", "inngest >=0.4,<0.5"]\n'})
    assert (found.series, found.source) == ((0, 4), "constraint")
    found = _version(tmp_path / "other", {"requirements.txt": "inngest>=0.3,<0.4\n"})
    assert (found.series, found.source, found.where) == ((0, 3), "constraint", "requirements.txt:1")


def test_nearest_folder_wins_and_the_search_stops_at_the_repository(tmp_path: Path) -> None:
    _write(tmp_path, {"requirements.txt": "inngest==0.4.22\n"})  # above the repository: not read
    repo = tmp_path / "repo"
    files = {
        "requirements.txt": "inngest==0.5.19\n",
        "services/old/uv.lock": '[[package]]\nname = "inngest"\nversion = "0.4.1"\n',
    }
    assert _version(repo, files, where="services/old/app/jobs.py").version == (0, 4, 1)
    assert _version(repo, files, where="services/new/app/jobs.py").version == (0, 5, 19)
    assert not _version(tmp_path / "empty", {}).known


def test_setting_when_the_project_says_nothing(tmp_path: Path) -> None:
    found = _version(tmp_path, {}, setting="0.4")
    assert (found.series, found.source) == ((0, 4), "setting")
    assert found.described() == "SDK 0.4 (the sdk-version setting)"
    found = _version(tmp_path / "pinned", {"requirements.txt": "inngest==0.5.3\n"}, setting="0.4")
    assert found.version == (0, 5, 3)


def test_a_broken_lock_file_does_not_hide_the_others(tmp_path: Path) -> None:
    found = _version(tmp_path, {"uv.lock": "[[package]\nbroken", "requirements.txt": "inngest==0.4.2\n"})
    assert (found.version, found.source) == ((0, 4, 2), "pin")


def test_sdk_version_setting_is_checked() -> None:
    assert settings_from_table({"sdk-version": "0.4"}, None).sdk_version == "0.4"
    with pytest.raises(ConfigError, match="sdk-version"):
        settings_from_table({"sdk-version": "latest"}, None)


def test_setting_reaches_the_rule(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "app/jobs.py": """
                import inngest

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
                async def a(ctx: inngest.Context, step: inngest.Step) -> None:
                    await step.run("a", a)
            """,
        },
    )
    (tmp_path / ".git").mkdir()
    assert [d.code for d in lint_project(tmp_path) if d.code == "INN615"] == []
    with (tmp_path / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tool.inngest-lint]\nsdk-version = "0.5"\n')
    found = [d for d in lint_project(tmp_path) if d.code == "INN615"]
    assert len(found) == 1 and "SDK 0.5 (the sdk-version setting)" in found[0].message
