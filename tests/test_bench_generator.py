"""bench/generate.py: deterministic, the promised share of Inngest files, valid Python, lintable.

No timings here: the benchmark measures, these tests only guard the tree it measures.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
FILES = 50
RATIO = 0.1  # 5 of 50 files: enough for a client, a serve module and three function modules


def load_generator() -> ModuleType:
    """Import bench/generate.py by path: bench/ is a folder of scripts, not a package."""
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="module")
def tree(generator: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "repo"
    generator.generate(root, files=FILES, ratio=RATIO, seed=7)
    return root


def test_same_seed_gives_a_byte_identical_tree(tree: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    completed = subprocess.run(
        [
            sys.executable,
            str(BENCH / "generate.py"),
            str(again),
            "--files",
            str(FILES),
            "--inngest-ratio",
            str(RATIO),
            "--seed",
            "7",
        ],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert tree_bytes(again) == tree_bytes(tree)


def test_another_seed_gives_another_tree(generator: ModuleType, tree: Path, tmp_path: Path) -> None:
    generator.generate(tmp_path / "other", files=FILES, ratio=RATIO, seed=8)
    assert tree_bytes(tmp_path / "other") != tree_bytes(tree)


@pytest.mark.parametrize(("files", "ratio", "expected"), [(FILES, RATIO, 5), (400, 0.02, 8), (60, 0.02, 3)])
def test_file_count_and_inngest_share(
    generator: ModuleType, tmp_path: Path, files: int, ratio: float, expected: int
) -> None:
    summary = generator.generate(tmp_path / "repo", files=files, ratio=ratio, seed=1)
    python_files = sorted((tmp_path / "repo").rglob("*.py"))
    with_marker = [path for path in python_files if b"inngest" in path.read_bytes()]
    assert len(python_files) == files == summary.files
    # The ratio, except that a tiny tree still gets one whole app (client, function, serve).
    assert len(with_marker) == expected == summary.inngest_files


def test_the_inngest_roles_are_all_there(tree: Path) -> None:
    texts = {path.relative_to(tree).as_posix(): path.read_text(encoding="utf-8") for path in tree.rglob("*.py")}
    assert any("inngest.Inngest(" in text and "app_id=" in text for text in texts.values())
    assert any("@client.create_function(" in text and "ctx.step.run(" in text for text in texts.values())
    assert any(".serve(app, client, functions)" in text for text in texts.values())
    helpers = {path: text for path, text in texts.items() if path.endswith(("/events.py", "/steps.py"))}
    assert helpers and all("inngest" not in text for text in helpers.values())
    assert (tree / "pyproject.toml").is_file() and (tree / ".gitignore").is_file()
    for path in tree.rglob("*.py"):
        for parent in path.relative_to(tree).parents:
            if parent.parts:
                assert (tree / parent / "__init__.py").is_file(), parent


def test_every_generated_file_parses(tree: Path) -> None:
    for path in sorted(tree.rglob("*.py")):
        ast.parse(path.read_bytes(), filename=str(path))


def test_the_linter_runs_on_the_tree_without_crashing(tree: Path) -> None:
    completed = subprocess.run([sys.executable, "-m", "inngest_lint", "."], cwd=tree, capture_output=True, text=True)
    assert completed.returncode in (0, 1), completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "Traceback" not in completed.stderr
