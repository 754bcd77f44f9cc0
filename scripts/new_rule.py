"""Write the skeleton of a new rule: its module, its fixture folder, and what to run next.

    python scripts/new_rule.py INN119 step-id-from-env --kind file
    python scripts/new_rule.py INN305 event-name-typo --kind project

A file rule (`--kind file`) judges one file while it is walked; a project rule (`--kind
project`) reads the facts of every file once they are all collected. CONTRIBUTING.md ("Adding a
rule") says which to pick and how to fill the skeleton in. Every place to fill in says
`TODO(new-rule)`, and the tests fail on it: the rule's examples (tests/test_rule_examples.py),
its docs (tests/test_registry.py) and its fixtures (tests/test_rule_fixtures.py) stay red until
they are written. The rule catalog and docs/rules.md are regenerated at once, so the new code can
be selected (`inngest-lint --select INN119`) while it is being written. `--root` writes into
another copy of the repository (the tests use it).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

#: What every part to fill in says; tests/test_rule_examples.py and test_rule_fixtures.py fail on it.
PLACEHOLDER = "TODO(new-rule)"

ROOT = Path(__file__).resolve().parent.parent

_FILE_RULE = '''\
"""{code} {name}."""

from __future__ import annotations

import libcst as cst

from inngest_lint.rules.base import Rule


class {cls}(Rule):
    """{todo}: one line, what is flagged, as a noun phrase ("A step call in a loop whose ID ...").

    ## What it does
    {todo}: exactly what is flagged, and where: which calls and arguments, in which functions.

    ## Why is this bad?
    {todo}: what goes wrong when the code runs, citing the SDK source that does it (PyPI
    `inngest`: the module and the function, e.g. `Step.run` in
    `inngest/_internal/step_lib/step_async.py`).

    ## Use instead
    {todo}: one sentence on the fix (optional; the code shown is the first VALID case).

    ## Not flagged
    {todo}: the look-alikes that are right (optional: delete the section if there are none).
    """

    code = "{code}"
    name = "{name}"

    # The first INVALID case is the docs' Example and the first VALID case their Use instead:
    # write those two as a pair, the mistake and its fix. Each case is a whole small file (or a
    # dict of path -> source); mark every line the rule reports with `# error: {code}`.
    VALID = (
        """
        # {todo}: the fix of the first INVALID case; more cases: code that looks wrong but is right.
        """,
    )
    INVALID = (
        """
        # {todo}: the mistake; each line the rule reports ends with a `# error: CODE` comment.
        """,
    )

    def visit_Call(self, node: cst.Call) -> None:
        """{todo}: judge the node. `self.context` is the program model of the file
        (inngest_lint/semantic/context.py: frames, step methods, names); report with
        `self.report(node, message)`. Any `visit_<Node>` / `leave_<Node>` works, and `finish()`
        runs after the walk."""
'''

_PROJECT_RULE = '''\
"""{code} {name}."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules.base import ProjectRule


