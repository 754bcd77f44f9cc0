"""Every configuration problem is one line naming the file and the key, and exit 2: never a
traceback, never an internal error, whichever front end reads the configuration (the command
line, the graph command, the flake8 plugin, the language server).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from inngest_lint.cli import main
from inngest_lint.config import ConfigError, load_settings

APP = "import inngest\n\nclient = inngest.Inngest(app_id='app')\n"
NESTED = "a = " + "[" * 1000 + "]" * 1000 + "\n"

#: (pyproject.toml found on the way up, the key the message must name)
PYPROJECTS = [
    (NESTED, "'a'"),
    ("[tool.inngest-lint]\nexclude = " + "[" * 1000 + "]" * 1000 + "\n", "'exclude'"),
    ("tool = 5\n", "'tool'"),
    ("tool = 'inngest-lint'\n", "'tool'"),
    ("[tool]\ninngest-lint = 5\n", "inngest-lint"),
    ("[tool.inngest-lint]\nexclude = ['!']\n", "'exclude'"),
    ("[tool.inngest-lint]\nextend-exclude = ['src', '\\']\n", "'extend-exclude'"),  # one backslash
    ("[tool.inngest-lint]\nselect = ['NOPE']\n", "'select'"),
    ("[tool.inngest-lint]\nignore = ['INN101', 'NOPE']\n", "'ignore'"),
    ("[tool.inngest-lint]\nextend-select = ['NOPE']\n", "'extend-select'"),
    ("[tool.inngest-lint]\nseverity = {NOPE = 'error'}\n", "'severity'"),
    ("[tool.inngest-lint]\nper-file-ignores = {'*.py' = ['NOPE']}\n", "'per-file-ignores'"),
    ('[tool.inngest-lint]\n"a\\nb" = 1\n', "unknown key"),
    ("[tool.inngest-lint]\nexclude = '" + "x" * 5000 + "'\n", "'exclude'"),
    ("[tool.inngest-lint\n", "line 1"),
]


def _project(root: Path, pyproject: str) -> Path:
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    service = root / "service"
    service.mkdir()
    (service / "app.py").write_text(APP, encoding="utf-8")
    return service


def _assert_one_line(message: str, path: Path, key: str) -> None:
    lines = message.strip().splitlines()
    assert len(lines) == 1, message
    assert "Traceback" not in message and "internal error" not in message, message
    assert str(path) in lines[0], message
    assert key in lines[0], message
    assert len(lines[0]) < 700, f"{len(lines[0])} characters"


@pytest.mark.parametrize(("pyproject", "key"), PYPROJECTS)
def test_cli_names_file_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pyproject: str, key: str) -> None:
    service = _project(tmp_path, pyproject)
    monkeypatch.chdir(service)
    result = CliRunner().invoke(main, ["app.py", "--no-cache"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    _assert_one_line(result.stderr, tmp_path / "pyproject.toml", key)


@pytest.mark.parametrize(("pyproject", "key"), PYPROJECTS)
def test_load_settings_raises_only_config_errors(tmp_path: Path, pyproject: str, key: str) -> None:
    service = _project(tmp_path, pyproject)
    with pytest.raises(ConfigError) as raised:
        load_settings(service)
    _assert_one_line(str(raised.value), tmp_path / "pyproject.toml", key)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("tool = 5\n", "'tool'"),
        (NESTED, "'a'"),
        ("exclude = ['!']\n", "'exclude'"),
        ("[tool]\ninngest-lint = []\n", "inngest-lint"),
    ],
)
def test_explicit_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, key: str) -> None:
    config = tmp_path / "inngest-lint.toml"
    config.write_text(text, encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for arguments in (["app.py", "--no-cache"], ["app.py", "--no-cache", "--config", str(config)], ["graph", "app.py"]):
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 2, (arguments, result.output, result.exception)
        _assert_one_line(result.stderr, config, key)


def test_cli_selector_problems_name_the_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["app.py", "--no-cache", "--select", "NOPE"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["inngest-lint: error: --select: unknown rule code or name 'NOPE'"]


def _limit_memory() -> None:
    """A regression reading /dev/zero must fail this test, not exhaust the machine's memory."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_special_pyproject_on_the_way_up_neither_hangs_nor_is_read(tmp_path: Path, kind: str) -> None:
    """The project-root search reads pyproject.toml files as text: a FIFO would block it, and a
    link to /dev/zero would read until memory runs out."""
    service = tmp_path / "service"
    service.mkdir()
    (service / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    if kind == "fifo":
        os.mkfifo(tmp_path / "pyproject.toml")
    else:
        os.symlink("/dev/zero", tmp_path / "pyproject.toml")
    completed = subprocess.run(
        [sys.executable, "-m", "inngest_lint", "app.py", "--no-cache"],
        cwd=service,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        preexec_fn=_limit_memory,
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    assert completed.returncode in (0, 2), completed
    if completed.returncode == 2:
        _assert_one_line(completed.stderr, tmp_path / "pyproject.toml", "pyproject.toml")


def test_flake8_plugin_reports_config_problems_as_one_finding(tmp_path: Path) -> None:
    pytest.importorskip("flake8")
    for pyproject in ("tool = 5\n", NESTED, "[tool.inngest-lint]\nexclude = ['!']\n"):
        (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        (tmp_path / "jobs.py").write_text(APP + "# inngest\n", encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, "-m", "flake8", "--isolated", "--select", "INN", "jobs.py"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert "Traceback" not in completed.stderr, completed.stderr
        lines = completed.stdout.splitlines()
        assert len(lines) == 1 and "INN000 inngest-lint configuration error:" in lines[0], completed


def test_language_server_reports_config_problems(tmp_path: Path) -> None:
    pytest.importorskip("pygls")
    import inngest_lint.server as server

    source = APP + "# inngest\n"
    for pyproject in ("tool = 5\n", NESTED, "[tool.inngest-lint]\nexclude = ['!']\n"):
        (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        path = tmp_path / "jobs.py"
        path.write_text(source, encoding="utf-8")
        job = server.LintJob(server.ProjectKey(tmp_path), (server.DocumentSnapshot(path.as_uri(), path, source, 1),))
        outcome = server.run_lint_job(job)
        assert len(outcome.problems) == 1, outcome.problems
        _assert_one_line(outcome.problems[0], tmp_path / "pyproject.toml", "")


def test_a_gitignore_line_the_matcher_rejects_is_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As git leaves it out: one bad line in some folder's .gitignore must not end the run."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("!\n\\\nignored.py\n", encoding="utf-8")
    bad = "import inngest\n\nclient = inngest.Inngest(app_id='app')\nclient.send_sync(inngest.Event(name='Bad Name'))\n"
    (tmp_path / "ignored.py").write_text(bad, encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [".", "--no-cache"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "1 file" in result.stdout  # app.py; ignored.py is still ignored


def test_the_root_search_and_the_settings_search_agree_on_what_configures_the_linter(tmp_path: Path) -> None:
    """One test (`config.linter_config_in`) for both: a table TOML spells without a
    `[tool.inngest-lint]` header still configures the linter, and makes that folder the root."""
    from inngest_lint.config import find_config_file
    from inngest_lint.discovery import find_project_root

    service = _project(tmp_path, "[tool]\ninngest-lint = { select = ['INN1'] }\n")
    (service / "pyproject.toml").write_text("[project]\nname = 'service'\n", encoding="utf-8")
    assert find_config_file(service) == tmp_path / "pyproject.toml"
    assert find_project_root(service) == tmp_path.resolve()

    # Broken on the way up: the settings search says so; the root search passes it by.
    (tmp_path / "pyproject.toml").write_text("[tool.inngest-lint\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config_file(service)
    assert find_project_root(service) == service.resolve()
