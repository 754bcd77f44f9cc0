"""The CI output formats: golden files for a fixed set of findings, each format through the real
CLI, SARIF against the official schema and a SARIF model library, and fingerprints that survive
lines inserted above a finding.

Golden files live in tests/golden/; after an intended change, regenerate them with
`UPDATE_GOLDEN=1 python -m pytest tests/test_reporters.py` and review the diff.
"""

from __future__ import annotations

import io
import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import write_project

from inngest_lint.cli import main
from inngest_lint.diagnostics import Diagnostic, Location, Severity
from inngest_lint.registry import all_rules
from inngest_lint.reporters import REPORTERS
from inngest_lint.reporters.github import escape_data, escape_property, workflow_command
from inngest_lint.reporters.json_reporter import diagnostic_to_dict
from inngest_lint.reporters.sarif import FINGERPRINT_KEY, rule_descriptor

GOLDEN = Path(__file__).parent / "golden"
# The official SARIF 2.1.0 schema (OASIS), shipped with the tests so they run in a clean clone.
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
ROOT_PLACEHOLDER = "file:///SRCROOT/"

JOBS = """\
import inngest

client = inngest.Inngest(app_id="app")


@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
async def handler(ctx: inngest.Context) -> None:
    for item in ctx.event.data["items"]:
        await ctx.step.run("process", process, item)
    await ctx.step.run(
        "notify", notify
    )
"""

FLOWS = """\
import inngest
x = (
"""

LOOP_MESSAGE = (
    "step ID 'process' is the same on every iteration of this for loop: memoized results are matched "
    "by position and land on the wrong items when the list changes; include a stable per-item key, "
    'e.g. f"process-{item.id}"'
)


def write_sample(root: Path) -> None:
    """The files behind the fixed findings; `.git` pins the repository root to `root`."""
    (root / ".git").mkdir()
    (root / "app").mkdir()
    (root / "app" / "jobs.py").write_text(JOBS, encoding="utf-8")
    (root / "my app").mkdir()
    (root / "my app" / "flows.py").write_text(FLOWS, encoding="utf-8")


def sample_diagnostics(root: Path) -> list[Diagnostic]:
    """Findings chosen to exercise every branch: an error with a context, a multi-line warning
    with a related location (absolute, as the engine leaves it) and characters each format must
    escape, a path with a space, and an internal error with a control character."""
    return [
        Diagnostic("app/jobs.py", 9, 28, "INN101", LOOP_MESSAGE, end_line=9, end_column=37, context="process"),
        Diagnostic(
            "app/jobs.py",
            10,
            5,
            "INN101",
            '50% sure: a, b\nsecond line <tag> & "quoted" [x](y)',
            end_line=12,
            end_column=6,
            severity=Severity.WARNING,
            related=(Location(str(root / "app" / "jobs.py"), 9, 28, 9, 37),),
        ),
        Diagnostic(
            "my app/flows.py",
            1,
            1,
            "INN000",
            "internal error in rule INN000: ValueError: bo\x01om; please report it",
            internal=True,
        ),
        Diagnostic("my app/flows.py", 2, 5, "INN900", "syntax error: expected ')'"),
    ]


def render(format_name: str, diagnostics: list[Diagnostic], files_linted: int = 2) -> str:
    stream = io.StringIO()
    REPORTERS[format_name](stream).report(diagnostics, files_linted=files_linted)
    return stream.getvalue()


