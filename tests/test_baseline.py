"""Baselines: --write-baseline records today's findings, --baseline reports only new ones."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from inngest_lint.baseline import (
    BaselineError,
    BaselineKey,
    finding_keys,
    load_baseline,
    new_findings,
    write_baseline,
)
from inngest_lint.cli import main
from inngest_lint.diagnostics import Diagnostic

JOBS = textwrap.dedent(
    """
    import inngest

    client = inngest.Inngest(app_id="shop")


    @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"))
    async def ship(ctx: inngest.Context) -> None:
        for item in ctx.event.data["items"]:
            await ctx.step.run("pack", pack, item)


    @client.create_function(fn_id="bill", trigger=inngest.TriggerEvent(event="shop/order.placed"))
    async def bill(ctx: inngest.Context) -> None:
        await ctx.step.run("charge", pack, ctx.event.data)


    async def pack(item: object) -> None:
        return None
    """
).lstrip()

LOOP = """    for item in ctx.event.data["items"]:
        await ctx.step.run("pack", pack, item)
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "jobs.py").write_text(JOBS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def codes_in(out: str) -> list[str]:
    return [line.split(" ")[1] for line in out.splitlines() if ": INN" in line]


def edit(repo: Path, old: str, new: str) -> None:
    path = repo / "src" / "jobs.py"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_write_then_lint_again_is_clean(repo: Path) -> None:
    assert codes_in(run("src")[1]) == ["INN101"]
    code, out, err = run("--write-baseline", "baseline.json", "src")
    assert code == 0 and out == ""
    assert "recorded 1 finding(s) in baseline.json" in err
    code, out, _ = run("--baseline", "baseline.json", "src")
    assert code == 0, out
    assert codes_in(out) == []
    # The summary says the baseline hid it: a run that passes thanks to a baseline is not clean.
    assert out == "All checks passed (1 file checked). 1 finding hidden by the baseline.\n"


def test_baseline_file_is_versioned_sorted_and_keyed_without_lines(repo: Path) -> None:
    run("--write-baseline", "baseline.json", "src")
    document = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert document["version"] == 1
    assert document["findings"] == [
        {"path": "src/jobs.py", "code": "INN101", "function": "ship", "identity": "pack", "count": 1}
    ]
    first = (repo / "baseline.json").read_bytes()
    run("--write-baseline", "baseline.json", "src")
    assert (repo / "baseline.json").read_bytes() == first  # stable: regenerating changes nothing


def test_lines_added_above_keep_the_finding_baselined(repo: Path) -> None:
    run("--write-baseline", "baseline.json", "src")
    header = '"""Shop workflows."""\n\nimport logging\n\nimport inngest\n\nlog = logging.getLogger()\n'
    edit(repo, "import inngest\n", header)
    edit(repo, "    for item in", "    ctx.logger.info('shipping')\n    count = 0\n    for item in")
    code, out, _ = run("--baseline", "baseline.json", "src")
    assert code == 0, out


def test_a_new_finding_is_reported(repo: Path) -> None:
    run("--write-baseline", "baseline.json", "src")
    # The same mistake in another function is a new finding, even with the same step ID.
    edit(repo, '    await ctx.step.run("charge", pack, ctx.event.data)\n', LOOP)
    code, out, _ = run("--baseline", "baseline.json", "src")
    assert code == 1
    assert codes_in(out) == ["INN101"]
    assert "src/jobs.py:15:" in out  # the one in `bill`, not the baselined one in `ship` (line 9)
    assert out.splitlines()[-1] == (
        "Found 1 finding (1 error, 0 warnings) in 1 file; 1 file checked. 1 finding hidden by the baseline."
    )


def test_a_finding_moved_to_another_function_is_new(repo: Path) -> None:
    """The key holds the enclosing function: fixing `ship` while breaking `bill` is not a wash."""
    run("--write-baseline", "baseline.json", "src")
    edit(repo, LOOP, '    await ctx.step.run("pack", pack, ctx.event.data)\n')
    edit(repo, '    await ctx.step.run("charge", pack, ctx.event.data)\n', LOOP)
    code, out, _ = run("--baseline", "baseline.json", "src")
    assert code == 1
    assert codes_in(out) == ["INN101"]


def test_duplicates_are_counted(repo: Path) -> None:
    """Two identical findings, one baselined: one is reported."""
    run("--write-baseline", "baseline.json", "src")
    edit(repo, LOOP, LOOP + LOOP.replace("item", "other"))
    code, out, _ = run("--baseline", "baseline.json", "--select", "INN101", "src")
    assert code == 1
    assert codes_in(out) == ["INN101"]
    assert "src/jobs.py:11:" in out  # the second loop; the first is the baselined one


def test_paths_are_relative_to_the_project_root_from_any_directory(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("--write-baseline", "baseline.json", "src")
    monkeypatch.chdir(repo / "src")
    code, out, _ = run("--baseline", "../baseline.json", ".")
    assert code == 0, out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "baseline file not found"),
        ("{ not json", "not a valid baseline (invalid JSON at line 1"),
        ("[]", "not an inngest-lint baseline"),
        ('{"version": 99, "findings": []}', "baseline version 99 is not supported"),
        ('{"version": 1, "findings": {}}', "'findings' must be a list"),
        ('{"version": 1, "findings": [{"path": "a.py", "code": "INN101"}]}', "needs a string 'function'"),
        (
            (
                '{"version": 1, "findings": [{"path": "a.py", "code": "INN101", "function": "", "identity": "x", '
                '"count": 0}]}'
            ),
            "invalid 'count' 0",
        ),
    ],
)
def test_missing_or_corrupt_baseline_is_a_clear_error(repo: Path, content: str | None, expected: str) -> None:
    if content is not None:
        (repo / "baseline.json").write_text(content, encoding="utf-8")
    code, out, err = run("--baseline", "baseline.json", "src")
    assert code == 2
    assert out == ""
    assert err.startswith("inngest-lint: error: baseline.json: ")
    assert expected in err
    assert "Traceback" not in err


