"""The flake8 plugin: inngest-lint's findings as `INNxxx` codes inside an existing flake8 run.

Teams that already run flake8 (its config, its `# noqa`, its output formats and editor
integrations) get our rules without a second tool. flake8 calls the plugin once per file; the
engine, though, has two phases, and the second one needs the whole project:

- per-file rules come from a phase-1 pass over the text flake8 hands us (so an editor's unsaved
  buffer fed through stdin is linted as it is, not as it is on disk);
- project rules (INN2xx, INN3xx, INN4xx, INN501...) come from one whole-project pass over the
  project root that `find_project_root` finds for the file, computed once per process and cached
  by root; each file then takes the findings located in it. With `flake8 --jobs` on a platform
  that forks, the pass runs once in the main process before the workers fork, and they share it.
  Text read from stdin under a display name that is not a file on disk gets the per-file rules
  only (there is no project to place it in).

Selection belongs to flake8 (`--select`, `--ignore`, `--extend-ignore`, `per-file-ignores`):
the plugin emits every code that is on by default, and flake8 filters. The rules that are off by
default (too noisy for most projects) are emitted only when someone opts in by name: a more
specific selector than the bare `INN` prefix in flake8's `--select`/`--extend-select`
(`--extend-select INN303`), or the project's own `[tool.inngest-lint]` `select`/`extend-select`.
Rule *settings* (`external-events`, `large-return-calls`, `max-sleep`...) come from the
project's `[tool.inngest-lint]` table, exactly as the command line reads them.

Line-level `# noqa` is flake8's job for per-file findings. The whole-project pass goes through
`lint_paths`, which applies our own `# noqa` to project findings too; the syntax is the same, so
the result only differs under flake8's `--disable-noqa`. The file-level `# inngest-lint: noqa`
comment (which flake8 does not know) is honoured for both.
"""

from __future__ import annotations

import ast
import multiprocessing
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from inngest_lint import __version__
from inngest_lint.diagnostics import Diagnostic

PREFIX = "INN"
CONFIG_ERROR_CODE = "INN000"

Finding = tuple[int, int, str, type]


