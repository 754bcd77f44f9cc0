"""The fix stage: `--fix`, `--unsafe-fixes`, `--diff`, the settings, the checks before a write, and
the write path (atomic, encoding, line endings, mode, links, files that changed or are read-only).

The last tests apply `--fix --unsafe-fixes` to copies of every fixture and example in the
repository: each result parses, a second run changes nothing, the fixed findings are gone, and no
finding of any code appears that was not there before.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import textwrap
from collections import Counter
from dataclasses import replace
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, fix_project, lint_project, write_project

from inngest_lint.api import RunOptions, RunResult
from inngest_lint.cli import main
from inngest_lint.config import load_config_table, load_settings, settings_from_table
from inngest_lint.diagnostics import SAFE, Diagnostic, Edit, Fix
from inngest_lint.fixing import FixPolicy, FixReport, fix_paths, unified_diff, write_changes
from inngest_lint.settings import Settings

REPO = Path(__file__).resolve().parents[1]

#: One safe finding (INN103: not awaited), one unsafe (INN105: no timeout), one other (INN101).
APP = """\
import inngest

client = inngest.Inngest(app_id="app")


@client.create_function(fn_id="signup", trigger=inngest.TriggerEvent(event="app/signup"))
async def signup(ctx: inngest.Context) -> None:
    ctx.step.run("send-welcome", send_welcome_email)
    await ctx.step.wait_for_event("reply", event="app/reply")
    for item in ctx.event.data["items"]:
        await ctx.step.run("process", process, item["id"])