def normalize(format_name: str, output: str, root: Path) -> str:
    """Remove what depends on the machine or release: the root URI and the tool version."""
    if format_name != "sarif":
        return output
    document = json.loads(output)
    run = document["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.as_uri() + "/"
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = ROOT_PLACEHOLDER
    run["tool"]["driver"]["version"] = run["tool"]["driver"]["semanticVersion"] = "VERSION"
    return json.dumps(document, indent=2) + "\n"


GOLDEN_FILES = {
    "sarif": "report.sarif",
    "github": "github.txt",
    "json-lines": "report.jsonl",
    "junit": "junit.xml",
    "gitlab": "gitlab.json",
}


@pytest.mark.parametrize("format_name", sorted(GOLDEN_FILES))
def test_reporter_matches_golden_file(format_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_sample(tmp_path)
    monkeypatch.chdir(tmp_path)
    output = normalize(format_name, render(format_name, sample_diagnostics(tmp_path)), tmp_path)
    golden = GOLDEN / GOLDEN_FILES[format_name]
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(output, encoding="utf-8", newline="\n")
    assert golden.exists(), f"{golden} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert output == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs: rerun with UPDATE_GOLDEN=1 if intended"
    )


def test_every_format_is_registered() -> None:
    assert {"text", "json", "sarif", "github", "json-lines", "junit", "gitlab"} <= set(REPORTERS)


# --- SARIF ---------------------------------------------------------------------------------------


def sarif_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    write_sample(tmp_path)
    monkeypatch.chdir(tmp_path)
    document: dict[str, Any] = json.loads(render("sarif", sample_diagnostics(tmp_path)))
    return document


def all_rules_document() -> dict[str, Any]:
    """A log whose driver lists every registered rule, to check every rule's docs render."""
    return {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "inngest-lint", "rules": [rule_descriptor(r) for r in all_rules()]}}}],
    }


