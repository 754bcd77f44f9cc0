"""libcst is used past its public API, so its version is bounded and the bound is checked.

`inngest_lint/semantic/positions.py` subclasses libcst's private `CodegenState`, and
`inngest_lint/semantic/traverse.py` reads the source of libcst's node classes for their field
order. Both are pinned down by tests (test_positions.py, test_traverse.py) against the libcst
that is installed; those tests only mean something for the versions `pyproject.toml` allows,
which `.ci/run` runs at both ends. A libcst outside the bound fails here first, by name, rather
than as a puzzling range or traversal mismatch later.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def _declared_libcst() -> SpecifierSet:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(line) for line in project["dependencies"] if Requirement(line).name == "libcst"]
    assert len(found) == 1, f"pyproject.toml should declare libcst once in [project].dependencies: {found}"
    return found[0].specifier


def test_libcst_has_an_upper_bound() -> None:
    specifier = _declared_libcst()
    assert any(spec.operator in ("<", "<=", "~=", "==") for spec in specifier), (
        f"libcst{specifier} has no upper bound: the package imports a private libcst module "
        "(libcst._nodes.internal) and reads libcst's source, so a new major must be tried first"
    )


def test_installed_libcst_is_inside_the_declared_bound() -> None:
    specifier = _declared_libcst()
    installed = version("libcst")
    assert specifier.contains(installed, prereleases=True), (
        f"libcst {installed} is installed but pyproject.toml allows libcst{specifier}: the traversal "
        "and position tests only vouch for the allowed versions. Install one of them, or run the suite "
        "on this version and move the bound (and .ci/run's lowest version) if it passes."
    )


def test_the_private_codegen_state_is_still_there() -> None:
    """positions.py records ranges by overriding these CodegenState hooks."""
    from libcst._nodes.internal import CodegenState

    missing = [
        name
        for name in ("add_token", "add_indent_tokens", "before_codegen", "after_codegen", "record_syntactic_position")
        if not callable(getattr(CodegenState, name, None))
    ]
    assert missing == [], f"libcst {version('libcst')}: CodegenState lacks {missing}; see semantic/positions.py"
