"""lint_paths(): discover files, phase 1 on what matters, phase 2, suppress, select, sort.

Cost should follow the Inngest code, not the repository: files are read and tested for the
bytes `inngest` before any parse, and project modules that a parsed file imports are parsed on
demand (a constants module or a step-handler module need not mention Inngest), so cross-file
rules lose nothing. Phase 1 always covers the whole project root, even when only some files are
named (pre-commit passes only staged files); only findings in the named files are reported.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from inngest_lint.diagnostics import Diagnostic, Location, Severity, display_path
from inngest_lint.discovery import (
    Excluder,
    excluded_below,
    find_project_root,
    is_test_path,
    walk_python_texts,
)
from inngest_lint.engine.file_pass import FileInput, FileResult
from inngest_lint.engine.parse import decode, read_bytes, worth_parsing
from inngest_lint.engine.runner import Phase1
from inngest_lint.modules import ImportResolver
from inngest_lint.selection import UNUSED_NOQA, Selection, enabled_codes
from inngest_lint.settings import Settings
from inngest_lint.suppression import NoqaMap

if TYPE_CHECKING:
    from inngest_lint.cache import Cache
    from inngest_lint.facts.index import PreviousVersion

#: Project files (as last seen) from which walking the project takes long enough to hide a
#: worker's start: its libcst import and the parse of the named files (bench/: a pre-commit run
#: on the 10,000-file tree went from 0.55 s to 0.43 s).
EARLY_START_MIN_FILES = 1000
#: The deploy-safety rules' codes (INN7xx): they need the project at `since`.
DEPLOY_CODE_PREFIX = "INN7"
#: Up to this many named files are screened by reading them, before the cache is opened.
FEW_NAMED_FILES = 50


@dataclass
class RunOptions:
    force_exclude: bool = False
    stdin_text: str | None = None
    # The bytes read from stdin, decoded here as a file is (its `coding:` cookie, or UTF-8);
    # when given, they take the place of `stdin_text`.
    stdin_bytes: bytes | None = None
    stdin_filename: str | None = None
    debug: bool = False
    project_root: Path | None = None
    # Unsaved editor buffers: path -> text, used instead of the file on disk.
    overrides: dict[str, str] = field(default_factory=dict)
    # Lint only the named files, without reading the rest of the project (tests, one-off runs).
    isolated: bool = False
    use_cache: bool = True
    cache_dir: Path | None = None
    jobs: int | None = None  # phase-1 worker processes; None = decide from the file count
    max_file_bytes: int = 0  # 0: take it from the settings
    # Read the project at `settings.since` even when no deploy-safety rule is selected (the
    # graph marks what changed since the ref).
    compare_since: bool = False


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # usage-level problems (missing paths)
    files_linted: int = 0
    files_parsed: int = 0
    index: object = None
    files: list[str] = field(default_factory=list)  # --show-files: the files a run would lint

    def exit_code(self, max_warnings: int | None = None) -> int:
        if self.errors or any(d.internal for d in self.diagnostics):
            return 2
        errors = [d for d in self.diagnostics if d.severity is Severity.ERROR]
        warnings = [d for d in self.diagnostics if d.severity is Severity.WARNING]
        if errors:
            return 1
        if warnings and (max_warnings is None or len(warnings) > max_warnings):
            return 1
        return 0


@dataclass
class _Screen:
    """What a file is before any parse: does it mention Inngest, is it readable."""

    mentions: bool = False
    problem: Diagnostic | None = None
    digest: str = ""
    text: str | None = None  # for stdin and editor buffers only
    skipped: bool = False  # too large, unreadable or binary: never parsed, even on demand
    size: int = 0  # bytes, when read: phase 1 starts with the largest files


def _mentions(data: bytes) -> bool:
    return worth_parsing(data)


def _screen(
    path: str, *, named_file: bool, stdin_path: str | None, options: RunOptions, cache: Cache | None
) -> _Screen:
    """Paths are plain strings here: this runs for every file of the project on every run."""
    override = options.overrides.get(path) if options.overrides else None
    if override is None and stdin_path is not None and path == stdin_path and options.stdin_bytes is not None:
        decoded = decode(path, options.stdin_bytes)
        if decoded.text is None:
            return _Screen(problem=decoded.problem, skipped=True)
        return _Screen(mentions=_mentions(options.stdin_bytes), text=decoded.text)
    if override is not None or (stdin_path is not None and path == stdin_path):
        text = override if override is not None else (options.stdin_text or "")
        return _Screen(mentions=_mentions(text.encode("utf-8", "surrogatepass")), text=text)
    stat = None
    if cache is not None:
        try:
            stat = os.stat(path)
        except OSError:
            stat = None
        if stat is not None and S_ISREG(stat.st_mode):
            known = cache.lookup(path, stat.st_mtime_ns, stat.st_size)
            if known is not None:
                return _Screen(mentions=known[1], digest=known[0])
        else:
            stat = None  # a FIFO or device is never remembered: read_bytes says what it is
    # Regular files only, and never past max-file-size: read_bytes checks both on the open file.
    data, problem = read_bytes(path, options.max_file_bytes)
    if problem is not None or data is None:
        return _Screen(problem=problem if named_file else None, skipped=True)
    file_digest = cache.digest(data) if cache is not None else ""
    mentions = _mentions(data)
    screen = _Screen(mentions=mentions, digest=file_digest, size=len(data))
    if named_file and (b"\x00" in data or not mentions):
        # A binary or undecodable named file is reported, never parsed. (A context file needs no
        # decode here: if it is ever parsed on demand, lint_file turns the same problem into an
        # unreported INN901, and decoding every file of the project would cost a cold run.)
        bad = b"\x00" in data
        if not bad:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                bad = decode(path, data).problem is not None
        if bad:
            return _Screen(problem=decode(path, data).problem, skipped=True)
    if cache is not None and stat is not None:
        cache.remember(path, stat.st_mtime_ns, stat.st_size, file_digest, mentions)
    return screen


def _open_cache(options: RunOptions, root: Path | None, settings: Settings, codes: frozenset[str]) -> Cache | None:
    if not options.use_cache or options.isolated:
        return None
    # Its record types cost 20 ms to import: a run that never needs the cache never pays.
    from inngest_lint.cache import CACHE_DIR_NAME, Cache

    directory = options.cache_dir or (root / CACHE_DIR_NAME if root is not None else None)
    if directory is None:
        return None
    relevant = {
        key: value
        for key, value in vars(settings).items()
        if key
        not in (
            "config_path",
            "root",
            "_extra",
            "select",
            "ignore",
            "extend_select",
            "per_file_ignores",
            "severity",
            "max_warnings",
            "fix",
            "unsafe_fixes",
            "fixable",
            "unfixable",
            "exclude",
            "extend_exclude",
            "since",  # the ref changes which project is compared, not any file's result
        )
    }
    return Cache(directory, repr((sorted(codes), sorted(relevant.items()))))


def files_to_lint(paths: list[str], settings: Settings, options: RunOptions | None = None) -> RunResult:
    """What `lint_paths` would lint (`--show-files`): `files` holds the named files (directories
    walked, excludes applied) and `errors` the paths that do not exist; nothing is read or parsed."""
    run = _Run(settings, options or RunOptions())
    run.discover(paths)
    run.result.files = list(run.named)
    return run.result


def lint_paths(paths: list[str], settings: Settings, options: RunOptions | None = None) -> RunResult:
    """Lint `paths` (files or directories) with the project around them; see the module doc.

    The cyclic garbage collector is off for the run: a run allocates hundreds of thousands of
    objects that live until it ends (every cached file's facts, the screen of every project
    file) and contain no cycles, and the collector's passes over them cost a pre-commit run
    about 0.1 s (measured on the benchmark, 0.65 s -> 0.55 s). It is back on when the run ends,
    so a long-lived caller (the language server, --watch) loses nothing.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _lint_paths(paths, settings, options)
    finally:
        if collecting:
            gc.enable()