@lru_cache(maxsize=1)
def _rule_tables() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(every file-rule code, every project-rule code, codes that are on by default)."""
    from inngest_lint.registry import all_rules
    from inngest_lint.rules.base import ProjectRule

    rules = all_rules()
    project = frozenset(rule.code for rule in rules if issubclass(rule, ProjectRule))
    per_file = frozenset(rule.code for rule in rules if rule.code not in project)
    defaults = frozenset(rule.code for rule in rules if rule.default_enabled)
    return per_file, project, defaults


def _named_by(selectors: Any, code: str) -> bool:
    """Whether a flake8 selector list opts into `code` more specifically than the bare prefix.

    flake8 adds every plugin's prefix (`INN`) to its default select list, so `INN` alone cannot
    mean "turn on the noisy rules too"; `INN3` or `INN303` can.
    """
    if not selectors:
        return False
    for selector in selectors:
        text = str(selector).strip().upper()
        if len(text) > len(PREFIX) and code.startswith(text):
            return True
    return False


class _ProjectCache:
    """Per-process state: settings per project root, and the whole-project findings per root.

    Keyed by root so one flake8 run over a monorepo with several projects computes each project
    once. Lives for the process: flake8 is a batch tool, and a long-lived host that wants fresh
    results (an editor) feeds unsaved text, which bypasses the cache.
    """

    def __init__(self) -> None:
        self.settings: dict[str, Any] = {}
        self.findings: dict[str, dict[str, list[Diagnostic]]] = {}


_CACHE = _ProjectCache()


class Flake8Plugin:
    """flake8 entry point `INN` (group `flake8.extension`): yields inngest-lint's findings.

    flake8 picks the constructor arguments by name: `tree` makes this an AST plugin (run once
    per file); `filename` and `lines` are what the engine needs (it parses with libcst, so the
    `ast` tree itself goes unused).
    """

    name = "inngest-lint"
    version = __version__

    # Set from flake8's parsed options; empty when flake8 did not call parse_options (tests).
    _flake8_selectors: ClassVar[tuple[str, ...]] = ()

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def parse_options(cls, *args: Any) -> None:
        """Remember flake8's explicit selections; warm the project cache before workers fork.

        flake8 calls `parse_options(option_manager, options, filenames)` in the main process.
        With `--jobs`, its workers are forked from it and inherit module state, so computing the
        whole-project findings here makes one pass serve every worker instead of one per worker.
        (Where workers are spawned instead, each computes its own, lazily.)
        """
        options = args[1] if len(args) >= 2 else args[0]
        filenames = args[2] if len(args) >= 3 else getattr(options, "filenames", None)
        selected: list[str] = []
        for attribute in ("select", "extend_select"):
            values = getattr(options, attribute, None) or ()
            selected.extend(str(value) for value in values)
        cls._flake8_selectors = tuple(selected)
        if multiprocessing.get_all_start_methods()[0] == "fork" and not multiprocessing.current_process().daemon:
            _warm_project_cache(filenames or ["."], cls._flake8_selectors)

    def run(self) -> Iterator[Finding]:
        """Yield `(line, 0-based column, "INNxxx message", type)` for this file; never raises."""
        try:
            diagnostics = self._diagnostics()
        except _SettingsProblem as problem:
            yield (1, 0, f"{CONFIG_ERROR_CODE} inngest-lint configuration error: {problem}", type(self))
            return
        except Exception as error:  # noqa: BLE001 - an exception here would abort the flake8 run
            message = f"inngest-lint internal error: {type(error).__name__}: {error}; please report it"
            yield (1, 0, f"{CONFIG_ERROR_CODE} {message}", type(self))
            return
        for diagnostic in diagnostics:
            # Our columns are 1-based (flake8's output convention); plugins yield 0-based offsets
            # and flake8 adds the 1 back.
            column = max(diagnostic.column - 1, 0)
            message = diagnostic.message.replace("\n", " ")
            yield (max(diagnostic.line, 1), column, f"{diagnostic.code} {message}", type(self))

    # ------------------------------------------------------------------ the two passes
    def _diagnostics(self) -> list[Diagnostic]:
        from inngest_lint.discovery import find_project_root

        path = Path(self.filename)
        on_disk = path.is_file()
        resolved = path.resolve() if on_disk else path
        root = find_project_root(resolved) if on_disk else None
        settings = _settings_for(root, resolved if on_disk else Path.cwd())
        per_file_codes, project_codes, _ = _rule_tables()
        wanted = _emitted_codes(settings, self._flake8_selectors)
        text = "".join(self.lines)

        diagnostics = _file_pass(resolved, root, text, settings, wanted & per_file_codes)
        if on_disk:
            diagnostics.extend(_project_findings(resolved, root, text, settings, wanted & project_codes))
        diagnostics.sort(key=lambda d: (d.line, d.column, d.code))
        return diagnostics


def _emitted_codes(settings: Any, flake8_selectors: tuple[str, ...]) -> frozenset[str]:
    """Every default-on code, plus the off-by-default ones someone opted into by name."""
    from inngest_lint.registry import SelectorError, all_rules, expand_selectors

    _, _, defaults = _rule_tables()
    try:
        ours = expand_selectors([*settings.select, *settings.extend_select])
    except SelectorError as error:
        raise _SettingsProblem(str(error)) from error
    codes = set(defaults) | ours
    for rule in all_rules():
        if _named_by(flake8_selectors, rule.code):
            codes.add(rule.code)
    return frozenset(codes)


def _warm_project_cache(filenames: Any, flake8_selectors: tuple[str, ...]) -> None:
    """Compute the whole-project findings of every project root the named paths are in.

    Best effort: a problem here (a bad config, a path that vanished) is left for the per-file
    run to report where flake8 shows it.
    """
    from inngest_lint.discovery import find_project_root

    _, project_codes, _ = _rule_tables()
    for name in filenames:
        try:
            path = Path(str(name))
            if str(name) == "-" or not path.exists():
                continue
            root = find_project_root(path.resolve())
            if root is None or str(root) in _CACHE.findings:
                continue
            settings = _settings_for(root, root)
            codes = _emitted_codes(settings, flake8_selectors) & project_codes
            if codes:
                _CACHE.findings[str(root)] = _whole_project_pass(root, root, settings, codes, overrides={})
        except Exception:  # noqa: BLE001, S112 - reported per file later, where flake8 can show it
            continue


class _SettingsProblem(Exception):
    """The project's `[tool.inngest-lint]` table is invalid; reported once per file as INN000."""


def _settings_for(root: Path | None, start: Path) -> Any:
    """The project's settings (cached per root), with selection handed over to flake8."""
    from inngest_lint.config import ConfigError, load_settings

    key = str(root) if root is not None else f"<no root>:{start}"
    if key not in _CACHE.settings:
        try:
            _CACHE.settings[key] = load_settings(root if root is not None else start)
        except ConfigError as error:
            _CACHE.settings[key] = error
        except Exception as error:  # noqa: BLE001 - never flake8's traceback: one finding per file
            _CACHE.settings[key] = ConfigError(f"cannot read the configuration: {type(error).__name__}: {error}")
    found = _CACHE.settings[key]
    if isinstance(found, Exception):
        raise _SettingsProblem(str(found))
    return found