def validate_with_schema(document: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the `test` extra")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    if "properties" not in schema and "Root" in schema.get("definitions", {}):
        # This copy keeps the log's own constraints under definitions/Root rather than at the top,
        # where a validator would find none and accept anything; point the root at them.
        schema = {**schema, "$ref": "#/definitions/Root"}
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    assert not validator.is_valid({}), f"{SARIF_SCHEMA} constrains nothing at its root: the check would be vacuous"
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


# sarif-pydantic accepts unknown keys (extra="allow"), so a misspelt property would pass its
# validation silently; every key it stored as "extra" is therefore an error, except properties of
# SARIF 2.1.0 that its model does not declare (checked against the official schema above).
SARIF_PYDANTIC_UNDECLARED = {("Run", "columnKind"), ("Invocation", "toolExecutionNotifications")}


def undeclared_keys(model: Any, where: str = "$") -> list[str]:
    from pydantic import BaseModel

    found: list[str] = []
    if isinstance(model, BaseModel):
        for key in model.model_extra or {}:
            if (type(model).__name__, key) not in SARIF_PYDANTIC_UNDECLARED:
                found.append(f"{where}.{key} ({type(model).__name__})")
        for name in type(model).model_fields:
            found += undeclared_keys(getattr(model, name), f"{where}.{name}")
    elif isinstance(model, (list, tuple)):
        for index, item in enumerate(model):
            found += undeclared_keys(item, f"{where}[{index}]")
    elif isinstance(model, dict):
        for key, value in model.items():
            found += undeclared_keys(value, f"{where}.{key}")
    return found


def validate_with_model_library(document: dict[str, Any]) -> None:
    if sys.version_info < (3, 10):
        pytest.skip("sarif-pydantic needs Python 3.10+; the JSON-schema test still runs")
    from sarif_pydantic import Sarif
    from sarif_pydantic.sarif import Notification

    log = Sarif.model_validate(document)
    assert undeclared_keys(log) == []
    for invocation in log.runs[0].invocations or []:
        for notification in (invocation.model_extra or {}).get("toolExecutionNotifications", []):
            Notification.model_validate(notification)


def test_sarif_is_valid_against_the_official_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validate_with_schema(sarif_document(tmp_path, monkeypatch))


def test_sarif_is_valid_for_the_sarif_pydantic_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validate_with_model_library(sarif_document(tmp_path, monkeypatch))


def test_sarif_model_check_catches_a_misspelt_property(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = sarif_document(tmp_path, monkeypatch)
    document["runs"][0]["results"][0]["partialFingerprint"] = document["runs"][0]["results"][0].pop(
        "partialFingerprints"
    )
    with pytest.raises(AssertionError, match="partialFingerprint"):
        validate_with_model_library(document)


def test_sarif_schema_check_catches_an_invalid_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = sarif_document(tmp_path, monkeypatch)
    document["runs"][0]["results"][0]["level"] = "fatal"
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(AssertionError, match="fatal"):
        validate_with_schema(document)


def test_every_rule_descriptor_is_valid_against_the_official_schema() -> None:
    validate_with_schema(all_rules_document())


def test_every_rule_descriptor_is_valid_for_the_sarif_pydantic_model() -> None:
    validate_with_model_library(all_rules_document())


def test_sarif_results_rules_and_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = sarif_document(tmp_path, monkeypatch)
    assert document["version"] == "2.1.0" and document["$schema"].endswith("sarif-schema-2.1.0.json")
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "inngest-lint" and driver["informationUri"].startswith("https://")
    # Only reported rules, sorted; the internal INN000 is not among them.
    assert [rule["id"] for rule in driver["rules"]] == ["INN101", "INN900"]
    inn101 = driver["rules"][0]
    assert inn101["shortDescription"]["text"] == all_rules()[[r.code for r in all_rules()].index("INN101")].summary()
    assert inn101["help"]["markdown"].startswith("# INN101 step-id-reused-in-loop")
    assert inn101["helpUri"].endswith("#inn101-step-id-reused-in-loop")
    assert inn101["defaultConfiguration"]["level"] == "error"
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("INN101", "error"),
        ("INN101", "warning"),
        ("INN900", "error"),
    ]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    first = results[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"] == {"uri": "app/jobs.py", "uriBaseId": "%SRCROOT%"}
    assert first["region"] == {"startLine": 9, "startColumn": 28, "endLine": 9, "endColumn": 37}
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20app/flows.py"
    related = results[1]["relatedLocations"]
    assert related[0]["id"] == 1
    assert related[0]["physicalLocation"]["artifactLocation"] == {"uri": "app/jobs.py", "uriBaseId": "%SRCROOT%"}
    assert results[1]["message"]["text"].endswith("(see [app/jobs.py:9](1))")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_sarif_internal_error_is_a_notification_not_an_alert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = sarif_document(tmp_path, monkeypatch)["runs"][0]
    assert all(result["ruleId"] != "INN000" for result in run["results"])
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["associatedRule"] == {"id": "INN000"}
    assert notification["level"] == "error" and "internal error" in notification["message"]["text"]


def test_sarif_file_outside_the_repository_gets_an_absolute_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = tmp_path / "repo"
    repository.mkdir()
    (repository / ".git").mkdir()
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n", encoding="utf-8")
    monkeypatch.chdir(repository)
    document = json.loads(render("sarif", [Diagnostic(str(outside), 1, 1, "INN101", "m")]))
    artifact = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": outside.as_uri()}


def test_sarif_clean_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    document = json.loads(render("sarif", []))
    assert document["runs"][0]["results"] == [] and document["runs"][0]["tool"]["driver"]["rules"] == []
    assert document["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    validate_with_schema(document)


# --- Fingerprints --------------------------------------------------------------------------------


def lint_with_cli(root: Path, format_name: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["check", *args, "--output-format", format_name], catch_exceptions=False)
    return result.exit_code, result.stdout


def fingerprints(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[str], list[str]]:
    """(lines, SARIF fingerprints, GitLab fingerprints) of the INN101 findings in root."""
    _, sarif_output = lint_with_cli(root, "sarif", monkeypatch)
    results = [r for r in json.loads(sarif_output)["runs"][0]["results"] if r["ruleId"] == "INN101"]
    _, gitlab_output = lint_with_cli(root, "gitlab", monkeypatch)
    issues = [i for i in json.loads(gitlab_output) if i["check_name"] == "INN101"]
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results]
    return lines, [r["partialFingerprints"][FINGERPRINT_KEY] for r in results], [i["fingerprint"] for i in issues]


TWO_LOOPS = """\
import inngest

client = inngest.Inngest(app_id="app")


@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
async def handler(ctx: inngest.Context) -> None:
    for item in ctx.event.data["items"]:
        await ctx.step.run("process", process, item)
    for item in ctx.event.data["items"]:
        await ctx.step.run("process", process, item)
"""


def test_fingerprint_reads_lines_as_the_parser_numbers_them(tmp_path: Path) -> None:
    """A form feed does not end a line, a coding line is honoured, an unreadable file is empty."""
    from inngest_lint.reporters._source import SourceIndex

    (tmp_path / "ff.py").write_bytes(b"x = 1\x0c\r\ny = 2\rz = 3\n")
    (tmp_path / "latin.py").write_bytes("# -*- coding: latin-1 -*-\nname = 'caf\u00e9'\n".encode("latin-1"))
    (tmp_path / "binary.py").write_bytes(b"\xff\xfe\x00\x00garbage")
    sources = SourceIndex(tmp_path)
    assert [sources.line_text("ff.py", line) for line in (1, 2, 3)] == ["x = 1\x0c", "y = 2", "z = 3"]
    assert sources.line_text("latin.py", 2) == "name = 'caf\u00e9'"
    assert sources.line_text("binary.py", 1) == "" and sources.line_text("missing.py", 1) == ""


def test_fingerprint_survives_lines_inserted_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"app.py": TWO_LOOPS})
    lines, sarif_prints, gitlab_prints = fingerprints(tmp_path, monkeypatch)
    assert lines == [9, 11]
    # Two copies of the same line are told apart, and both formats agree.
    assert len(set(sarif_prints)) == 2 and sarif_prints == gitlab_prints

    shifted = (
        TWO_LOOPS.replace("async def handler", "# a comment\n\n\nasync def handler")
        .replace(
            "        await",
            "            await",  # re-indented too: whitespace does not count
        )
        .replace("    for item", "    if True:\n        for item")
    )
    (tmp_path / "app.py").write_text(shifted, encoding="utf-8")
    shifted_lines, shifted_sarif, shifted_gitlab = fingerprints(tmp_path, monkeypatch)
    assert shifted_lines != lines
    assert shifted_sarif == sarif_prints and shifted_gitlab == gitlab_prints


