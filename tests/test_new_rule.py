"""scripts/new_rule.py, run into a copy of the package: the skeleton is a rule the registry finds,
and its tests stay red until its placeholders are filled in."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_rule_examples import PLACEHOLDER as EXAMPLES_PLACEHOLDER
from test_rule_fixtures import PLACEHOLDER as FIXTURES_PLACEHOLDER

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "new_rule.py"
#: What the copy needs: the package, and the tests that run a rule's examples and fixtures.
HARNESS = (
    "conftest.py",
    "annotations.py",
    "git_projects.py",  # the deploy rules' examples are two commits
    "test_rule_examples.py",
    "test_rule_fixtures.py",
    "test_registry.py",
)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "inngest_lint", root / "inngest_lint", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "tests").mkdir()
    for name in HARNESS:
        shutil.copy(ROOT / "tests" / name, root / "tests" / name)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=600)


def test_a_new_file_rule_is_registered_and_red_until_filled_in(copy: Path) -> None:
    made = _run(copy, str(SCRIPT), "INN199", "step-id-from-env", "--kind", "file", "--root", str(copy))
    assert made.returncode == 0, made.stderr
    rule_file = copy / "inngest_lint" / "rules" / "inn199_step_id_from_env.py"
    assert rule_file.is_file()
    assert sorted(path.name for path in (copy / "tests" / "fixtures" / "rules" / "INN199").iterdir()) == [
        "lookalikes.py",
        "mistakes.py",
    ]
    assert "python -m pytest" in made.stdout and "CONTRIBUTING.md" in made.stdout

    found = _run(
        copy,
        "-c",
        "from inngest_lint.registry import by_code, info_by_code; from inngest_lint.rules.base import Rule; "
        "rule = by_code()['INN199']; assert issubclass(rule, Rule) and rule.name == 'step-id-from-env'; "
        "assert 'INN199' in info_by_code()",  # in the catalog too: `--select INN199` works at once
    )
    assert found.returncode == 0, found.stderr

    pytest_args = ("-m", "pytest", "-q", "-p", "no:cacheprovider", *(f"tests/{name}" for name in HARNESS[2:]))
    tests = _run(copy, *pytest_args, "-k", "INN199")
    assert tests.returncode == 1, tests.stdout
    failed = {line.split(" ")[1].split("[")[0] for line in tests.stdout.splitlines() if line.startswith("FAILED")}
    assert failed == {
        "tests/test_rule_examples.py::test_valid_example_is_not_flagged",
        "tests/test_rule_examples.py::test_invalid_example_is_flagged",
        "tests/test_rule_fixtures.py::test_rule_fixture",
        "tests/test_rule_fixtures.py::test_fixture_folder_expects_its_code",
        "tests/test_registry.py::test_docs_show_the_tested_cases",
    }, tests.stdout
    assert "fill in the example" in tests.stdout and "TODO(new-rule)" in tests.stdout

    # Filled in, the same tests pass.
    source = rule_file.read_text(encoding="utf-8")
    head, _, _ = source.partition('    """{placeholder}: one line'.format(placeholder="TODO(new-rule)"))
    rule_file.write_text(head + FILLED_IN, encoding="utf-8")
    fixtures = copy / "tests" / "fixtures" / "rules" / "INN199"
    (fixtures / "mistakes.py").write_text(
        "import inngest\n\nSTEP_ID = forbidden()  # error: INN199\n", encoding="utf-8"
    )
    (fixtures / "lookalikes.py").write_text("import inngest\n\nSTEP_ID = allowed()\n", encoding="utf-8")
    assert _run(copy, "-m", "inngest_lint.docs").returncode == 0
    tests = _run(copy, *pytest_args, "-k", "INN199")
    assert tests.returncode == 0, tests.stdout


FILLED_IN = '''\
    """A call to `forbidden()`.

    ## What it does
    Flags `forbidden()`.

    ## Why is this bad?
    It is forbidden.
    """

    code = "INN199"
    name = "step-id-from-env"
    VALID = ("import inngest\\nallowed()\\n",)
    INVALID = ("import inngest\\nforbidden()  # error: INN199\\n",)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "forbidden":
            self.report(node, "forbidden")
'''


def test_a_new_project_rule_is_registered(copy: Path) -> None:
    made = _run(copy, str(SCRIPT), "INN399", "event-name-typo", "--kind", "project", "--root", str(copy))
    assert made.returncode == 0, made.stderr
    found = _run(
        copy,
        "-c",
        "from inngest_lint.registry import by_code, project_rules; from inngest_lint.rules.base import ProjectRule; "
        "rule = by_code()['INN399']; assert issubclass(rule, ProjectRule) and rule in project_rules()",
    )
    assert found.returncode == 0, found.stderr


def test_taken_or_malformed_codes_and_names_are_refused(copy: Path) -> None:
    new_rule = runpy.run_path(str(SCRIPT))
    usage_error = new_rule["UsageError"]
    for code, name, kind in (
        ("INN101", "anything-new", "file"),  # the code is taken
        ("INN198", "step-id-reused-in-loop", "file"),  # the name is taken
        ("INN19", "short-code", "file"),
        ("INN198", "Not_Kebab", "file"),
        ("INN198", "fine-name", "module"),
    ):
        with pytest.raises(usage_error):
            new_rule["new_rule"](code, name, kind, copy)
    assert not list((copy / "inngest_lint" / "rules").glob("inn198_*"))
    assert new_rule["PLACEHOLDER"] == EXAMPLES_PLACEHOLDER == FIXTURES_PLACEHOLDER