def _file_level_suppressed(text: str) -> Any:
    from inngest_lint.suppression import NoqaMap, parse_noqa

    return NoqaMap(file_codes=parse_noqa(text).file_codes)


def _file_pass(path: Path, root: Path | None, text: str, settings: Any, codes: frozenset[str]) -> list[Diagnostic]:
    """Phase 1 on flake8's text of the file, file rules only (the collector's facts go unused).

    Files without the engine's marker bytes are skipped unparsed, as `lint_paths` skips them:
    flake8 hands the plugin every Python file, and most never mention Inngest.
    """
    from inngest_lint.discovery import is_test_path
    from inngest_lint.engine.file_pass import FileInput, lint_file
    from inngest_lint.engine.parse import PREFILTER_MARKERS, SYNTAX_ERROR, too_large
    from inngest_lint.modules import module_name
    from inngest_lint.registry import by_code

    limit = getattr(settings, "max_file_bytes", 0)
    size = len(text.encode("utf-8", "surrogatepass"))
    if limit and size > limit:
        # As the command line does: a huge (usually generated) file is not parsed.
        return [too_large(str(path), size, limit)]
    if not any(marker.decode() in text for marker in PREFILTER_MARKERS):
        return []
    name, is_package = module_name(str(path), str(root) if root is not None else None)
    item = FileInput(
        path=str(path),
        module=name,
        is_package=is_package,
        is_test=is_test_path(path, root),
        text=text,
    )
    result = lint_file(item, settings, codes)
    file_noqa = _file_level_suppressed(text)
    rules = by_code()
    kept: list[Diagnostic] = []
    for diagnostic in result.diagnostics:
        rule = rules.get(diagnostic.code)
        name = rule.name if rule else ""
        # A file-level comment never hides a syntax error (nor does a line one, in lint_paths).
        if (
            not diagnostic.internal
            and diagnostic.code != SYNTAX_ERROR
            and file_noqa.suppresses(diagnostic.line, diagnostic.code, name)
        ):
            continue
        kept.append(diagnostic)
    return kept


def _project_findings(
    path: Path, root: Path | None, text: str, settings: Any, codes: frozenset[str]
) -> list[Diagnostic]:
    """The project-rule findings located in `path`.

    When flake8's text is the file on disk (a normal run) this is one cached whole-project pass
    per root. When it differs (an editor piping an unsaved buffer), the pass is redone with the
    buffer in place of the file, uncached, so positions match the text being linted.
    """
    if not codes:
        return []
    if root is None:
        # No project around the file: it is its own project.
        return _whole_project_pass(path, path, settings, codes, overrides={str(path): text}).get(str(path), [])
    if _same_text(path, text):
        key = str(root)
        if key not in _CACHE.findings:
            _CACHE.findings[key] = _whole_project_pass(root, root, settings, codes, overrides={})
        return list(_CACHE.findings[key].get(str(path), []))
    return _whole_project_pass(root, root, settings, codes, overrides={str(path): text}).get(str(path), [])


def _same_text(path: Path, text: str) -> bool:
    """Whether flake8's lines are the file on disk (flake8 normalises newlines and drops a BOM)."""
    from inngest_lint.engine.parse import decode, read_bytes

    data, problem = read_bytes(str(path))
    if problem is not None or data is None:
        return False
    decoded = decode(str(path), data)
    if decoded.problem is not None or decoded.text is None:
        return False
    return decoded.text.lstrip("\ufeff").splitlines() == text.lstrip("\ufeff").splitlines()


def _whole_project_pass(
    target: Path, root: Path, settings: Any, codes: frozenset[str], overrides: dict[str, str]
) -> dict[str, list[Diagnostic]]:
    """lint_paths over the project with only the project rules on: resolved path -> findings."""
    from inngest_lint.api import RunOptions, lint_paths

    project_settings = replace(settings, select=tuple(sorted(codes)), extend_select=(), ignore=(), per_file_ignores=())
    project_root = root if root.is_dir() else None
    # flake8 --jobs runs plugins in daemonic pool workers, which may not start processes of
    # their own: phase 1 then runs serially in that worker.
    jobs = 1 if multiprocessing.current_process().daemon else None
    options = RunOptions(project_root=project_root, overrides=overrides, jobs=jobs)
    result = lint_paths([str(target)], project_settings, options)
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in result.diagnostics:
        # Parse problems and per-file internal errors are the file pass's to report.
        if diagnostic.code not in codes:
            continue
        resolved = str(Path(diagnostic.path).resolve())
        by_path.setdefault(resolved, []).append(diagnostic)
    return by_path