def test_fingerprint_changes_when_the_flagged_line_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"app.py": TWO_LOOPS})
    _, before, _ = fingerprints(tmp_path, monkeypatch)
    (tmp_path / "app.py").write_text(TWO_LOOPS.replace("process, item)", "handle, item)"), encoding="utf-8")
    _, after, _ = fingerprints(tmp_path, monkeypatch)
    assert len(after) == 2 and not set(after) & set(before)


def test_fingerprint_does_not_depend_on_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "services" / "api").mkdir(parents=True)
    write_project(tmp_path / "services" / "api", {"app.py": TWO_LOOPS})
    _, from_root, _ = fingerprints(tmp_path, monkeypatch)
    _, from_subdirectory, _ = fingerprints(tmp_path / "services" / "api", monkeypatch)
    assert len(from_root) == 2 and from_root == from_subdirectory


# --- Through the CLI -----------------------------------------------------------------------------


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository whose project sits in a sub-directory: paths must come out repo-relative."""
    (tmp_path / ".git").mkdir()
    project = tmp_path / "services" / "api"
    project.mkdir(parents=True)
    write_project(project, {"app/jobs.py": JOBS, "app/clean.py": "import inngest\n"})
    return project


def test_cli_sarif(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = lint_with_cli(repository, "sarif", monkeypatch)
    assert code == 1
    document = json.loads(output)
    [result] = document["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "services/api/app/jobs.py"
    assert location["region"]["startLine"] == 9 and result["ruleId"] == "INN101"
    assert document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repository.parents[1].as_uri() + "/"
    validate_with_schema(document)


def test_cli_github(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = lint_with_cli(repository, "github", monkeypatch)
    assert code == 1
    lines = output.splitlines()
    assert lines[0].startswith(
        "::error file=services/api/app/jobs.py,line=9,col=28,endLine=9,endColumn=37,title=INN101::"
    )
    assert lines[1].startswith("::stop-commands::")
    assert lines[2].startswith("app/jobs.py:9:28: INN101 ")
    assert lines[3] == "Found 1 finding (1 error, 0 warnings) in 1 file; 2 files checked."
    assert lines[4] == f"::{lines[1].split('::')[2]}::"


def test_cli_json_lines(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = lint_with_cli(repository, "json-lines", monkeypatch)
    _, array_output = lint_with_cli(repository, "json", monkeypatch)
    assert code == 1
    assert [json.loads(line) for line in output.splitlines()] == json.loads(array_output)
    assert json.loads(output)["path"] == "app/jobs.py"


def test_cli_junit(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = lint_with_cli(repository, "junit", monkeypatch)
    assert code == 1
    suites = ET.fromstring(output)
    [suite] = suites.findall("testsuite")
    assert suite.get("name") == "services/api/app/jobs.py"
    [case] = suite.findall("testcase")
    assert case.get("classname") == "services.api.app.jobs" and case.get("line") == "9"
    assert case.find("failure") is not None and case.find("failure").get("type") == "INN101"  # type: ignore[union-attr]


def test_cli_gitlab(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = lint_with_cli(repository, "gitlab", monkeypatch)
    assert code == 1
    [issue] = json.loads(output)
    assert issue["location"] == {"path": "services/api/app/jobs.py", "lines": {"begin": 9}}


@pytest.mark.parametrize("format_name", sorted(GOLDEN_FILES))
def test_cli_clean_run(format_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"app.py": "import inngest\n\nclient = inngest.Inngest(app_id='app')\n"})
    code, output = lint_with_cli(tmp_path, format_name, monkeypatch)
    assert code == 0
    if format_name == "sarif":
        assert json.loads(output)["runs"][0]["results"] == []
    elif format_name == "gitlab":
        assert json.loads(output) == []
    elif format_name == "json-lines":
        assert output == ""
    elif format_name == "github":
        assert output == "All checks passed (1 file checked).\n"
    else:
        suites = ET.fromstring(output)
        assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("1", "0", "0")
        [case] = suites.iter("testcase")
        assert not list(case)


def test_cli_rejects_an_unknown_format_with_the_new_ones_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", ".", "--output-format", "sarif2"])
    assert result.exit_code == 2
    assert "github, gitlab, json, json-lines, junit, sarif, text" in result.output


# --- One format at a time ------------------------------------------------------------------------


def test_github_escaping() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    multi_line = Diagnostic("x.py", 3, 1, "INN101", "a\n::error::injected", end_line=5, end_column=2)
    command = workflow_command(multi_line, "dir,1/x:y.py")
    # Multi-line spans carry no columns (GitHub rejects them), and nothing can start a new command.
    assert command == "::error file=dir%2C1/x%3Ay.py,line=3,endLine=5,title=INN101::a%0A::error::injected"
    assert "\n" not in command


def test_github_warning_and_quiet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    stream = io.StringIO()
    diagnostic = Diagnostic("a.py", 2, 3, "INN101", "m", end_line=2, end_column=9, severity=Severity.WARNING)
    REPORTERS["github"](stream, quiet=True).report([diagnostic], files_linted=1)
    expected = "::warning file=a.py,line=2,col=3,endLine=2,endColumn=9,title=INN101::m"
    assert workflow_commands(stream.getvalue()) == [expected]
    assert "\na.py:2:3: INN101 [warning] m\n" in stream.getvalue()


def workflow_commands(output: str) -> list[str]:
    """The lines GitHub's runner would execute as commands, honouring `::stop-commands::`."""
    executed: list[str] = []
    resume: str | None = None
    for line in output.splitlines():
        if resume is not None:
            if line == f"::{resume}::":
                resume = None
            continue
        if line.startswith("::stop-commands::"):
            resume = line[len("::stop-commands::") :]
        elif line.startswith("::"):
            executed.append(line)
    return executed


