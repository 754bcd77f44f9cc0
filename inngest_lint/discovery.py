"""Which files to lint, and where the project root is (`inngest_lint.modules` names modules).

Directories are walked for `*.py`/`*.pyi` with default excludes, the config's excludes and every
`.gitignore` on the way (gitignore semantics via `pathspec`, the library pip-tools, black and
ruff's Python tooling use, rather than a home-grown glob matcher). A file named explicitly is
linted even when excluded, unless --force-exclude, as in ruff and black.

The walk yields regular files only (symlinks to them included): a FIFO, socket or device named
`*.py` in a tree is runtime state, never source (git cannot even store one), so it is skipped
silently, as black's walk (`is_file()`) and `find -type f` skip it; reading one would hang the run
or never end. Named on the command line, it is reported instead (INN901, see `engine.parse`),
because the user asked for it. A dangling symlink is still yielded, so the read reports it.

Each real directory is walked once. Directory symlinks are followed, but only after the real
tree (so a file is reported under its real path even when a link to its folder sorts first), and
never into a directory already walked or an ancestor of the walk: two links to `.`, a link to
`..` or to `/` would otherwise loop forever or lint every file twice. The walk keeps its own
stack instead of recursing, so no depth of folders can exhaust Python's recursion limit.
"""

from __future__ import annotations

import fnmatch
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    from inngest_lint.config import linter_config_in

    directory = start.resolve()
    if not directory.is_dir():
        directory = directory.parent
    nearest: Path | None = None
    for candidate in (directory, *directory.parents):
        if nearest is None and any((candidate / marker).exists() for marker in ROOT_MARKERS):
            nearest = candidate
        if linter_config_in(candidate, strict=False) is not None:
            return candidate
        if is_repository_top(candidate):
            break
    return nearest


@dataclass
class Excluder:
    """Decides whether a path under `base` is excluded (defaults, config globs, .gitignore)."""

    base: Path
    patterns: tuple[str, ...]

    def __post_init__(self) -> None:
        self._gitignores: dict[Path, pathspec.PathSpec[Any] | None] = {}
        self._text_specs: dict[str, pathspec.PathSpec[Any] | None] = {}
        self._base_text = str(self.base)
        self._user = _spec(self.patterns) if self.patterns else None

    def _gitignore(self, directory: Path) -> pathspec.PathSpec[Any] | None:
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
            relative = path[len(base) + 1 :] if path.startswith(base + os.sep) else path
            relative = relative.replace(os.sep, "/")
            if self._user.match_file(relative + suffix) or any(
                fnmatch.fnmatch(name, pattern) for pattern in self.patterns
            ):
                return True
        for directory in gitignore_dirs:
            spec = (
                self._gitignore(Path(directory)) if directory not in self._text_specs else self._text_specs[directory]
            )
            self._text_specs[directory] = spec
            if spec is None:
                continue
            relative = path[len(directory) + 1 :].replace(os.sep, "/") + suffix
            if spec.match_file(relative):
                return True
        return False


def _spec(lines: Iterable[str]) -> pathspec.PathSpec[Any]:
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
    gitignore_chain = [
        parent
        for parent in reversed(root.resolve().parents)
        if (parent / ".gitignore").is_file() and _inside_repo(parent, root)
    ]
    yield from _walk(root.resolve(), excluder, gitignore_chain)


def walk_python_texts(root: Path, excluder: Excluder) -> Iterator[str]:
    """`walk_python_files` as plain strings (no pathlib object per file)."""
    resolved = root.resolve()
    gitignore_chain = [
        str(parent)
        for parent in reversed(resolved.parents)
        if (parent / ".gitignore").is_file() and _inside_repo(parent, root)
    ]
    yield from _walk_text(str(resolved), excluder, gitignore_chain)


def _inside_repo(candidate: Path, root: Path) -> bool:
    """Only .gitignore files at or below the enclosing repository's top apply."""
    top = find_git_top(root.resolve())
    if top is None:
        return False
    return candidate == top or top in candidate.parents


def excluded_below(path: Path, excluder: Excluder, stop: Path | None) -> bool:
    """Whether `excluder` excludes the file `path` or one of the folders above it that lie
    below `stop`, as a walk from `stop` would decide (every folder counts when `stop` is None).

    The folders at and above `stop` never count: a project kept under a folder named `build`
    is not excluded wholesale."""
    for parent in path.parents:
        if stop is not None and (parent == stop or stop not in parent.parents):
            break
        if parent.name and excluder.excluded(parent, True, ()):
            return True
    return excluder.excluded(path, False, ())


def is_repository_top(directory: Path) -> bool:
    """Whether `directory` is the top of a git repository: it holds `.git` (a directory, or a
    file in worktrees and submodules)."""
    return (directory / ".git").exists()


