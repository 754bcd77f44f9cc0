"""The flake8 plugin, through real flake8: codes, positions, flake8's noqa, project rules.

flake8 finds the plugin through the installed `flake8.extension` entry point, so these tests
also prove the packaging (`pip install -e .` after the entry point was added).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

pytest.importorskip("flake8", reason="flake8 is not installed (pip install -e '.[test]')")

JOBS = textwrap.dedent(
    """
    import inngest

    client = inngest.Inngest(app_id="app")


    @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
    async def a(ctx: inngest.Context) -> None:
        for item in ctx.event.data["items"]:
            await ctx.step.run("process", work, item)


    @client.create_function(fn_id="b", trigger=inngest.TriggerEvent(event="app/b"))
    async def b(ctx: inngest.Context) -> None:
        await ctx.step.run("notify", work, ctx.event.data)


    async def work(item: object) -> None:
        return None
    """
).lstrip()

MAIN_SERVING_A_ONLY = textwrap.dedent(
    """
    import inngest.fast_api
    from fastapi import FastAPI

    from jobs import a, client

    app = FastAPI()
    inngest.fast_api.serve(app, client, [a])
    """
).lstrip()

FINE = JOBS.replace('"process"', 'f"process-{item}"')


def _entry_point_registered() -> bool:
    return any(
        entry.name == "INN" and entry.value == "inngest_lint.flake8_plugin:Flake8Plugin"
        for entry in metadata.entry_points(group="flake8.extension")
    )


def flake8(root: Path, *args: str) -> tuple[int, list[str]]:
    """Run real flake8 in `root` (no user or project flake8 config) -> (exit code, lines)."""
    assert _entry_point_registered(), "the INN flake8 entry point is not installed: pip install -e ."
    completed = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    return completed.returncode, completed.stdout.splitlines()


def write(root: Path, files: dict[str, str], pyproject: str = "[project]\nname = 'sample'\n") -> None:
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


def test_per_file_rule_with_flake8_line_and_column(tmp_path: Path) -> None:
    write(tmp_path, {"jobs.py": JOBS})
    code, lines = flake8(tmp_path, "--select", "INN", "jobs.py")
    assert code == 1
    # The step ID string on line 9 starts in column 28 (1-based), as inngest-lint prints it.
    assert len(lines) == 1
    assert lines[0].startswith("jobs.py:9:28: INN101 step ID 'process' is the same on every iteration")


def test_flake8_noqa_is_honoured(tmp_path: Path) -> None:
    write(tmp_path, {"jobs.py": JOBS.replace("work, item)", "work, item)  # noqa: INN101")})
    assert flake8(tmp_path, "--select", "INN", "jobs.py") == (0, [])


def test_flake8_noqa_for_another_code_does_not_hide_ours(tmp_path: Path) -> None:
    write(tmp_path, {"jobs.py": JOBS.replace("work, item)", "work, item)  # noqa: E501")})
    code, lines = flake8(tmp_path, "--select", "INN", "jobs.py")
    assert code == 1 and [line.split(" ")[1] for line in lines] == ["INN101"]


def test_project_rule_when_flake8_lints_one_file_of_two(tmp_path: Path) -> None:
    write(tmp_path, {"jobs.py": FINE, "main.py": MAIN_SERVING_A_ONLY})
    code, lines = flake8(tmp_path, "--select", "INN", "jobs.py")
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith("jobs.py:13:11: INN201 Inngest function 'b' (b) is never passed to serve()")
    # The finding is in jobs.py only: linting main.py alone reports nothing.
    assert flake8(tmp_path, "--select", "INN", "main.py") == (0, [])


def test_project_rule_sees_the_other_file_serving_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": FINE,
            "main.py": MAIN_SERVING_A_ONLY.replace("[a]", "[a, b]").replace("import a, client", "import a, b, client"),
        },
    )
    assert flake8(tmp_path, "--select", "INN", "jobs.py") == (0, [])


def test_nothing_when_the_file_is_fine(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs.py": FINE,
            "main.py": MAIN_SERVING_A_ONLY.replace("[a]", "[a, b]").replace("import a, client", "import a, b, client"),
        },
    )
    assert flake8(tmp_path, "jobs.py", "main.py", "--select", "INN") == (0, [])


def test_flake8_ignore_filters_our_codes(tmp_path: Path) -> None:
    write(tmp_path, {"jobs.py": JOBS, "main.py": MAIN_SERVING_A_ONLY})
    code, lines = flake8(tmp_path, "--select", "INN", "--extend-ignore", "INN101", "jobs.py")
    assert code == 1
    assert [line.split(" ")[1] for line in lines] == ["INN201"]


def test_off_by_default_rule_needs_an_explicit_opt_in_and_honours_settings(tmp_path: Path) -> None:
    served_both = MAIN_SERVING_A_ONLY.replace("[a]", "[a, b]").replace("import a, client", "import a, b, client")
    # The app sends some event (a project that sends none is driven from outside: INN304 is silent).
    served_both += '\n\ndef signup() -> None:\n    client.send_sync(inngest.Event(name="app/signed-up", data={}))\n'
    served_both = served_both.replace("import inngest.fast_api", "import inngest\nimport inngest.fast_api")
    write(tmp_path, {"jobs.py": FINE, "main.py": served_both})
    # INN304 (trigger never sent) is off by default: the bare plugin prefix does not turn it on...
    assert flake8(tmp_path, "--select", "INN", "jobs.py") == (0, [])
    # ...naming it does.
    code, lines = flake8(tmp_path, "--select", "INN", "--extend-select", "INN304", "jobs.py")
    assert code == 1 and {line.split(" ")[1] for line in lines} == {"INN304"}
    # The project's rule settings apply: events declared external are sent from elsewhere.
    write(
        tmp_path,
        {"jobs.py": FINE, "main.py": served_both},
        pyproject="[project]\nname = 'sample'\n\n[tool.inngest-lint]\nexternal-events = ['app/*']\n",
    )
    assert flake8(tmp_path, "--select", "INN", "--extend-select", "INN304", "jobs.py") == (0, [])


def test_invalid_project_config_is_one_clear_finding_not_a_crash(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"jobs.py": JOBS},
        pyproject="[project]\nname = 'sample'\n\n[tool.inngest-lint]\nexternal-event = ['app/*']\n",
    )
    code, lines = flake8(tmp_path, "--select", "INN", "jobs.py")
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith("jobs.py:1:1: INN000 inngest-lint configuration error:")
    assert "external-event" in lines[0] and "did you mean 'external-events'" in lines[0]


def test_unsaved_text_from_stdin_is_linted_as_given(tmp_path: Path) -> None:
    """Editors pipe the buffer with --stdin-display-name: positions follow the buffer."""
    write(tmp_path, {"jobs.py": FINE, "main.py": MAIN_SERVING_A_ONLY})
    buffer = FINE.replace('\n\n@client.create_function(fn_id="b"', '\n\n\n\n@client.create_function(fn_id="b"')
    completed = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "INN", "--stdin-display-name", "jobs.py", "-"],
        cwd=tmp_path,
        input=buffer,
        capture_output=True,
        text=True,
        check=False,
    )
    assert [line.split(": ")[0] for line in completed.stdout.splitlines()] == ["jobs.py:15:11"]


def test_the_project_pass_runs_once_per_process_and_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """flake8 calls the plugin per file; the whole-project pass must not follow it per file."""
    from flake8.main.cli import main as flake8_main

    import inngest_lint.flake8_plugin as plugin

    write(tmp_path, {"jobs.py": JOBS, "main.py": MAIN_SERVING_A_ONLY, "more.py": FINE.replace('"a"', '"c"')})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(plugin, "_CACHE", plugin._ProjectCache())
    monkeypatch.setattr(plugin.Flake8Plugin, "_flake8_selectors", ())  # restored after the test
    passes: list[str] = []
    original = plugin._whole_project_pass

    def counted(*args: object, **kwargs: object) -> object:
        passes.append(str(args[0]))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(plugin, "_whole_project_pass", counted)
    code = flake8_main(["--isolated", "--select", "INN", "-j", "1", "jobs.py", "main.py", "more.py"])
    assert code == 1
    assert passes == [str(tmp_path.resolve())]
    assert "jobs.py:13:11: INN201" in capsys.readouterr().out