def test_github_plain_lines_cannot_inject_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    hostile = Diagnostic("x\n::add-mask::secret.py", 1, 1, "INN101", "m\n::error::fake")
    output = render("github", [hostile])
    assert "\n::add-mask::secret.py:1:1" in output  # the plain line is there, unescaped...
    assert workflow_commands(output) == [  # ...but only the escaped annotation runs
        "::error file=x%0A%3A%3Aadd-mask%3A%3Asecret.py,line=1,col=1,endLine=1,endColumn=1,title=INN101::m%0A::error::fake"
    ]


def test_json_lines_records_match_the_json_reporter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_sample(tmp_path)
    monkeypatch.chdir(tmp_path)
    diagnostics = sample_diagnostics(tmp_path)
    lines = render("json-lines", diagnostics).splitlines()
    assert len(lines) == len(diagnostics)
    assert [json.loads(line) for line in lines] == [diagnostic_to_dict(d) for d in diagnostics]
    assert [json.loads(line) for line in lines] == json.loads(render("json", diagnostics))


def test_junit_parses_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_sample(tmp_path)
    monkeypatch.chdir(tmp_path)
    suites = ET.fromstring(render("junit", sample_diagnostics(tmp_path)))
    assert suites.tag == "testsuites"
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("4", "3", "1")
    by_name = {suite.get("name"): suite for suite in suites.findall("testsuite")}
    assert list(by_name) == ["app/jobs.py", "my app/flows.py"]
    jobs = by_name["app/jobs.py"].findall("testcase")
    assert [case.get("name") for case in jobs] == ["INN101 at line 9, column 28", "INN101 at line 10, column 5"]
    failure = jobs[1].find("failure")
    assert failure is not None
    # Escaped on the way out, restored on the way in.
    assert failure.get("message") == '50% sure: a, b\nsecond line <tag> & "quoted" [x](y)'
    assert failure.text is not None and failure.text.startswith("app/jobs.py:10:5: INN101 50% sure")
    flows = by_name["my app/flows.py"].findall("testcase")
    error = flows[0].find("error")
    assert error is not None and error.get("type") == "INN000"
    assert "bo\\x01om" in (error.get("message") or "")  # XML cannot carry \x01 at all


