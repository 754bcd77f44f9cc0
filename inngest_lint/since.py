"""`--since REF`: the project as it was at a git ref, read from git and collected by phase 1.

The deploy-safety rules (INN7xx) compare what is deployed with what is about to be. What is
deployed is a git ref (`origin/main`, a release tag, `HEAD` for pre-commit), and it is read
straight from the object database: `git ls-tree` lists its files and `git cat-file --batch`
hands over the blobs, so nothing is checked out and nothing is written to the work tree.

Cost follows the change, not the project: `git diff --name-only REF` names the files whose
content differs between REF and the work tree, and every other file's facts at REF are the facts
the run just collected for it (the same bytes give the same facts). A changed file's blob is
read, screened as the run screens files, and linted by the same phase 1, through the results
cache keyed by content digest (the blob of a commit already linted costs nothing). The modules
those files import are followed as the run follows them. On an unchanged tree the whole stage is
three git commands and a second project index over the same facts.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from inngest_lint.discovery import PYTHON_SUFFIXES, Excluder, is_test_path
from inngest_lint.engine.file_pass import FileInput, FileResult
from inngest_lint.engine.parse import decode, worth_parsing
from inngest_lint.facts.index import PreviousVersion, ProjectIndex
from inngest_lint.facts.model import FileFacts
from inngest_lint.modules import ImportResolver
from inngest_lint.settings import Settings

if TYPE_CHECKING:
    from inngest_lint.cache import Cache

#: A git command that takes longer than this is reported, not waited on forever.
GIT_TIMEOUT_SECONDS = 120


class SinceError(Exception):
    """The ref cannot be read: not a git work tree, an unknown ref, a shallow clone. One line."""


@dataclass(frozen=True)
class TreeAtRef:
    """The Python files of the project at a ref, and what changed since."""

    ref: str
    commit: str
    top: str  # the git work tree's top folder
    # Absolute path (as it would be in the work tree) -> blob id.
    blobs: dict[str, str]
    # Absolute paths whose content differs between the ref and the work tree (either side may
    # lack the file).
    changed: frozenset[str]


def _git(top: str, *arguments: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git in `top` without touching the index's lock (a pre-commit hook runs while git
    holds it) or any external diff or pager."""
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", *arguments],
            cwd=top,
            input=data,
            capture_output=True,
            env=environment,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as error:
        raise SinceError("--since needs git, and no `git` command was found") from error
    except subprocess.TimeoutExpired as error:
        raise SinceError(f"--since: `git {arguments[0]}` took longer than {GIT_TIMEOUT_SECONDS} s") from error
    except OSError as error:
        raise SinceError(f"--since: cannot run git: {error.strerror or type(error).__name__}") from error


def _first_line(output: bytes) -> str:
    lines = output.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else ""


def read_tree(root: Path, ref: str) -> TreeAtRef:
    """The Python files under `root` at `ref`, or SinceError with a one-line reason."""
    if not ref or ref.startswith("-"):
        raise SinceError(f"--since: {ref!r} is not a git ref")
    top, commit = _top_and_commit(root, ref)
    # The listing and the comparison with the work tree at once (git does the work; this
    # process waits). Without `-l`: sizes would make git read every blob's header.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending_listing = pool.submit(_git, top, "ls-tree", "-r", "-z", "--full-tree", commit)
        diff = _git(top, "diff", "--no-ext-diff", "--no-renames", "--name-only", "-z", commit, "--")
        listing = pending_listing.result()
    if listing.returncode != 0:
        raise SinceError(f"--since {ref}: cannot list the tree: {_first_line(listing.stderr)}")
    root_text = os.path.realpath(root)
    inside_root = root_text + os.sep
    suffixes = tuple(suffix.encode() for suffix in PYTHON_SUFFIXES)
    blobs: dict[str, str] = {}
    for entry in listing.stdout.split(b"\0"):
        meta, _, raw_path = entry.partition(b"\t")
        if not raw_path.endswith(suffixes):
            continue
        parts = meta.split()
        # Regular files only: symlinks (120000) and submodules (commit) are not read.
        if len(parts) != 3 or parts[1] != b"blob" or parts[0] not in (b"100644", b"100755"):
            continue
        path = _work_tree_path(top, raw_path)
        if path.startswith(inside_root):
            blobs[path] = parts[2].decode("ascii")
    if diff.returncode != 0:
        raise SinceError(f"--since {ref}: cannot compare with the work tree: {_first_line(diff.stderr)}")
    changed = frozenset(_work_tree_path(top, name) for name in diff.stdout.split(b"\0") if name)
    return TreeAtRef(ref, commit, top, blobs, changed)


