"""What module each file is, and which file an import means for the file that writes it.

Python resolves an import against `sys.path`, which no linter can see: it depends on how the
app is started (`uvicorn app.main:app` from a service's folder, `python -m`, a `src/` layout
installed in a virtual environment). A repository often holds several services that each have a
top-level package `app`, or several example apps that each have a `client.py`. So one dotted
name can mean different files in different places, and the answer depends on the importing file:

- A name inside the packages (or namespace folders) that hold the importing file is found by
  path: relative imports (`from .client import x`) land here, made absolute with the file's
  own dotted name.
- An absolute import (`from app.client import x`) is looked for first under the importing
  file's own import roots: the directory above its regular package (the `__init__.py` chain),
  or its own directory when it is not in one, then each directory above that up to the project
  root, nearest first. That is where the file's service is started from.
- Failing that, under the `src` directories of the settings, in their order.
- Failing that, under the project's other import roots (the directory above each regular
  package, `src/` directories, directories holding `pyproject.toml`, `setup.py` or
  `setup.cfg`). A name found there in two different files is *ambiguous*: the rules that depend
  on it stay silent rather than guess.

The standard library's top-level names and `inngest` (the SDK) are never looked for under the
import roots (a package of the project with such a name still finds its own modules, above).

Within one root the search follows the import system: a regular package (`__init__.py`) before a
module file before a namespace folder; the longest dotted prefix that is a module wins and the
rest is an attribute path inside it (`app.client.inngest_client`). A namespace folder that lacks
the next part lets the search go on to the next root, as namespace packages merge across
`sys.path`; a regular package does not.

A file's own dotted name follows its `__init__.py` chain and then climbs through namespace
folders up to its import root (the project root, a `src/` folder, a folder with a project file,
or a folder whose name is not an identifier): relative imports are made absolute with it, and
the name resolves back to the file from the file itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from inngest_lint.diagnostics import printable

#: Files whose presence makes a folder an import root (a project or a package's setup).
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
PACKAGE_MARKERS = ("__init__.py", "__init__.pyi")
#: Top-level names that never mean a project file: the standard library and the SDK this
#: linter checks. `import inngest` in `app/core/functions.py` beside a helper module
#: `app/core/inngest.py` means the SDK when the app is started from its root, as apps are (a
#: project module that shadowed either would break every other import of it).
_NEVER_PROJECT = frozenset(getattr(sys, "stdlib_module_names", ())) | {"inngest"}


@dataclass(frozen=True)
class Found:
    """The file a dotted name leads to, and the attribute path left inside it."""

    path: str
    rest: tuple[str, ...]


#: A name that two import roots could mean, with nothing to tell which.
AMBIGUOUS = Found("", ())


class ImportResolver:
    """Module names and import targets for the files of one project (see the module doc).

    Files are added once the project is walked; a file's own module name needs only the folders
    above it, so it can be asked for before the walk (a pre-commit run starts its named files
    early). Folder facts (is it a package, does it hold a project file) are looked up once each.
    """

    def __init__(self, root: str | os.PathLike[str] | None, src: Sequence[str] = ()) -> None:
        self.root = os.path.abspath(root) if root is not None else None
        self.src = tuple(os.path.abspath(path) for path in src)
        self._files: set[str] = set()
        self._directories: set[str] = set()
        self._package: dict[str, bool] = {}
        self._project_folder: dict[str, bool] = {}
        self._names: dict[str, tuple[str, bool]] = {}
        self._own_roots: dict[str, tuple[str, ...]] = {}
        self._other_roots: tuple[str, ...] | None = None
        self._found: dict[tuple[str, tuple[str, ...]], Found | None] = {}

    # ---------------------------------------------------------------- the project's files
    def add_files(self, paths: Iterable[str]) -> None:
        directories = self._directories
        for path in paths:
            self._files.add(path)
            directory = os.path.dirname(path)
            while directory not in directories:
                directories.add(directory)
                parent = os.path.dirname(directory)
                if parent == directory or not self._inside_root(directory):
                    break
                directory = parent
        self._other_roots = None
        self._found.clear()

    def _inside_root(self, directory: str) -> bool:
        root = self.root
        return root is not None and (directory == root or directory.startswith(root + os.sep))

    def _is_package(self, directory: str) -> bool:
        known = self._package.get(directory)
        if known is None:
            known = self._package[directory] = any(
                os.path.join(directory, marker) in self._files or os.path.isfile(os.path.join(directory, marker))
                for marker in PACKAGE_MARKERS
            )
        return known

    def _holds_project_file(self, directory: str) -> bool:
        known = self._project_folder.get(directory)
        if known is None:
            known = self._project_folder[directory] = any(
                os.path.isfile(os.path.join(directory, name)) for name in PROJECT_FILES
            )
        return known

    def _is_root_folder(self, directory: str) -> bool:
        """A folder that namespace names do not climb past."""
        name = os.path.basename(directory)
        return (
            directory == self.root
            or not self._inside_root(directory)
            or name == "src"
            or directory in self.src
            or not name.isidentifier()
            or self._holds_project_file(directory)
        )

    # ---------------------------------------------------------------- a file's own name
    def module_name(self, path: str) -> tuple[str, bool]:
        """(dotted module name, is_package) of a file, as its relative imports see it."""
        known = self._names.get(path)
        if known is not None:
            return known
        directory, filename = os.path.split(path)
        is_package = filename in PACKAGE_MARKERS
        stem = filename.rsplit(".", 1)[0]
        parts: list[str] = [] if is_package else [stem]
        # Up the regular-package chain; through namespace folders only below the first package
        # (a regular package is a top-level name where it stands).
        current = directory
        climbed_package = False
        while True:
            if self._is_package(current):
                climbed_package = True
            elif climbed_package or self._is_root_folder(current):
                break
            parts.append(os.path.basename(current))
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        # A file name that is not UTF-8 carries lone surrogates; no import can name it, and the
        # name reaches messages and the graph: shown escaped (`bad\\xff`), as paths are.
        name = printable(".".join(reversed(parts)))
        known = self._names[path] = (name, is_package)
        return known

    def _package_top(self, directory: str) -> str:
        """The folder above the top of the regular-package chain holding `directory`."""
        current = directory
        while self._is_package(current):
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        return current

    # ---------------------------------------------------------------- import targets
    def find(self, dotted: str, origin: str) -> Found | None:
        """The file `dotted` (a module, or a name inside one) means when `origin` imports it.

        None: not a project file (the standard library, a dependency). AMBIGUOUS: two
        project files, with nothing to tell which.
        """
        if not dotted:
            return None
        parts = tuple(dotted.split("."))
        inside = self._inside_own_package(parts, origin)
        if inside is not None:
            return inside
        roots = self._roots_of(origin)
        key = (roots[0] if roots else "", parts)
        if key in self._found:
            return self._found[key]
        found = self._search(parts, roots)
        self._found[key] = found
        return found

    def _inside_own_package(self, parts: tuple[str, ...], origin: str) -> Found | None:
        """A name in the file itself or in the packages that hold it, found by path.

        Relative imports were made absolute with the file's own name, so they land here: a
        package named like the SDK or the standard library (`src/inngest/`) still finds its
        own modules, and a namespace folder is never confused with another root's.
        """
        own, is_package = self.module_name(origin)
        if not own:
            return None
        own_parts = tuple(own.split("."))
        if not is_package and parts[: len(own_parts)] == own_parts:
            return Found(origin, parts[len(own_parts) :])
        package = own_parts if is_package else own_parts[:-1]
        directory = os.path.dirname(origin)
        for depth in range(len(package), 0, -1):
            if parts[:depth] == package[:depth]:
                rest = parts[depth:]
                found = self._under(directory, rest) if rest else None
                if found is not None:
                    return found
                init = self._package_file(directory)
                if init is not None:
                    return Found(init, rest)
                if not rest:
                    return Found(directory, ())
            directory = os.path.dirname(directory)
        return None

    def _package_file(self, directory: str) -> str | None:
        for marker in PACKAGE_MARKERS:
            candidate = os.path.join(directory, marker)
            if candidate in self._files:
                return candidate
        return None

    def _search(self, parts: tuple[str, ...], own_roots: tuple[str, ...]) -> Found | None:
        if parts[0] in _NEVER_PROJECT:
            return None
        for root in (*own_roots, *self.src):
            found = self._under(root, parts)
            if found is not None:
                return found
        candidates = {
            found.path: found
            for root in self._others()
            if root not in own_roots
            for found in (self._under(root, parts),)
            if found is not None
        }
        if len(candidates) > 1:
            return AMBIGUOUS
        return next(iter(candidates.values()), None)

    def _roots_of(self, origin: str) -> tuple[str, ...]:
        """The importing file's own roots, nearest first (see the module doc)."""
        directory = os.path.dirname(origin)
        known = self._own_roots.get(directory)
        if known is None:
            roots: list[str] = []
            current = self._package_top(directory)
            while True:
                roots.append(current)
                parent = os.path.dirname(current)
                if current == self.root or parent == current or not self._inside_root(parent):
                    break
                current = parent
            known = self._own_roots[directory] = tuple(roots)
        return known

    def _others(self) -> tuple[str, ...]:
        """Every import root of the project: above each regular package, `src/` folders,
        folders holding a project file, and the project root."""
        if self._other_roots is None:
            roots: set[str] = set()
            for directory in self._directories:
                if not self._inside_root(directory):
                    continue
                if self._is_package(directory):
                    top = self._package_top(directory)
                    if self._inside_root(top):
                        roots.add(top)
                elif os.path.basename(directory) == "src" or self._holds_project_file(directory):
                    roots.add(directory)
            if self.root is not None:
                roots.add(self.root)
            self._other_roots = tuple(sorted(roots))
        return self._other_roots

    def _under(self, root: str, parts: tuple[str, ...]) -> Found | None:
        """The module `parts` names below one import root, as the import system finds it."""
        head = os.path.join(root, parts[0])
        if head not in self._directories and not any(head + suffix in self._files for suffix in (".py", ".pyi")):
            return None
        for cut in range(len(parts), 0, -1):
            base = os.path.join(root, *parts[:cut])
            for candidate in _module_files(base):
                if candidate in self._files:
                    return Found(candidate, parts[cut:])
            if base in self._directories:
                # A namespace folder: itself when nothing more is asked, else the next part
                # lives under another root (namespace packages merge across sys.path).
                return Found(base, ()) if cut == len(parts) else None
        return None

    def file_for(self, dotted: str, origin: str) -> str | None:
        """The project file an import of `dotted` by `origin` needs parsed, if it is one."""
        found = self.find(dotted, origin)
        if found is None or found is AMBIGUOUS or found.path not in self._files:
            return None
        return found.path


def _module_files(base: str) -> tuple[str, ...]:
    """Where the import system looks for module `base`, in its order: package, then module."""
    return (
        os.path.join(base, "__init__.py"),
        os.path.join(base, "__init__.pyi"),
        base + ".py",
        base + ".pyi",
    )


def module_name(path: str, root: str | None) -> tuple[str, bool]:
    """A single file's dotted name and whether it is a package (the flake8 plugin's files)."""
    return ImportResolver(root).module_name(os.path.abspath(path))