def test_junit_survives_characters_xml_cannot_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    weird = Diagnostic("caf\udce9/\x1b.py", 1, 1, "INN901", "bad \x00 byte, caf\u00e9 \U0001f600")
    output = render("junit", [weird])
    output.encode("ascii")  # character references only: no console encoding can fail
    case = ET.fromstring(output).find("testsuite/testcase")
    # The undecodable byte as every format shows it (`printable`), the control character as XML must.
    assert case is not None and case.get("file") == "caf\\xe9/\\x1b.py"
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "bad \\x00 byte, caf\u00e9 \U0001f600"


def test_gitlab_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_sample(tmp_path)
    monkeypatch.chdir(tmp_path)
    issues = json.loads(render("gitlab", sample_diagnostics(tmp_path)))
    assert [set(issue) for issue in issues] == [
        {"description", "check_name", "fingerprint", "severity", "location"}
    ] * 4
    first = issues[0]
    assert first["description"] == f"INN101 {LOOP_MESSAGE}"
    assert first["check_name"] == "INN101"
    assert first["severity"] == "major"
    assert first["location"] == {"path": "app/jobs.py", "lines": {"begin": 9}}
    assert [issue["severity"] for issue in issues] == ["major", "minor", "info", "major"]
    assert issues[2]["location"] == {"path": "my app/flows.py", "lines": {"begin": 1}}
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == 4 and all(len(f) == 64 and int(f, 16) >= 0 for f in fingerprints)


def test_reporters_write_for_a_finding_without_an_end_or_a_readable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Internal errors come with no end position, and the file may be gone: no format may fail."""
    monkeypatch.chdir(tmp_path)
    bare = [
        Diagnostic("gone.py", 0, 0, "INN101", "m"),
        Diagnostic("gone.py", 4, 7, "INN101", "m", end_line=3, end_column=1),
    ]
    document = json.loads(render("sarif", bare))
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in document["runs"][0]["results"]]
    assert regions == [
        {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1},
        {"startLine": 4, "startColumn": 7, "endLine": 4, "endColumn": 7},
    ]
    validate_with_schema(document)
    for format_name in GOLDEN_FILES:
        assert render(format_name, bare)


def test_every_rule_url_is_a_heading_of_docs_rules_md() -> None:
    """The documentation URL each format gives (JSON `url`, SARIF `helpUri`, the editor's
    `codeDescription.href`, full's `docs:`) lands on the rule's own heading in docs/rules.md, as
    GitHub slugs it (lowercase, spaces to hyphens)."""
    import re

    from inngest_lint.registry import all_rules
    from inngest_lint.reporters.base import DOCS_PAGE, rule_url

    page = (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line[3:].strip().lower()).replace(" ", "-")
        for line in page.splitlines()
        if line.startswith("## ")
    }
    for rule in all_rules():
        url = rule_url(rule.code)
        assert url.startswith(DOCS_PAGE + "#"), url
        assert url.split("#", 1)[1] in anchors, f"{rule.code}: {url} has no heading in docs/rules.md"
    project_urls = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert f'Documentation = "{DOCS_PAGE}"' in project_urls