class {cls}(ProjectRule):
    """{todo}: one line, what is flagged, as a noun phrase ("An event sent under a name ...").

    ## What it does
    {todo}: exactly what is flagged, and across which files.

    ## Why is this bad?
    {todo}: what goes wrong when the code runs, citing the SDK or server source that does it
    (PyPI `inngest`: the module and the function; the Inngest server: the Go file).

    ## Use instead
    {todo}: one sentence on the fix (optional; the code shown is the first VALID case).

    ## Not flagged
    {todo}: the look-alikes that are right (optional: delete the section if there are none).
    """

    code = "{code}"
    name = "{name}"

    # The first INVALID case is the docs' Example and the first VALID case their Use instead:
    # write those two as a pair, the mistake and its fix. A case is a whole small file, or a dict
    # of path -> source for several; mark every line the rule reports with `# error: {code}`.
    VALID = (
        """
        # {todo}: the fix of the first INVALID case; more cases: code that looks wrong but is right.
        """,
    )
    INVALID = (
        """
        # {todo}: the mistake; each line the rule reports ends with a `# error: CODE` comment.
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        """{todo}: read the project index (`self.index`, inngest_lint/facts/index.py: functions,
        sends, serve calls...) and yield `self.diagnostic(location, message)`. A fact the index
        lacks is recorded in phase 1 by inngest_lint/facts/collector.py."""
        return iter(())
'''

_MISTAKES = """\
# {todo}: code with the mistake, written as a real project writes it (its imports, its client,
# its functions); each line the rule reports ends with a `# error: CODE` comment, CODE being
# {code}. Several mistakes may share the file; a `mistakes.toml` beside it may hold
# `[tool.inngest-lint]` options. Rules that read several files may use a folder instead: a
# small project with its pyproject.toml (see tests/test_rule_fixtures.py).
"""

_LOOKALIKES = """\
# {todo}: correct code that looks like the mistake (the cases the rule must stay silent on),
# written as a real project writes it, without expectations.
"""


class UsageError(Exception):
    pass


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def existing_rules(root: Path) -> dict[str, str]:
    """code -> name of the rules already in `root`'s package, read from the file names."""
    found: dict[str, str] = {}
    for path in (root / "inngest_lint" / "rules").glob("inn[0-9][0-9][0-9]_*.py"):
        match = re.fullmatch(r"inn(\d{3})_(\w+?)(_across_files)?", path.stem)
        if match and not match.group(3):
            found[f"INN{match.group(1)}"] = match.group(2).replace("_", "-")
    return found


def new_rule(code: str, name: str, kind: str, root: Path = ROOT) -> list[Path]:
    """Write the skeleton; returns the files written. UsageError when the code or the name is
    malformed or taken, or when a file to write exists."""
    code = code.upper()
    if not re.fullmatch(r"INN\d{3}", code):
        raise UsageError(f"a rule code is INN and three digits, not {code!r}")
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name):
        raise UsageError(f"a rule name is lowercase words joined by '-', not {name!r}")
    if kind not in ("file", "project"):
        raise UsageError(f"--kind is 'file' or 'project', not {kind!r}")
    taken = existing_rules(root)
    if code in taken:
        raise UsageError(f"{code} is taken ({taken[code]})")
    if name in taken.values():
        raise UsageError(f"the name {name!r} is taken")
    values = {"code": code, "name": name, "cls": class_name(name), "todo": PLACEHOLDER}
    fixtures = root / "tests" / "fixtures" / "rules" / code
    files = {
        root / "inngest_lint" / "rules" / f"{code.lower()}_{name.replace('-', '_')}.py": (
            _FILE_RULE if kind == "file" else _PROJECT_RULE
        ),
        fixtures / "mistakes.py": _MISTAKES,
        fixtures / "lookalikes.py": _LOOKALIKES,
    }
    for path in files:
        if path.exists():
            raise UsageError(f"{path} exists")
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values), encoding="utf-8")
    return list(files)


def regenerate_docs(root: Path) -> subprocess.CompletedProcess[str]:
    """`python -m inngest_lint.docs` in `root`: the catalog then lists the new rule."""
    path = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "inngest_lint.docs"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
    )


def next_steps(code: str, written: list[Path], root: Path) -> str:
    shown = [str(path.relative_to(root)) for path in written]
    return f"""\
wrote {shown[0]}
      {shown[1]}
      {shown[2]}
and regenerated the rule catalog and docs/rules.md ({code} can be selected now).

Next (each place to fill in says {PLACEHOLDER}; CONTRIBUTING.md, "Adding a rule"):
  1. Write the docstring and the VALID/INVALID cases, then the check itself.
  2. Write the fixtures: the mistakes with `# error: {code}` inline, and the look-alikes.
  3. python -m pytest -q tests/test_rule_examples.py tests/test_rule_fixtures.py tests/test_registry.py -k {code}
  4. python -m inngest_lint.docs        # again once the docstring is written
  5. python -m pytest -q                # everything, docs freshness included
  6. A line in CHANGELOG.md under [Unreleased].
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("code", help="the new rule's code, e.g. INN119")
    parser.add_argument("name", help="the new rule's name, e.g. step-id-from-env")
    parser.add_argument("--kind", choices=("file", "project"), required=True, help="a file rule or a project rule")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to write into (default: this one)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        written = new_rule(args.code, args.name, args.kind, root)
    except UsageError as error:
        print(f"new_rule.py: {error}", file=sys.stderr)
        return 2
    regenerated = regenerate_docs(root)
    if regenerated.returncode != 0:
        print(f"new_rule.py: python -m inngest_lint.docs failed:\n{regenerated.stderr}", file=sys.stderr)
        return 1
    print(next_steps(args.code.upper(), written, root), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