def find_git_top(start: Path) -> Path | None:
    """The nearest directory at or above `start` that is a repository's top, else None.

    `start` is climbed as given (resolve it first for the real folders; the reporters climb the
    working directory as the user's shell names it, so their paths stay relative to it)."""
    for candidate in (start, *start.parents):
        if is_repository_top(candidate):
            return candidate
    return None


def _walk(directory: Path, excluder: Excluder, gitignores: list[Path]) -> Iterator[Path]:
    yield from (Path(found) for found in _walk_text(str(directory), excluder, [str(d) for d in gitignores]))


DirectoryId = tuple[int, int]  # (st_dev, st_ino): what a directory is, whatever path reaches it


def _walk_text(top: str, excluder: Excluder, gitignores: list[str]) -> Iterator[str]:
    """Every Python file under `top` (a resolved directory); see the module docstring.

    The real tree comes first; directory symlinks met on the way wait in `deferred` with the
    .gitignore chain of the folder holding them, and are followed afterwards unless their target
    was entered already (`entered`) or is an ancestor of `top` (`above`).
    """
    try:
        top_info = os.stat(top)
    except OSError:
        return
    entered: set[DirectoryId] = {(top_info.st_dev, top_info.st_ino)}
    above = _ancestor_ids(top)
    deferred: deque[tuple[str, list[str]]] = deque()
    files = _Files()
    yield from _walk_tree(top, excluder, gitignores, entered, deferred, files)
    while deferred:
        linked, chain = deferred.popleft()
        try:
            info = os.stat(linked)
        except OSError:
            continue  # dangling, or a loop of links
        identity = (info.st_dev, info.st_ino)
        if identity in entered or identity in above:
            continue
        entered.add(identity)
        yield from _walk_tree(linked, excluder, chain, entered, deferred, files)
    # A `.py` symlink to a file the walk met under its real path would be linted twice (and its
    # functions reported as duplicates of themselves): only links to files met nowhere else.
    for link in files.links:
        try:
            info = os.stat(link)
        except OSError:
            yield link  # dangling: the read reports why
            continue
        identity = (info.st_dev, info.st_ino)
        if identity not in files.seen:
            files.seen.add(identity)
            yield link


class _Files:
    """Files the walk has yielded, by identity, and `.py` symlinks kept for the end."""

    def __init__(self) -> None:
        self.seen: set[DirectoryId] = set()
        self.links: list[str] = []


def _ancestor_ids(top: str) -> frozenset[DirectoryId]:
    ids: set[DirectoryId] = set()
    for parent in Path(top).parents:
        try:
            info = os.stat(parent)
        except OSError:
            continue
        ids.add((info.st_dev, info.st_ino))
    return frozenset(ids)


def _sorted_entries(directory: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as scan:
            return sorted(scan, key=lambda entry: entry.name)
    except OSError:
        return []


def _with_gitignore(directory: str, gitignores: list[str]) -> list[str]:
    if os.path.isfile(os.path.join(directory, ".gitignore")):
        return [*gitignores, directory]
    return gitignores


def _walk_tree(
    top: str,
    excluder: Excluder,
    gitignores: list[str],
    entered: set[DirectoryId],
    deferred: deque[tuple[str, list[str]]],
    files: _Files,
) -> Iterator[str]:
    """The files of one real tree, depth first in name order, without following symlinks."""
    try:
        top_device = os.stat(top).st_dev
    except OSError:
        return
    stack = [(iter(_sorted_entries(top)), _with_gitignore(top, gitignores), top_device)]
    while stack:
        entries, chain, device = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if excluder.excluded_text(entry.path, entry.name, is_dir, chain):
            continue
        if is_dir:
            if entry.is_symlink():
                deferred.append((entry.path, chain))
                continue
            try:
                info = entry.stat()
            except OSError:
                continue
            identity = (info.st_dev, info.st_ino)
            if identity in entered:  # a bind mount of a folder above, say
                continue
            entered.add(identity)
            stack.append((iter(_sorted_entries(entry.path)), _with_gitignore(entry.path, chain), info.st_dev))
        elif entry.name.endswith(PYTHON_SUFFIXES) and _lintable(entry):
            if entry.is_symlink():
                files.links.append(entry.path)
                continue
            identity = (device, entry.inode())  # the inode comes with the directory listing
            if identity not in files.seen:
                files.seen.add(identity)
                yield entry.path


def _lintable(entry: os.DirEntry[str]) -> bool:
    """A regular file, or a symlink that leads nowhere (the read reports why); not a FIFO,
    socket or device, which would hang or never end the read."""
    if entry.is_file():
        return True
    if not entry.is_symlink():
        return False
    try:
        os.stat(entry.path)
    except OSError:
        return True
    return False


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