def test_write_baseline_refuses_a_missing_path(repo: Path) -> None:
    code, _, err = run("--write-baseline", "baseline.json", "src", "sr")
    assert code == 2
    assert "sr: no such file or directory" in err
    assert not (repo / "baseline.json").exists()


def test_write_baseline_and_baseline_together_is_a_usage_error(repo: Path) -> None:
    (repo / "baseline.json").write_text('{"version": 1, "findings": []}', encoding="utf-8")
    code, _, err = run("--write-baseline", "new.json", "--baseline", "baseline.json", "src")
    assert code == 2 and "cannot be combined" in err
    assert not (repo / "new.json").exists()


# ---------------------------------------------------------------------- the module itself
def _diagnostic(line: int, message: str = "step ID 'x' repeats (first at line 3)", context: str = "") -> Diagnostic:
    return Diagnostic("/project/app.py", line, 5, "INN101", message, context=context)


def test_multiset_semantics_without_an_index() -> None:
    root = Path("/project")
    recorded = [_diagnostic(10)]
    baseline = Counter(finding_keys(recorded, None, root))
    now = [_diagnostic(12), _diagnostic(20)]
    assert new_findings(now, baseline, None, root) == [now[1]]
    assert new_findings(now, Counter({**baseline, **{k: 2 for k in baseline}}), None, root) == []


def test_identity_is_the_context_or_the_message_without_numbers() -> None:
    root = Path("/project")
    with_context, without_context = finding_keys(
        [_diagnostic(1, context="charge"), _diagnostic(1, "repeats (first at line 3)")], None, root
    )
    assert with_context == BaselineKey("app.py", "INN101", "", "charge")
    assert without_context.identity == "repeats (first at line #)"


def test_internal_errors_are_never_recorded_nor_absorbed(tmp_path: Path) -> None:
    crash = Diagnostic(str(tmp_path / "a.py"), 1, 1, "INN101", "internal error in rule INN101", internal=True)
    target = tmp_path / "baseline.json"
    assert write_baseline(target, [crash], None, tmp_path) == 0
    baseline = load_baseline(target)
    assert baseline == Counter()
    forged = Counter(finding_keys([crash], None, tmp_path))
    assert new_findings([crash], forged, None, tmp_path) == [crash]


def test_load_baseline_error_type(tmp_path: Path) -> None:
    with pytest.raises(BaselineError):
        load_baseline(tmp_path / "absent.json")


def test_function_attribution_from_the_index(tmp_path: Path) -> None:
    """Findings in a decorator, a body, and after the serve list get the right function (or none)."""
    from inngest_lint.api import RunOptions, lint_paths
    from inngest_lint.settings import Settings

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    source = textwrap.dedent(
        """
        import inngest

        client = inngest.Inngest(app_id="shop")


        @client.create_function(
            fn_id="ship",
            trigger=inngest.TriggerEvent(event="shop/order.paid"),
        )
        async def ship(ctx: inngest.Context) -> None:
            await ctx.step.run("pack", pack, ctx.event.data)
            value = 1
            return None


        async def pack(item: object) -> None:
            return None
        """
    ).lstrip()
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    result = lint_paths([str(tmp_path)], Settings(), RunOptions(use_cache=False))
    path = str(tmp_path / "app.py")
    probes = [Diagnostic(path, line, 1, "INN999", "probe") for line in (8, 11, 12, 13, 16, 17)]
    labels = [key.function for key in finding_keys(probes, result.index, tmp_path)]
    # Line 8 (the trigger in the decorator), 11-13 (the body) belong to `ship`; 16-17 are `pack`,
    # a module-level def after it.
    assert labels == ["ship", "ship", "ship", "ship", "", ""]
