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
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.discovery import (
    Excluder,
    find_project_root,
    is_test_path,
    walk_python_texts,
)
from inngest_lint.engine.file_pass import FileInput, FileResult
from inngest_lint.engine.parse import SYNTAX_ERROR, UNREADABLE_FILE, decode, read_bytes
from inngest_lint.engine.runner import Phase1
from inngest_lint.modules import ImportResolver
from inngest_lint.settings import Settings
from inngest_lint.suppression import NoqaMap

if TYPE_CHECKING:
    from inngest_lint.cache import Cache

#: Bytes that make a file worth parsing: the SDK's name in any case style, and signing keys
#: (a settings module may hold a hard-coded key without naming the SDK in lowercase).
PREFILTER_MARKERS = (b"nngest", b"NNGEST", b"signkey-")
ALWAYS_ON = frozenset({SYNTAX_ERROR, UNREADABLE_FILE})
#: Project files (as last seen) from which walking the project takes long enough to hide a
#: worker's start: its libcst import and the parse of the named files (bench/: a pre-commit run
#: on the 10,000-file tree went from 0.55 s to 0.43 s).
EARLY_START_MIN_FILES = 1000
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


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # usage-level problems (missing paths)
    files_linted: int = 0
    files_parsed: int = 0
    index: object = None

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


def enabled_codes(settings: Settings) -> frozenset[str]:
    from inngest_lint.registry import catalog, expand_selectors

    if settings.select:
        codes = expand_selectors(list(settings.select))
    else:
        codes = {info.code for info in catalog() if info.default_enabled}
    codes |= expand_selectors(list(settings.extend_select))
    codes -= expand_selectors(list(settings.ignore))
    ignored_meta = expand_selectors(list(settings.ignore)) & ALWAYS_ON
    return frozenset(codes | (ALWAYS_ON - ignored_meta))


def severity_overrides(settings: Settings) -> dict[str, Severity]:
    from inngest_lint.registry import expand_selector

    overrides: dict[str, Severity] = {}
    for selector, level in settings.severity:
        for code in expand_selector(selector):
            overrides[code] = Severity(level)
    return overrides


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
    return any(marker in data for marker in PREFILTER_MARKERS)


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
            "exclude",
            "extend_exclude",
        )
    }
    return Cache(directory, repr((sorted(codes), sorted(relevant.items()))))


