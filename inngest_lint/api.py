"""lint_paths(): discover files, phase 1 on what matters, phase 2, suppress, select, sort.

Cost should follow the Inngest code, not the repository: files are read and tested for the
bytes `inngest` before any parse, and project modules that a parsed file imports are parsed on
demand (a constants module or a step-handler module need not mention Inngest), so cross-file
rules lose nothing. Phase 1 always covers the whole project root, even when only some files are
named (pre-commit passes only staged files); only findings in the named files are reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from inngest_lint.config import Settings
from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.discovery import (
    Excluder,
    find_project_root,
    is_test_path,
    module_name,
    walk_python_files,
)
from inngest_lint.engine.file_pass import FileInput, FileResult, lint_file
from inngest_lint.engine.parse import SYNTAX_ERROR, UNREADABLE_FILE, decode, read_bytes
from inngest_lint.suppression import NoqaMap

PREFILTER_MARKERS = (b"inngest",)
ALWAYS_ON = frozenset({SYNTAX_ERROR, UNREADABLE_FILE})


@dataclass
class RunOptions:
    force_exclude: bool = False
    stdin_text: str | None = None
    stdin_filename: str | None = None
    debug: bool = False
    project_root: Path | None = None
    # Unsaved editor buffers: path -> text, used instead of the file on disk.
    overrides: dict[str, str] = field(default_factory=dict)
    # Lint only the named files, without reading the rest of the project (tests, one-off runs).
    isolated: bool = False


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
    from inngest_lint.registry import all_rules, expand_selectors

    if settings.select:
        codes = expand_selectors(list(settings.select))
    else:
        codes = {rule.code for rule in all_rules() if rule.default_enabled}
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


class _ModuleMap:
    """Dotted module name -> file, for every Python file under the root (no parsing)."""

    def __init__(self, files: Iterable[Path], root: Path | None) -> None:
        self.by_name: dict[str, Path] = {}
        self.info: dict[Path, tuple[str, tuple[str, ...], bool]] = {}
        for path in files:
            info = module_name(path, root)
            self.info[path] = info
            for name in (info[0], *info[1]):
                self.by_name.setdefault(name, path)

    def file_for(self, qualified: str) -> Path | None:
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            found = self.by_name.get(".".join(parts[:cut]))
            if found is not None:
                return found
        return None


def _display(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def lint_paths(paths: list[str], settings: Settings, options: RunOptions | None = None) -> RunResult:
    options = options or RunOptions()
    result = RunResult()
    codes = enabled_codes(settings)
    excluder_base = Path(settings.root).resolve()
    excluder = Excluder(excluder_base, (*settings.exclude, *settings.extend_exclude))

    # 1. The files the user named (directories walked), and the project root.
    named: dict[Path, None] = {}
    stdin_path: Path | None = None
    first: Path | None = None
    for raw in paths:
        if raw == "-":
            stdin_path = Path(options.stdin_filename or "stdin.py").resolve()
            named[stdin_path] = None
            first = first or stdin_path
            continue
        path = Path(raw)
        if not path.exists():
            result.errors.append(f"{raw}: no such file or directory")
            continue
        resolved = path.resolve()
        first = first or resolved
        if resolved.is_dir():
            for found in walk_python_files(resolved, excluder):
                named[found] = None
        else:
            if options.force_exclude and _excluded_by_parents(resolved, excluder):
                continue
            named[resolved] = None
    root = options.project_root or (find_project_root(first) if first is not None else None)
    context_files: list[Path] = list(named)
    if root is not None and not options.isolated:
        for found in walk_python_files(root, excluder):
            if found not in named:
                context_files.append(found)
    modules = _ModuleMap(context_files, root)

    # 2. Pre-filter, then phase 1 on the files that mention Inngest.
    results: dict[Path, FileResult] = {}
    texts: dict[Path, str] = {}
    to_parse: list[Path] = []
    for path in context_files:
        is_named = path in named
        override = options.overrides.get(str(path))
        if path == stdin_path or override is not None:
            text = override if override is not None else (options.stdin_text or "")
            texts[path] = text
            if any(marker.decode() in text for marker in PREFILTER_MARKERS):
                to_parse.append(path)
            continue
        data, problem = read_bytes(str(path))
        if problem is not None or data is None:
            if is_named:
                results[path] = FileResult(str(path), [problem] if problem else [])
            continue
        if not any(marker in data for marker in PREFILTER_MARKERS):
            if is_named and b"\x00" in data:
                decoded = decode(str(path), data)
                results[path] = FileResult(str(path), [decoded.problem] if decoded.problem else [])
            elif is_named:
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError:
                    decoded = decode(str(path), data)
                    if decoded.problem is not None:
                        results[path] = FileResult(str(path), [decoded.problem])
            continue
        to_parse.append(path)

    def run_phase1(batch: list[Path]) -> None:
        for path in batch:
            name, aliases, is_package = modules.info.get(path) or module_name(path, root)
            item = FileInput(
                path=str(path),
                module=name,
                module_aliases=aliases,
                is_package=is_package,
                is_test=is_test_path(path, root),
                text=texts.get(path),
            )
            results[path] = lint_file(item, settings, codes, options.debug)
            result.files_parsed += 1

    run_phase1(to_parse)
    # 3. Parse on demand the project modules that parsed files import.
    pending = list(to_parse)
    while pending:
        wanted: list[Path] = []
        for path in pending:
            facts = results[path].facts
            if facts is None:
                continue
            for target in (*facts.imports.values(), *facts.star_imports):
                found = modules.file_for(target)
                if found is not None and found not in results and found not in wanted:
                    wanted.append(found)
            # A package's submodules can be reached as attributes (`pkg.jobs.placed`).
        run_phase1(wanted)
        pending = wanted

    # 4. Phase 2 over all facts.
    from inngest_lint.engine.project_pass import run_project_rules

    all_facts = [r.facts for r in results.values() if r.facts is not None]
    project_diagnostics, index = run_project_rules(all_facts, settings, codes, options.debug)
    result.index = index

    # 5. Suppress, select, keep what is in the named files, sort.
    noqa_by_path: dict[str, NoqaMap] = {r.path: r.noqa for r in results.values()}
    named_paths = {str(path) for path in named}
    overrides = severity_overrides(settings)
    from inngest_lint.registry import by_code

    rules = by_code()
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
        if noqa is not None and not diagnostic.internal and noqa.suppresses(diagnostic.line, diagnostic.code, name):
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
    for parent in path.parents:
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
            fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(Path(relative).name, pattern)
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
