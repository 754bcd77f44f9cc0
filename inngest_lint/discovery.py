"""Which files to lint, and where the project root is (`inngest_lint.modules` names modules).

Directories are walked for `*.py`/`*.pyi` with default excludes, the config's excludes and every
`.gitignore` on the way (gitignore semantics via `pathspec`, the library pip-tools, black and
ruff's Python tooling use, rather than a home-grown glob matcher). A file named explicitly is
linted even when excluded, unless --force-exclude, as in ruff and black.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "env",
    "node_modules",
    "__pycache__",
    "build",
    "dist",
    ".tox",
    ".nox",
    "site-packages",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".inngest_lint_cache",
    ".eggs",
)
PYTHON_SUFFIXES = (".py", ".pyi")
ROOT_MARKERS = ("pyproject.toml", ".git", "inngest-lint.toml")


def find_project_root(start: Path) -> Path | None:
    """The project a path belongs to: the nearest folder upward whose inngest-lint settings
    apply (`inngest-lint.toml`, or `pyproject.toml` with a `[tool.inngest-lint]` table) without
    leaving the repository; else the nearest folder holding pyproject.toml, inngest-lint.toml
    or .git.

    A repository whose services each have a `pyproject.toml` and which configures the linter
    once at its top is one project, whichever folder or file a run starts from (a pre-commit
    run names a file deep in one service): its cross-file facts, and so its findings, are the
    same from everywhere.
    """
    directory = start.resolve()
    if not directory.is_dir():
        directory = directory.parent
    nearest: Path | None = None
    for candidate in (directory, *directory.parents):
        if nearest is None and any((candidate / marker).exists() for marker in ROOT_MARKERS):
            nearest = candidate
        if (candidate / "inngest-lint.toml").is_file() or _configures_linter(candidate / "pyproject.toml"):
            return candidate
        if (candidate / ".git").exists():
            break
    return nearest


def _configures_linter(pyproject: Path) -> bool:
    """Whether a pyproject.toml has a `[tool.inngest-lint]` table (a text test: no TOML parse
    for every folder upward on every run).

    Only a regular file is read, and only as much as a configuration may hold: this runs for
    every folder upward, where a FIFO named pyproject.toml would block the run and a link to
    /dev/zero would read until memory runs out. Such a file configures nothing.
    """
    from inngest_lint.config import ConfigError, read_config_text

    if not pyproject.is_file():
        return False
    try:
        text = read_config_text(pyproject)
    except ConfigError:
        return False
    return any(line.lstrip().startswith("[tool.inngest-lint") for line in text.splitlines())


@dataclass
class Excluder:
    """Decides whether a path under `base` is excluded (defaults, config globs, .gitignore)."""

    base: Path
    patterns: tuple[str, ...]

    def __post_init__(self) -> None:
        self._gitignores: dict[Path, pathspec.PathSpec | None] = {}
        self._text_specs: dict[str, pathspec.PathSpec | None] = {}
        self._base_text = str(self.base)
        self._user = _spec(self.patterns) if self.patterns else None

    def _gitignore(self, directory: Path) -> pathspec.PathSpec | None:
        if directory not in self._gitignores:
            spec = None
            ignore_file = directory / ".gitignore"
            if ignore_file.is_file():
                try:
                    lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
                    spec = _spec(lines)
                except OSError:
                    spec = None
            self._gitignores[directory] = spec
        return self._gitignores[directory]

    def excluded(self, path: Path, is_dir: bool, gitignore_dirs: Iterable[Path]) -> bool:
        return self.excluded_text(str(path), path.name, is_dir, [str(d) for d in gitignore_dirs])

    def excluded_text(self, path: str, name: str, is_dir: bool, gitignore_dirs: Sequence[str]) -> bool:
        """The same decision on plain strings: the walk calls this for every entry of the tree,
        and pathlib objects cost more than the matching itself."""
        if is_dir and name in DEFAULT_EXCLUDES:
            return True
        suffix = "/" if is_dir else ""
        if self._user is not None:
            base = self._base_text
            relative = path[len(base) + 1:] if path.startswith(base + os.sep) else path
            relative = relative.replace(os.sep, "/")
            if self._user.match_file(relative + suffix) or any(
                fnmatch.fnmatch(name, pattern) for pattern in self.patterns
            ):
                return True
        for directory in gitignore_dirs:
            spec = self._gitignore(Path(directory)) if directory not in self._text_specs else self._text_specs[directory]
            self._text_specs[directory] = spec
            if spec is None:
                continue
            relative = path[len(directory) + 1:].replace(os.sep, "/") + suffix
            if spec.match_file(relative):
                return True
        return False


def _spec(lines: Iterable[str]) -> pathspec.PathSpec:
    """A gitignore matcher; pathspec is imported only when a pattern exists (start-up time).

    A line the matcher rejects (`!` alone, a lone backslash) is left out, as git leaves it out:
    one bad line in some folder's .gitignore must not end the run. (Patterns from the
    configuration are checked when it is read, by `check_pattern`, and named there.)
    """
    import pathspec

    lines = list(lines)
    try:
        return pathspec.PathSpec.from_lines("gitignore", lines)
    except Exception:  # noqa: BLE001 - the matcher's own error types vary between versions
        return pathspec.PathSpec.from_lines("gitignore", [line for line in lines if check_pattern(line) is None])


def check_pattern(pattern: str) -> str | None:
    """Why the gitignore matcher rejects `pattern`, or None when it accepts it."""
    import pathspec

    try:
        pathspec.PathSpec.from_lines("gitignore", [pattern])
    except Exception as error:  # noqa: BLE001 - the matcher's own error types vary between versions
        return str(error) or type(error).__name__
    return None


def walk_python_files(root: Path, excluder: Excluder) -> Iterator[Path]:
    """Every Python file under root, skipping excluded directories without entering them."""
    gitignore_chain = [parent for parent in reversed(root.resolve().parents)
                       if (parent / ".gitignore").is_file() and _inside_repo(parent, root)]
    yield from _walk(root.resolve(), excluder, gitignore_chain)


def walk_python_texts(root: Path, excluder: Excluder) -> Iterator[str]:
    """`walk_python_files` as plain strings (no pathlib object per file)."""
    resolved = root.resolve()
    gitignore_chain = [str(parent) for parent in reversed(resolved.parents)
                       if (parent / ".gitignore").is_file() and _inside_repo(parent, root)]
    yield from _walk_text(str(resolved), excluder, gitignore_chain)


def _inside_repo(candidate: Path, root: Path) -> bool:
    """Only .gitignore files at or below the enclosing repository's top apply."""
    top = find_git_top(root)
    if top is None:
        return False
    return candidate == top or top in candidate.parents


def find_git_top(start: Path) -> Path | None:
    directory = start.resolve()
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _walk(directory: Path, excluder: Excluder, gitignores: list[Path]) -> Iterator[Path]:
    yield from (Path(found) for found in _walk_text(str(directory), excluder, [str(d) for d in gitignores]))


def _walk_text(directory: str, excluder: Excluder, gitignores: list[str]) -> Iterator[str]:
    if os.path.isfile(os.path.join(directory, ".gitignore")):
        gitignores = [*gitignores, directory]
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if excluder.excluded_text(entry.path, entry.name, is_dir, gitignores):
            continue
        if is_dir:
            yield from _walk_text(entry.path, excluder, gitignores)
        elif entry.name.endswith(PYTHON_SUFFIXES):
            yield entry.path


def is_test_path(path: Path, root: Path | None = None) -> bool:
    """Test files: under a tests/ or test/ folder (below the project root), test_*.py,
    *_test.py, conftest.py."""
    name = path.name
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    parts = path.parts[:-1]
    if root is not None:
        try:
            parts = path.resolve().relative_to(root.resolve()).parts[:-1]
        except ValueError:
            pass
    return any(part in ("tests", "test") for part in parts)