def _lint_paths(paths: list[str], settings: Settings, options: RunOptions | None) -> RunResult:
    run = _Run(settings, options or RunOptions())
    run.discover(paths)
    run.screen_named()
    context_files = run.walk_project()
    run.phase1(context_files)
    run.previous_version()
    run.phase2()
    return run.report()


class _Run:
    """One run, stage by stage: discover the named files and the project root; screen them
    (read, test for Inngest, through the cache); walk the rest of the project; phase 1 on the
    files that mention Inngest and, on demand, the project modules they import; phase 2 over
    all facts; report what the selection keeps in the named files."""

    def __init__(self, settings: Settings, options: RunOptions) -> None:
        if not options.max_file_bytes:
            options = replace(options, max_file_bytes=settings.max_file_bytes)
        self.settings = settings
        self.options = options
        self.result = RunResult()
        self.codes = enabled_codes(settings)
        self.excluder_base = Path(settings.root).resolve()
        self.excluder = Excluder(self.excluder_base, (*settings.exclude, *settings.extend_exclude))
        self.named: dict[str, None] = {}
        self.stdin_path: str | None = None
        self.root: Path | None = None
        self.cache: Cache | None = None
        self.screens: dict[str, _Screen] = {}
        self.mentions_inngest = False
        self.modules = ImportResolver(None, settings.src_roots())
        self.results: dict[str, FileResult] = {}
        self.project_diagnostics: list[Diagnostic] = []
        self._phase1 = Phase1(settings, self.codes, options.debug, options.jobs)
        self._submitted: set[str] = set()
        self._settled: list[str] = []  # files with a result whose imports are still to be followed
        self.previous: PreviousVersion | None = None
        self.walked: set[str] = set()  # the named files and the project's other files

    # ------------------------------------------------------------------ 1. discover
    def discover(self, paths: list[str]) -> None:
        """The files the user named (directories walked), and the project root."""
        first: Path | None = None
        for raw in paths:
            if raw == "-":
                stdin_resolved = (
                    Path(self.options.stdin_filename).resolve()
                    if self.options.stdin_filename
                    else anonymous_stdin_path(Path.cwd())
                )
                self.stdin_path = str(stdin_resolved)
                self.named[self.stdin_path] = None
                first = first or stdin_resolved
                continue
            path = Path(raw)
            if not path.exists():
                self.result.errors.append(f"{raw}: no such file or directory")
                continue
            resolved = path.resolve()
            first = first or resolved
            if resolved.is_dir():
                for found in walk_python_texts(resolved, self.excluder):
                    self.named[found] = None
            else:
                if self.options.force_exclude and _excluded_by_parents(resolved, self.excluder):
                    continue
                self.named[str(resolved)] = None
        self.root = self.options.project_root or (find_project_root(first) if first is not None else None)
        self.modules = ImportResolver(self.root, self.settings.src_roots())

    # ------------------------------------------------------------------ 2. screen
    def screen_named(self) -> None:
        """Read the named files and test them for Inngest.

        A pre-commit run names a few files, and a commit that touches no Inngest code needs
        nothing but reading them: no cache, no walk, no parse, no libcst. Many named files are
        screened through the cache's index (a warm whole-repository run reads no file)."""
        if len(self.named) > FEW_NAMED_FILES:
            self.cache = self._open_cache()
        for path in self.named:
            self.screens[path] = self._screen(path, named_file=True)
        self.mentions_inngest = any(screen.mentions for screen in self.screens.values())
        if self.cache is None and self.mentions_inngest:
            self.cache = self._open_cache()
            if self.cache is not None:  # again, for their digests and index entries
                for path in self.named:
                    self.screens[path] = self._screen(path, named_file=True)

    def _open_cache(self) -> Cache | None:
        return _open_cache(self.options, self.root, self.settings, self.codes)

    def _screen(self, path: str, *, named_file: bool) -> _Screen:
        return _screen(path, named_file=named_file, stdin_path=self.stdin_path, options=self.options, cache=self.cache)

    # ------------------------------------------------------------------ 3. walk the project
    def walk_project(self) -> list[str]:
        """The named files and every other file of the project (screened), in walk order.

        A commit that touches no Inngest code needs nothing else: no walk, no parse, no libcst."""
        context_files: list[str] = list(self.named)
        if self.root is not None and not self.options.isolated and self.mentions_inngest:
            # In a large project, the named files that need parsing (a pre-commit run's changed
            # files) start now, on another core, while this process reads the rest of the
            # project. The cache's index says how large the project was last time; forking
            # workers for a small one costs more than its walk.
            if self.cache is not None and len(self.cache.index) >= EARLY_START_MIN_FILES:
                self._schedule_largest_first(path for path in self.named if self.screens[path].mentions)
                self._phase1.start_early()
            for found in walk_python_texts(self.root, self.excluder):
                if found not in self.named:
                    context_files.append(found)
                    self.screens[found] = self._screen(found, named_file=False)
        self.modules.add_files(context_files)
        self.walked = set(context_files)
        return context_files

    # ------------------------------------------------------------------ 4. phase 1
    def phase1(self, context_files: list[str]) -> None:
        """Lint the files that mention Inngest (cached results reused), and parse on demand the
        project modules they import (a constants module or a step-handler module need not
        mention Inngest), as each file's facts come back."""
        to_parse: list[str] = []
        for path in context_files:
            screen = self.screens[path]
            if screen.problem is not None:
                self.results[path] = FileResult(path, [screen.problem])
            elif screen.mentions:
                to_parse.append(path)
        self._schedule_largest_first(to_parse)
        self._follow_imports()
        if self._phase1.busy():
            # Time to spare while the workers parse: write the index, complete for every file
            # screened so far (files found on demand below are saved again at the end), and
            # import what phase 2 will need.
            if self.cache is not None:
                self.cache.save()
            from inngest_lint.registry import project_rules

            project_rules()
        try:
            for item, file_result in self._phase1.completed():
                self.results[item.path] = file_result
                self.result.files_parsed += 1
                digest = self.screens[item.path].digest
                if self.cache is not None and digest and item.text is None:
                    self.cache.store_result(item.path, digest, (item.module, item.is_package), file_result)
                self._settled.append(item.path)
                self._follow_imports()
        except KeyboardInterrupt:
            self._phase1.abandon()
            raise
        # Completion order depends on the workers; phase 2 sees the files in a fixed order.
        self.results = dict(sorted(self.results.items()))
        if self.cache is not None:
            self.cache.save()

    def _schedule(self, path: str) -> None:
        """Submit `path` to phase 1, or settle it at once (a problem, skipped, or cached)."""
        if path in self.results or path in self._submitted:
            return
        screen = self.screens.get(path) or self._screen(path, named_file=False)
        self.screens[path] = screen
        if screen.problem is not None:
            self.results[path] = FileResult(path, [screen.problem])
            return
        if screen.skipped:
            self.results[path] = FileResult(path)  # known, never parsed
            return
        if self.cache is not None and screen.digest and screen.text is None:
            cached = self.cache.load_result(path, screen.digest, self.modules.module_name(path))
            if cached is not None:
                self.results[path] = cached
                self._settled.append(path)
                return
        self._submitted.add(path)
        name, is_package = self.modules.module_name(path)
        self._phase1.submit(
            FileInput(
                path=path,
                module=name,
                is_package=is_package,
                is_test=is_test_path(Path(path), self.root),
                text=screen.text,
            )
        )

    def _schedule_largest_first(self, paths: Iterable[str]) -> None:
        # Largest first: a pool's last task should be a small one.
        for path in sorted(paths, key=lambda path: -self.screens[path].size):
            self._schedule(path)

    def _follow_imports(self) -> None:
        while self._settled:
            importer = self._settled.pop()
            facts = self.results[importer].facts
            if facts is None:
                continue
            for target in (*facts.imports.values(), *facts.star_imports):
                found = self.modules.file_for(target, importer)
                if found is not None:
                    self._schedule(found)

    # ------------------------------------------------------------------ 4b. the deployed version
    def previous_version(self) -> None:
        """With `since` set: the project as it was at that git ref, for the deploy-safety
        rules (see since.py). Only when there is Inngest code to compare; a ref git cannot
        read is a usage error of the run (exit 2), and the other rules still report."""
        if not self.settings.since or self.root is None or self.options.isolated:
            return
        if not self.options.compare_since and not any(code.startswith(DEPLOY_CODE_PREFIX) for code in self.codes):
            return
        if not any(result.facts is not None for result in self.results.values()):
            return
        from inngest_lint.since import SinceError, previous_version

        try:
            self.previous = previous_version(
                self.settings.since,
                self.root,
                self.settings,
                self.codes,
                self.excluder,
                self.results,
                self.walked,
                self.modules,
                self.cache,
                self.options.debug,
                self.options.jobs,
            )
        except SinceError as error:
            self.result.errors.append(str(error))
        if self.cache is not None:
            self.cache.save()

    # ------------------------------------------------------------------ 5. phase 2
    def phase2(self) -> None:
        """The project rules over all facts, and the index the graph and baselines read."""
        all_facts = [r.facts for r in self.results.values() if r.facts is not None]
        if all_facts:
            from inngest_lint.engine.project_pass import run_project_rules

            self.project_diagnostics, index = run_project_rules(
                all_facts, self.settings, self.codes, self.options.debug, self.modules, self.previous
            )
            self.result.index = index
        else:
            from inngest_lint.facts.index import ProjectIndex

            self.result.index = ProjectIndex([], self.settings, self.modules)

    # ------------------------------------------------------------------ 6. report
    def report(self) -> RunResult:
        """Suppress, select, keep what is in the named files, sort.

        A cross-file finding outside the named files is kept when its cause is in one of them
        (pre-commit names the staged `main.py`, whose serve list dropped a function defined in
        `functions.py`): it is reported at the cause, naming the affected code. It must pass the
        selection at both places: a `# noqa` on the affected line, or on the cause's line, hides it.
        """
        noqa_by_path: dict[str, NoqaMap] = {r.path: r.noqa for r in self.results.values()}
        selection = Selection(self.settings, self.codes, self.excluder_base)
        kept: list[Diagnostic] = []
        everything = [d for r in self.results.values() for d in r.diagnostics] + self.project_diagnostics
        for diagnostic in everything:
            if diagnostic.caused_by is not None and diagnostic.caused_by.path in self.named:
                selection.note_cause_noqa(diagnostic, noqa_by_path.get(diagnostic.caused_by.path))
            if diagnostic.path in self.named:
                shown = selection.shown(diagnostic, noqa_by_path.get(diagnostic.path))
            elif diagnostic.caused_by is not None and diagnostic.caused_by.path in self.named:
                shown = selection.shown(diagnostic, noqa_by_path.get(diagnostic.path))
                if shown is not None:
                    moved = at_cause(shown, self.root)
                    shown = selection.shown(moved, noqa_by_path.get(moved.path))
            else:
                continue
            if shown is not None:
                kept.append(replace(shown, path=display_path(shown.path)))
        if UNUSED_NOQA in self.codes:
            kept.extend(self._unused_noqa(selection, noqa_by_path))
        kept.sort(key=Diagnostic.sort_key)
        self.result.diagnostics = _dedupe(kept)
        self.result.files_linted = len(self.named)
        return self.result

    def _unused_noqa(self, selection: Selection, noqa_by_path: dict[str, NoqaMap]) -> list[Diagnostic]:
        """unused-noqa (INN902) in the named files that have noqa comments, once every other
        finding went through the selection (which noted the comments that hid one). Their text
        is read again: noqa maps keep no columns, and the rule is off by default."""
        found: list[Diagnostic] = []
        for path in self.named:
            if not _has_noqa(noqa_by_path.get(path)):
                continue
            screen = self.screens.get(path)
            source = screen.text if screen is not None and screen.text is not None else None
            if source is None:
                data, problem = read_bytes(path, self.options.max_file_bytes)
                source = decode(path, data).text if problem is None and data is not None else None
            for finding in selection.unused_noqa(path, source) if source is not None else ():
                shown = selection.shown(finding, noqa_by_path.get(path))
                if shown is not None:
                    found.append(replace(shown, path=display_path(shown.path)))
        return found