"""
AWAITED = '    await ctx.step.run("send-welcome", send_welcome_email)\n'


def _run(root: Path, *args: str) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", "--no-cache", *args])
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def _project(tmp_path: Path, text: str = APP, name: str = "app.py") -> Path:
    write_project(tmp_path, {name: text})
    return tmp_path / name


# ---------------------------------------------------------------------------------- the CLI
def test_fix_applies_safe_fixes_and_prints_what_remains(tmp_path: Path) -> None:
    app = _project(tmp_path)
    code, out, err = _run(tmp_path, "--fix", "--show-fixes", ".")
    text = app.read_text(encoding="utf-8")
    assert AWAITED in text
    assert 'event="app/reply")' in text  # INN105's fix is unsafe: not applied
    assert code == 1  # INN105 and INN101 remain
    assert "INN105" in out and "INN101" in out and "INN103" not in out
    assert "fixed: app.py:8: INN103 add `await`" in err
    assert "fixed 1 finding(s) in 1 file(s)" in err


def test_unsafe_fixes_apply_with_the_option(tmp_path: Path) -> None:
    app = _project(tmp_path)
    code, out, _ = _run(tmp_path, "--fix", "--unsafe-fixes", ".")
    text = app.read_text(encoding="utf-8")
    assert "timeout=datetime.timedelta(days=1)" in text and "import datetime\n" in text
    assert 'f"process-{item}"' not in text  # the call reads item["id"]: the item is a record
    assert code == 1 and "INN101" in out


def test_diff_prints_the_changes_and_writes_nothing(tmp_path: Path) -> None:
    app = _project(tmp_path)
    before = app.read_bytes()
    mtime = app.stat().st_mtime_ns
    code, out, err = _run(tmp_path, "--diff", ".")
    assert code == 1
    assert out.startswith("--- a/app.py\n+++ b/app.py\n")
    assert "-    ctx.step.run(" in out and "+    await ctx.step.run(" in out
    assert "would fix 1 finding(s) in 1 file(s)" in err
    assert app.read_bytes() == before and app.stat().st_mtime_ns == mtime
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".inngest-lint-")] == []


def test_diff_without_fixes_exits_0(tmp_path: Path) -> None:
    _project(tmp_path, APP.replace("    ctx.step.run(", "    await ctx.step.run("))
    code, out, _ = _run(tmp_path, "--diff", ".")
    assert code == 0 and out == ""


def test_a_lint_says_how_many_findings_fix_would_fix(tmp_path: Path) -> None:
    _project(tmp_path)
    code, _, err = _run(tmp_path, ".")
    assert code == 1 and "[*] 1 fixable with --fix (1 more with --unsafe-fixes)" in err


def test_noqa_keeps_a_finding_from_being_fixed(tmp_path: Path) -> None:
    app = _project(tmp_path, APP.replace("send_welcome_email)\n", "send_welcome_email)  # noqa: INN103\n"))
    _run(tmp_path, "--fix", ".")
    assert AWAITED.rstrip("\n") not in app.read_text(encoding="utf-8")


def test_only_selected_and_fixable_codes_are_fixed(tmp_path: Path) -> None:
    app = _project(tmp_path)
    _run(tmp_path, "--fix", "--ignore", "INN103", ".")
    assert AWAITED not in app.read_text(encoding="utf-8")
    _run(tmp_path, "--fix", "--unfixable", "INN103", ".")
    assert AWAITED not in app.read_text(encoding="utf-8")
    _run(tmp_path, "--fix", "--fixable", "INN105", "--unsafe-fixes", ".")
    text = app.read_text(encoding="utf-8")
    assert AWAITED not in text and "timeout=" in text


def test_fix_settings_in_the_configuration(tmp_path: Path) -> None:
    app = _project(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.inngest-lint]\nfix = true\nunsafe-fixes = true\nunfixable = ["INN103"]\n',
        encoding="utf-8",
    )
    _run(tmp_path, ".")
    text = app.read_text(encoding="utf-8")
    assert AWAITED not in text and "timeout=" in text
    app.write_text(APP, encoding="utf-8")
    _run(tmp_path, "--no-fix", ".")
    assert app.read_text(encoding="utf-8") == APP


def test_fix_settings_are_validated(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.inngest-lint]\nfixable = ["INN999"]\n', encoding="utf-8")
    code, _, err = _run(tmp_path, ".")
    assert code == 2 and "fixable" in err
    (tmp_path / "pyproject.toml").write_text('[tool.inngest-lint]\nfix = "yes"\n', encoding="utf-8")
    code, _, err = _run(tmp_path, ".")
    assert code == 2 and "'fix' must be true or false" in err


def test_fix_cannot_read_stdin_or_watch(tmp_path: Path) -> None:
    _project(tmp_path)
    code, _, err = _run(tmp_path, "--fix", "--watch", ".")
    assert code == 2 and "cannot be combined" in err


def test_rules_lists_fix_applicability() -> None:
    result = CliRunner().invoke(main, ["rules"])
    assert "INN103  step-not-awaited" in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.startswith("INN103"))
    assert "fix:safe" in line
    line = next(line for line in result.stdout.splitlines() if line.startswith("INN105"))
    assert "fix:unsafe" in line
    line = next(line for line in result.stdout.splitlines() if line.startswith("INN102"))
    assert "fix:no" in line


def test_near_miss_event_pair_is_renamed_on_one_side_only(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "app.py": """
            import inngest

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="api/lead.follow-up"))
            async def follow_up(ctx): ...

            async def on_lead(data: dict) -> None:
                await client.send(inngest.Event(name="api/lead.followup", data=data))
            """
        },
    )
    report = fix_project(tmp_path)
    text = (tmp_path / "app.py").read_text(encoding="utf-8")
    assert text.count('"api/lead.follow-up"') == 2 and "followup" not in text
    assert report.problems == []
    assert [d for d in lint_project(tmp_path) if d.code in ("INN301", "INN302")] == []


SERVED = {
    "shop/__init__.py": "",
    "shop/client.py": 'import inngest\n\nclient = inngest.Inngest(app_id="shop")\n',
    "shop/main.py": (
        "import fastapi\nimport inngest.fast_api\n\nfrom shop.client import client\nfrom shop.orders import place\n\n"
        "inngest.fast_api.serve(fastapi.FastAPI(), client, [place])\n"
    ),
    "shop/orders.py": (
        "import inngest\n\nfrom shop.client import client\n\n\n"
        '@client.create_function(fn_id="place", trigger=inngest.TriggerEvent(event="shop/placed"))\n'
        "async def place(ctx): ...\n\n\n"
        '@client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/paid"))\n'
        "async def ship(ctx): ...\n"
    ),
}


def test_a_cross_file_fix_is_one_edit_in_the_diff(tmp_path: Path) -> None:
    write_project(tmp_path, SERVED)
    code, out, _ = _run(tmp_path, "--diff", "--unsafe-fixes", ".")
    assert code == 1
    assert out.count("--- a/") == 1 and "shop/main.py" in out
    assert (
        "+from shop.orders import ship\n" in out
        and "+inngest.fast_api.serve(fastapi.FastAPI(), client, [place, ship])" in out
    )


def test_files_not_named_are_not_edited(tmp_path: Path) -> None:
    """pre-commit names the staged files: a fix that would edit another file is not applied."""
    write_project(tmp_path, SERVED)
    main_before = (tmp_path / "shop" / "main.py").read_text(encoding="utf-8")
    code, out, err = _run(tmp_path, "--fix", "--unsafe-fixes", "shop/orders.py")
    assert (tmp_path / "shop" / "main.py").read_text(encoding="utf-8") == main_before
    assert "INN201 fix not applied" in err and "which was not named" in err
    assert code == 1 and "INN201" in out


# ---------------------------------------------------------------------------------- checks
def _fake_lint(diagnostics: list[Diagnostic]):  # type: ignore[no-untyped-def]
    """A lint that reports `diagnostics` on its first call and nothing after."""
    calls: list[int] = []

    def lint(targets: list[str], settings: Settings, options: RunOptions) -> RunResult:
        calls.append(1)
        return RunResult(diagnostics=list(diagnostics) if len(calls) == 1 else [])

    return lint


def _diagnostic(path: Path, *edits: Edit) -> Diagnostic:
    return Diagnostic(str(path), 1, 1, "INN103", "x", fix=Fix("test fix", SAFE, edits))


def test_a_fix_that_breaks_the_code_is_dropped_and_reported(tmp_path: Path) -> None:
    app = _project(tmp_path, "x = 1\n")
    broken = _diagnostic(app, Edit(str(app), 1, 5, 1, 6, "1", "(1"))
    report = fix_paths([str(tmp_path)], Settings(), RunOptions(), FixPolicy(), _fake_lint([broken]))
    assert report.changed == {}
    assert "does not compile" in report.problems[0]


def test_a_fix_whose_code_changed_is_dropped(tmp_path: Path) -> None:
    app = _project(tmp_path, "x = 1\n")
    stale = _diagnostic(app, Edit(str(app), 1, 5, 1, 6, "2", "3"))
    report = fix_paths([str(tmp_path)], Settings(), RunOptions(), FixPolicy(), _fake_lint([stale]))
    assert report.changed == {} and "changed since it was linted" in report.problems[0]


def test_a_fix_that_is_offered_again_is_not_applied_twice(tmp_path: Path) -> None:
    app = _project(tmp_path, "x = 1\n")
    again = _diagnostic(app, Edit(str(app), 1, 1, 1, 1, "", "y = 0\n"))

    def lint(targets: list[str], settings: Settings, options: RunOptions) -> RunResult:
        return RunResult(diagnostics=[again])

    report = fix_paths([str(tmp_path)], Settings(), RunOptions(), FixPolicy(), lint)
    assert report.changed[str(app)].text == "y = 0\nx = 1\n"
    assert "applying it again" in report.problems[0]


def test_overlapping_fixes_wait_for_the_next_round(tmp_path: Path) -> None:
    app = _project(tmp_path, "x = 1\n")
    first = _diagnostic(app, Edit(str(app), 1, 5, 1, 6, "1", "2"))
    second = replace(_diagnostic(app, Edit(str(app), 1, 1, 1, 6, "x = 1", "z = 1")), line=1, column=1)
    report = fix_paths([str(tmp_path)], Settings(), RunOptions(), FixPolicy(), _fake_lint([second, first]))
    assert report.changed[str(app)].text in ("x = 2\n", "z = 1\n")
    assert report.problems == []


# ---------------------------------------------------------------------------------- writing
def _fix_in_place(tmp_path: Path) -> list[str]:
    settings = load_settings(tmp_path)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        report = fix_paths(["."], settings, RunOptions(use_cache=False), FixPolicy.from_settings(settings), _lint)
        return write_changes(report)
    finally:
        os.chdir(old)


def _lint(targets: list[str], settings: Settings, options: RunOptions) -> RunResult:
    from inngest_lint.api import lint_paths

    return lint_paths(targets, settings, options)


def test_crlf_line_endings_are_kept(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    write_project(tmp_path, {})
    app.write_bytes(APP.replace("\n", "\r\n").encode())
    assert _fix_in_place(tmp_path) == []
    data = app.read_bytes()
    assert AWAITED.replace("\n", "\r\n").encode() in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_a_byte_order_mark_is_kept(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    write_project(tmp_path, {})
    app.write_bytes(b"\xef\xbb\xbf" + APP.encode())
    assert _fix_in_place(tmp_path) == []
    data = app.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfimport inngest") and AWAITED.encode() in data


def test_a_coding_cookie_is_kept(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    write_project(tmp_path, {})
    text = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + APP
    app.write_bytes(text.encode("latin-1"))
    assert _fix_in_place(tmp_path) == []
    data = app.read_bytes()
    assert data.decode("latin-1") == text.replace(AWAITED.replace("await ", ""), AWAITED)


def test_the_file_mode_is_kept(tmp_path: Path) -> None:
    app = _project(tmp_path)
    app.chmod(0o750)
    assert _fix_in_place(tmp_path) == []
    assert stat.S_IMODE(app.stat().st_mode) == 0o750 and AWAITED in app.read_text(encoding="utf-8")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_file_is_left_alone(tmp_path: Path) -> None:
    app = _project(tmp_path)
    app.chmod(0o444)
    problems = _fix_in_place(tmp_path)
    assert problems == ["app.py: not fixed: it is read-only"]
    assert app.read_text(encoding="utf-8") == APP


def test_a_read_only_file_is_left_alone_even_for_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _project(tmp_path)
    app.chmod(0o444)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if mode == os.W_OK else real_access(path, mode))
    assert _fix_in_place(tmp_path) == ["app.py: not fixed: it is read-only"]
    assert app.read_text(encoding="utf-8") == APP


def test_a_file_changed_between_read_and_write_is_left_alone(tmp_path: Path) -> None:
    app = _project(tmp_path)
    settings = load_settings(tmp_path)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        report = fix_paths(["."], settings, RunOptions(use_cache=False), FixPolicy(), _lint)
        app.write_text(APP + "# edited meanwhile\n", encoding="utf-8")
        problems = write_changes(report)
    finally:
        os.chdir(old)
    assert problems == ["app.py: not fixed: it changed on disk since it was read; run again"]
    assert app.read_text(encoding="utf-8").endswith("# edited meanwhile\n")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlink_keeps_pointing_at_the_fixed_file(tmp_path: Path) -> None:
    write_project(tmp_path, {})
    real = tmp_path / "real"
    real.mkdir()
    target = real / "jobs.py"
    target.write_text(APP, encoding="utf-8")
    link = tmp_path / "app.py"
    link.symlink_to(target)
    assert _fix_in_place(tmp_path) == []
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert AWAITED in target.read_text(encoding="utf-8")


def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _project(tmp_path)

    def refuse(source: str, destination: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    assert _fix_in_place(tmp_path) == ["app.py: not fixed: cannot write it: Permission denied"]
    assert app.read_text(encoding="utf-8") == APP
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "pyproject.toml"]


def test_the_diff_names_each_changed_file(tmp_path: Path) -> None:
    _project(tmp_path)
    settings = Settings(root=str(tmp_path))
    report = fix_project(tmp_path, settings, write=False)
    diff = unified_diff(report)
    assert diff.count("--- a/") == 1 and "+    await ctx.step.run(" in diff


# ---------------------------------------------------------------------------------- property
def _fixture_projects() -> list[object]:
    """Every per-rule fixture file (alone, with its settings) and folder (a project), every
    multi-file project and the examples folder."""
    cases: list[object] = []
    for path in sorted((FIXTURES / "rules").glob("INN*/*.py")):
        cases.append(pytest.param(path, id=f"rules/{path.parent.name}/{path.name}"))
    for path in sorted((FIXTURES / "rules").glob("INN*/*/")):
        if path.is_dir() and path.name != "__pycache__":
            cases.append(pytest.param(path, id=f"rules/{path.parent.name}/{path.name}/"))
    for path in sorted((FIXTURES / "projects").iterdir()):
        if path.is_dir():
            cases.append(pytest.param(path, id=f"projects/{path.name}"))
    cases.append(pytest.param(REPO / "examples", id="examples"))
    return cases


def _copy(source: Path, tmp_path: Path) -> tuple[Path, Settings]:
    root = tmp_path / "copy"
    if source.is_dir():
        shutil.copytree(source, root)
        settings = load_settings(root)
    else:
        root.mkdir()
        shutil.copy(source, root / source.name)
        (root / "pyproject.toml").write_text("[project]\nname = 'fixture'\n", encoding="utf-8")
        config = source.with_suffix(".toml")
        settings = settings_from_table(load_config_table(config), config) if config.exists() else Settings()
        settings = replace(settings, select=("ALL",), root=str(root))
    return root, settings


#: Source -> the codes `--fix --unsafe-fixes` fixed in its copy, as the property test found them
#: (the coverage test reuses them rather than fixing every fixture twice).
_FIXED_CODES: dict[Path, set[str]] = {}


def _fixed_codes(report: FixReport) -> set[str]:
    return {code for change in report.changed.values() for _, code, _ in change.fixed}


def _codes(diagnostics: list[Diagnostic]) -> Counter[tuple[str, str]]:
    return Counter((str(Path(d.path)), d.code) for d in diagnostics)


@pytest.mark.parametrize("source", _fixture_projects())
def test_fixing_every_fixture_is_safe_and_settles(source: Path, tmp_path: Path) -> None:
    root, settings = _copy(source, tmp_path)
    before = lint_project(root, settings=settings)
    report = fix_project(root, settings)
    _FIXED_CODES[source] = _fixed_codes(report)
    assert report.problems == []
    for path in report.changed:
        cst.parse_module(Path(path).read_text(encoding="utf-8"))  # parses (libcst and, below, CPython)
        compile(Path(path).read_text(encoding="utf-8"), path, "exec")
    after = lint_project(root, settings=settings)
    # Nothing left to fix, and a second run changes nothing.
    policy = FixPolicy.from_settings(settings, unsafe=True)
    assert [d for d in after if policy.admits(d)] == []
    assert fix_project(root, settings).changed == {}
    # No finding of any code appears that was not there before, file by file.
    grown = _codes(after) - _codes(before)
    assert not grown, sorted(grown)
    # Each fix took at least its own finding away.
    assert sum(_codes(before).values()) - sum(_codes(after).values()) >= report.fixed_count()


def test_the_property_covers_fixes_of_every_fixable_rule(tmp_path: Path) -> None:
    """The fixtures and examples exercise every rule's fix, not only the rules' own examples."""
    from inngest_lint.registry import all_rules

    fixed: set[str] = set()
    for number, case in enumerate(_fixture_projects()):
        source = case.values[0]  # type: ignore[attr-defined]
        if source not in _FIXED_CODES:  # run alone: fix the copies here
            (tmp_path / str(number)).mkdir()
            root, settings = _copy(source, tmp_path / str(number))
            _FIXED_CODES[source] = _fixed_codes(fix_project(root, settings, write=False))
        fixed |= _FIXED_CODES[source]
    assert fixed == {rule.code for rule in all_rules() if rule.fixable}


def test_editing_keeps_every_byte_outside_the_edit(tmp_path: Path) -> None:
    text = textwrap.dedent('''\
        # -*- coding: utf-8 -*-
        """Docs."""
        import inngest  # the SDK

        client = inngest.Inngest(app_id="app")  # trailing   spaces kept


        @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
        async def a(ctx: inngest.Context) -> None:
            ctx.step.run( "x" ,   work )   # odd spacing
        ''')
    app = _project(tmp_path, text)
    assert _fix_in_place(tmp_path) == []
    assert app.read_text(encoding="utf-8") == text.replace('ctx.step.run( "x"', 'await ctx.step.run( "x"')