def _display(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


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
    options = options or RunOptions()
    if not options.max_file_bytes:
        from dataclasses import replace as _replace_options

        options = _replace_options(options, max_file_bytes=settings.max_file_bytes)
    result = RunResult()
    codes = enabled_codes(settings)
    excluder_base = Path(settings.root).resolve()
    excluder = Excluder(excluder_base, (*settings.exclude, *settings.extend_exclude))

    # 1. The files the user named (directories walked), and the project root.
    named: dict[str, None] = {}
    stdin_path: str | None = None
    first: Path | None = None
    for raw in paths:
        if raw == "-":
            stdin_resolved = Path(options.stdin_filename or "stdin.py").resolve()
            stdin_path = str(stdin_resolved)
            named[stdin_path] = None
            first = first or stdin_resolved
            continue
        given = Path(raw)
        if not given.exists():
            result.errors.append(f"{raw}: no such file or directory")
            continue
        resolved = given.resolve()
        first = first or resolved
        if resolved.is_dir():
            for found in walk_python_texts(resolved, excluder):
                named[found] = None
        else:
            if options.force_exclude and _excluded_by_parents(resolved, excluder):
                continue
            named[str(resolved)] = None
    root = options.project_root or (find_project_root(first) if first is not None else None)
    # A pre-commit run names a few files, and a commit that touches no Inngest code needs
    # nothing but reading them: no cache, no walk, no parse, no libcst. Many named files are
    # screened through the cache's index (a warm whole-repository run reads no file).
    cache = _open_cache(options, root, settings, codes) if len(named) > FEW_NAMED_FILES else None
    screens: dict[str, _Screen] = {}
    for path in named:
        screens[path] = _screen(path, named_file=True, stdin_path=stdin_path, options=options, cache=cache)
    mentions_inngest = any(screen.mentions for screen in screens.values())
    if cache is None and mentions_inngest:
        cache = _open_cache(options, root, settings, codes)
        if cache is not None:  # again, for their digests and index entries
            for path in named:
                screens[path] = _screen(path, named_file=True, stdin_path=stdin_path, options=options, cache=cache)
    modules = ImportResolver(root, settings.src_roots())
    results: dict[str, FileResult] = {}
    phase1 = Phase1(settings, codes, options.debug, options.jobs)
    submitted: set[str] = set()
    settled: list[str] = []  # files with a result whose imports are still to be followed

    def schedule(path: str) -> None:
        """Submit `path` to phase 1, or settle it at once (a problem, skipped, or cached)."""
        if path in results or path in submitted:
            return
        screen = screens.get(path) or _screen(
            path, named_file=False, stdin_path=stdin_path, options=options, cache=cache
        )
        screens[path] = screen
        if screen.problem is not None:
            results[path] = FileResult(path, [screen.problem])
            return
        if screen.skipped:
            results[path] = FileResult(path)  # known, never parsed
            return
        if cache is not None and screen.digest and screen.text is None:
            cached = cache.load_result(path, screen.digest, modules.module_name(path))
            if cached is not None:
                results[path] = cached
                settled.append(path)
                return
        submitted.add(path)
        name, is_package = modules.module_name(path)
        phase1.submit(
            FileInput(
                path=path,
                module=name,
                is_package=is_package,
                is_test=is_test_path(Path(path), root),
                text=screen.text,
            )
        )

    def schedule_largest_first(paths: Iterable[str]) -> None:
        # Largest first: a pool's last task should be a small one.
        for path in sorted(paths, key=lambda path: -screens[path].size):
            schedule(path)

    # A commit that touches no Inngest code needs nothing else: no walk, no parse, no libcst.
    context_files: list[str] = list(named)
    if root is not None and not options.isolated and mentions_inngest:
        # In a large project, the named files that need parsing (a pre-commit run's changed
        # files) start now, on another core, while this process reads the rest of the project.
        # The cache's index says how large the project was last time; forking workers for a
        # small one costs more than its walk.
        if cache is not None and len(cache.index) >= EARLY_START_MIN_FILES:
            schedule_largest_first(path for path in named if screens[path].mentions)
            phase1.start_early()
        for found in walk_python_texts(root, excluder):
            if found not in named:
                context_files.append(found)
                screens[found] = _screen(found, named_file=False, stdin_path=stdin_path, options=options, cache=cache)
    modules.add_files(context_files)

    # 2. Phase 1 on the files that mention Inngest (cached results reused).
    to_parse: list[str] = []
    for path in context_files:
        screen = screens[path]
        if screen.problem is not None:
            results[path] = FileResult(path, [screen.problem])
        elif screen.mentions:
            to_parse.append(path)

    # 3. Lint them, and parse on demand the project modules they import (a constants module or a
    #    step-handler module need not mention Inngest), as each file's facts come back.
    def follow_imports() -> None:
        while settled:
            importer = settled.pop()
            facts = results[importer].facts
            if facts is None:
                continue
            for target in (*facts.imports.values(), *facts.star_imports):
                found = modules.file_for(target, importer)
                if found is not None:
                    schedule(found)

    schedule_largest_first(to_parse)
    follow_imports()
    if phase1.busy():
        # Time to spare while the workers parse: write the index, complete for every file
        # screened so far (files found on demand below are saved again at the end), and import
        # what phase 2 will need.
        if cache is not None:
            cache.save()
        from inngest_lint.registry import project_rules

        project_rules()
    try:
        for item, file_result in phase1.completed():
            results[item.path] = file_result
            result.files_parsed += 1
            if cache is not None and screens[item.path].digest and item.text is None:
                cache.store_result(item.path, screens[item.path].digest, (item.module, item.is_package), file_result)
            settled.append(item.path)
            follow_imports()
    except KeyboardInterrupt:
        phase1.abandon()
        raise
    # Completion order depends on the workers; phase 2 sees the files in a fixed order.
    results = dict(sorted(results.items()))
    if cache is not None:
        cache.save()

    # 4. Phase 2 over all facts.
    all_facts = [r.facts for r in results.values() if r.facts is not None]
    project_diagnostics: list[Diagnostic] = []
    if all_facts:
        from inngest_lint.engine.project_pass import run_project_rules

        project_diagnostics, index = run_project_rules(all_facts, settings, codes, options.debug, modules)
        result.index = index
    else:
        from inngest_lint.facts.index import ProjectIndex

        result.index = ProjectIndex([], settings, modules)

    # 5. Suppress, select, keep what is in the named files, sort.
    noqa_by_path: dict[str, NoqaMap] = {r.path: r.noqa for r in results.values()}
    named_paths = set(named)
    overrides = severity_overrides(settings)
    from inngest_lint.registry import info_by_code

    rules = info_by_code()
    per_file = [(pattern, _expand_quiet(selectors)) for pattern, selectors in settings.per_file_ignores]
    kept: list[Diagnostic] = []
    everything = [d for r in results.values() for d in r.diagnostics] + project_diagnostics
    for diagnostic in everything:
        if diagnostic.path not in named_paths:
            continue
        if diagnostic.code not in codes and not diagnostic.internal:
            continue
        rule = rules.get(diagnostic.code)
        name = rule.name if rule else ""
        noqa = noqa_by_path.get(diagnostic.path)
        # A syntax error is never suppressed by a comment (as in ruff): a `# noqa` on a broken
        # file's first line would otherwise make it pass.
        if (
            noqa is not None
            and not diagnostic.internal
            and diagnostic.code != SYNTAX_ERROR
            and noqa.suppresses(diagnostic.line, diagnostic.code, name)
        ):
            continue
        if _per_file_ignored(diagnostic, per_file, excluder_base):
            continue
        severity = overrides.get(diagnostic.code, rule.severity if rule else Severity.ERROR)
        display = _display(diagnostic.path)
        kept.append(_replace(diagnostic, path=display, severity=severity))
    kept.sort(key=Diagnostic.sort_key)
    result.diagnostics = _dedupe(kept)
    result.files_linted = len(named)
    return result


def _excluded_by_parents(path: Path, excluder: Excluder) -> bool:
    """--force-exclude: the file or a folder between it and the project root is excluded
    (a project kept under a folder named `build` is not excluded wholesale)."""
    top = find_project_root(path)
    for parent in path.parents:
        if top is not None and (parent == top or top not in parent.parents):
            break
        if parent.name and excluder.excluded(parent, True, ()):
            return True
    return excluder.excluded(path, False, ())


def _expand_quiet(selectors: tuple[str, ...]) -> frozenset[str]:
    from inngest_lint.registry import expand_selectors

    return frozenset(expand_selectors(list(selectors)))


def _per_file_ignored(diagnostic: Diagnostic, per_file: list[tuple[str, frozenset[str]]], base: Path) -> bool:
    if not per_file:
        return False
    import fnmatch

    try:
        relative = Path(diagnostic.path).resolve().relative_to(base).as_posix()
    except ValueError:
        relative = Path(diagnostic.path).as_posix()
    for pattern, codes in per_file:
        if diagnostic.code in codes and (
            fnmatch.fnmatch(relative, pattern)
            or fnmatch.fnmatch(Path(relative).name, pattern)
            or fnmatch.fnmatch(relative, pattern.rstrip("/") + "/*")
        ):
            return True
    return False


def _replace(diagnostic: Diagnostic, **changes: object) -> Diagnostic:
    from dataclasses import replace

    return replace(diagnostic, **changes)  # type: ignore[arg-type]


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, int, int, str, str]] = set()
    out: list[Diagnostic] = []
    for diagnostic in diagnostics:
        key = (diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.message)
        if key not in seen:
            seen.add(key)
            out.append(diagnostic)
    return out