def _top_and_commit(root: Path, ref: str) -> tuple[str, str]:
    """The work tree's top folder and the commit `ref` names, in one git call when both are
    there; otherwise the reason, one line."""
    both = _git(
        str(root), "rev-parse", "--show-toplevel", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
    )
    lines = both.stdout.decode("utf-8", "surrogateescape").splitlines()
    if both.returncode == 0 and len(lines) == 2:
        return os.path.realpath(lines[0]), lines[1].strip()
    inside = _git(str(root), "rev-parse", "--show-toplevel")
    if inside.returncode != 0:
        raise SinceError(f"--since {ref}: {root} is not inside a git work tree")
    top = os.path.realpath(inside.stdout.decode("utf-8", "surrogateescape").strip())
    shallow = _git(top, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
    if shallow:
        raise SinceError(
            f"--since {ref}: no such commit in this shallow clone; fetch the history "
            "(`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
        )
    raise SinceError(f"--since {ref}: no such git ref or commit")


def _work_tree_path(top: str, git_path: bytes) -> str:
    """The absolute path of a path as git prints it (`/`-separated, relative to the top)."""
    relative = os.fsdecode(git_path)
    return f"{top}/{relative}" if os.sep == "/" else os.path.join(top, *relative.split("/"))


def read_blobs(top: str, blob_ids: Iterable[str]) -> dict[str, bytes]:
    """The contents of blobs, in one `git cat-file --batch`."""
    wanted = list(dict.fromkeys(blob_ids))
    if not wanted:
        return {}
    done = _git(top, "cat-file", "--batch", data="".join(f"{blob}\n" for blob in wanted).encode("ascii"))
    if done.returncode != 0:
        raise SinceError(f"--since: cannot read blobs: {_first_line(done.stderr)}")
    output = done.stdout
    contents: dict[str, bytes] = {}
    position = 0
    for blob in wanted:
        end = output.find(b"\n", position)
        if end < 0:
            break
        header = output[position:end].split()
        position = end + 1
        if len(header) != 3 or not header[2].isdigit():
            continue  # "<id> missing"
        size = int(header[2])
        contents[blob] = output[position : position + size]
        position += size + 1
    return contents


class _PreviousCollector:
    """Facts of every file of the project at the ref that the run would have parsed there."""

    def __init__(
        self,
        tree: TreeAtRef,
        root: Path,
        settings: Settings,
        codes: frozenset[str],
        excluder: Excluder,
        current: Mapping[str, FileResult],
        cache: Cache | None,
        debug: bool,
        jobs: int | None,
        walked: Collection[str],
        modules: ImportResolver,
    ) -> None:
        self.tree = tree
        self.root = root
        self.settings = settings
        self.codes = codes
        self.current = current
        self.cache = cache
        self.debug = debug
        self.jobs = jobs
        # A file the run walked is not excluded; only the others are matched against the globs.
        self.paths = [path for path in tree.blobs if path in walked or not _excluded(path, root, excluder)]
        self.same_files = len(self.paths) == len(walked) and all(path in walked for path in self.paths)
        if self.same_files:
            # The same files (edited or not): module names and imports resolve as they do now,
            # and the run's resolver has already answered most of what the index will ask.
            self.modules = modules
        else:
            self.modules = ImportResolver(root, settings.src_roots())
            self.modules.add_files(self.paths)
        self.facts: dict[str, FileFacts] = {}
        self.seen: set[str] = set()

    def collect(self) -> list[FileFacts]:
        # An unchanged file the run did not lint does not mention Inngest at the ref either; it
        # is read from git only if a linted file imports it.
        pending = [path for path in self.paths if path in self.tree.changed]
        for path in self.paths:
            if path not in self.tree.changed and path in self.current:
                self._take_current(path)
        from_git = self._parse_from_git(pending, screen=True)
        # The run followed the imports of the unchanged files already: with the same files, they
        # lead to the same modules, whose facts are taken above, unless a module changed since
        # (and was not read yet because it does not mention Inngest at the ref).
        unread_changes = any(path in self.tree.blobs and path not in self.seen for path in self.tree.changed)
        self._follow_imports(list(self.facts) if unread_changes or not self.same_files else from_git)
        return [self.facts[path] for path in sorted(self.facts)]

    def _take_current(self, path: str) -> None:
        """An unchanged file: its facts at the ref are the ones the run collected."""
        self.seen.add(path)
        facts = self.current[path].facts
        if facts is not None:
            self.facts[path] = facts

    def _follow_imports(self, frontier: list[str]) -> None:
        while frontier:
            wanted: list[str] = []
            for importer in frontier:
                facts = self.facts.get(importer)
                if facts is None:
                    continue
                for target in (*facts.imports.values(), *facts.star_imports):
                    found = self.modules.file_for(target, importer)
                    if found is None or found in self.seen or found not in self.tree.blobs:
                        continue
                    if found not in self.tree.changed and found in self.current:
                        self._take_current(found)
                        frontier.append(found)
                    else:
                        wanted.append(found)
            frontier = self._parse_from_git(wanted, screen=False)

    def _parse_from_git(self, paths: list[str], *, screen: bool) -> list[str]:
        """Lint `paths` as they are at the ref (only those that mention Inngest when
        `screen`); the paths that got facts."""
        from inngest_lint.engine.runner import Phase1

        limit = self.settings.max_file_bytes
        paths = [path for path in dict.fromkeys(paths) if path not in self.seen]
        contents = read_blobs(self.tree.top, (self.tree.blobs[path] for path in paths))
        phase1 = Phase1(self.settings, self.codes, self.debug, self.jobs)
        digests: dict[str, str] = {}
        settled: list[str] = []
        for path in paths:
            data = contents.get(self.tree.blobs[path])
            if data is not None and screen and not worth_parsing(data):
                continue  # not parsed unless a parsed file imports it
            self.seen.add(path)
            if data is None or b"\x00" in data or len(data) > limit:
                continue
            module = self.modules.module_name(path)
            if self.cache is not None:
                digests[path] = self.cache.digest(data)
                cached = self.cache.load_result(path, digests[path], module)
                if cached is not None:
                    if cached.facts is not None:
                        self.facts[path] = cached.facts
                        settled.append(path)
                    continue
            text = decode(path, data).text
            if text is None:
                continue
            phase1.submit(FileInput(path, module[0], module[1], is_test_path(Path(path), self.root), text))
        for item, result in phase1.completed():
            if self.cache is not None and item.path in digests:
                self.cache.store_result(item.path, digests[item.path], (item.module, item.is_package), result)
            if result.facts is not None:
                self.facts[item.path] = result.facts
                settled.append(item.path)
        return settled


def _excluded(path: str, root: Path, excluder: Excluder) -> bool:
    """Excluded as the run's walk would exclude it (the configured globs and default folders;
    .gitignore does not apply: the file is tracked)."""
    relative = os.path.relpath(path, root)
    parts = relative.split(os.sep)
    current = str(root)
    for part in parts[:-1]:
        current = os.path.join(current, part)
        if excluder.excluded_text(current, part, True, ()):
            return True
    return excluder.excluded_text(path, parts[-1], False, ())


def previous_version(
    ref: str,
    root: Path,
    settings: Settings,
    codes: frozenset[str],
    excluder: Excluder,
    current: Mapping[str, FileResult],
    walked: Collection[str],
    modules: ImportResolver,
    cache: Cache | None = None,
    debug: bool = False,
    jobs: int | None = None,
) -> PreviousVersion:
    """The project index at `ref` (see the module doc), or SinceError. `walked` are the
    project's files as the run found them, `modules` the run's import resolver."""
    tree = read_tree(root, ref)
    collector = _PreviousCollector(tree, root, settings, codes, excluder, current, cache, debug, jobs, walked, modules)
    facts = collector.collect()
    index = ProjectIndex(facts, settings, collector.modules)
    unparsed = frozenset(path for path, result in current.items() if result.facts is None and result.diagnostics)
    return PreviousVersion(ref=ref, index=index, changed=tree.changed, unparsed=unparsed)