def at_cause(diagnostic: Diagnostic, root: Path | None) -> Diagnostic:
    """`diagnostic` reported at its cause: the message says where the affected code is, and that
    place leads the related locations (SARIF relatedLocations, the editor's relatedInformation)."""
    from inngest_lint.rules._project import shown

    cause = diagnostic.caused_by
    assert cause is not None
    affected = Location(diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column)
    where = shown(affected, str(root) if root is not None else None)
    return replace(
        diagnostic,
        path=cause.path,
        line=cause.line,
        column=cause.column,
        end_line=cause.end_line,
        end_column=cause.end_column,
        message=f"{diagnostic.message} (affected code: {where})",
        related=(affected, *(location for location in diagnostic.related if location != cause)),
        caused_by=None,
        affected=affected,
    )


def _has_noqa(noqa: NoqaMap | None) -> bool:
    return noqa is not None and (bool(noqa.lines) or noqa.file_codes is not None)


#: What stdin is called without --stdin-filename (as Python's own `<stdin>`).
STDIN_NAME = "<stdin>"


def anonymous_stdin_path(directory: Path) -> Path:
    """Where stdin read without --stdin-filename sits: a name in `directory` (so the project
    around it is found and read) that no file there has. A fixed `stdin.py` would take the place
    of a real `stdin.py` of the project: its facts replaced by stdin's text, its findings merged."""
    directory = directory.resolve()
    candidate = directory / STDIN_NAME
    number = 1
    while os.path.lexists(candidate):
        number += 1
        candidate = directory / f"<stdin-{number}>"
    return candidate


def _excluded_by_parents(path: Path, excluder: Excluder) -> bool:
    """--force-exclude: the file or a folder between it and the project root is excluded
    (a project kept under a folder named `build` is not excluded wholesale)."""
    return excluded_below(path, excluder, find_project_root(path))


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, int, int, str, str]] = set()
    out: list[Diagnostic] = []
    for diagnostic in diagnostics:
        key = (diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.message)
        if key not in seen:
            seen.add(key)
            out.append(diagnostic)
    return out
