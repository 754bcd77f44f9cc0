"""The command line: a thin click layer (options -> Settings -> api -> reporter -> exit code).

`inngest-lint [PATHS]` is `inngest-lint check [PATHS]`, as `ruff` and `flake8` users expect. Exit
codes: 0 clean, 1 findings, 2 usage, configuration or internal error (2 wins).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from inngest_lint import __version__

if TYPE_CHECKING:
    from inngest_lint.api import RunOptions, RunResult
    from inngest_lint.baseline import BaselinePlan
    from inngest_lint.settings import Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

_F = TypeVar("_F", bound=Callable[..., Any])


def _options(*decorators: Callable[[_F], _F]) -> Callable[[_F], _F]:
    """Several click options as one decorator, in the order written (as they show in --help)."""

    def apply(command: _F) -> _F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


#: Options every command that lints shares (`check`, `graph`): one spelling, one help text.
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read settings from this TOML file instead of the nearest pyproject.toml.",
)
run_options = _options(
    click.option("--debug", is_flag=True, help="Show tracebacks for internal errors."),
    click.option("--no-cache", is_flag=True, help="Do not read or write the results cache."),
    click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Where to keep the cache (default: .inngest_lint_cache/ at the project root).",
    ),
)


def _split_codes(values: tuple[str, ...]) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


class DefaultCommandGroup(click.Group):
    """A group whose default command is `check`, so `inngest-lint src/` works."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--version", "--help", "-h")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="inngest-lint")
def main() -> None:
    """inngest-lint: find Inngest workflow bugs before they run."""


def _fail(message: str) -> NoReturn:
    """One error line on stderr, then exit 2."""
    from inngest_lint.diagnostics import printable

    click.echo(f"inngest-lint: error: {printable(message)}", err=True)
    sys.exit(EXIT_ERROR)


@main.command()
@click.argument("paths", nargs=-1, type=str)
@click.option("--select", multiple=True, help="Rule codes, prefixes (INN1), names or ALL to enable (comma-separated).")
@click.option("--ignore", multiple=True, help="Rule codes, prefixes or names to disable.")
@click.option("--extend-select", multiple=True, help="Enable these in addition to the selected rules.")
@click.option(
    "--output-format",
    "output_format",
    default="text",
    show_default=True,
    help="text (or concise), full, json, json-lines, sarif, github, gitlab or junit.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@config_option
@click.option("--statistics", is_flag=True, help="Print only a count of findings per code.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary line.")
@click.option(
    "--max-warnings",
    type=click.IntRange(min=0),
    default=None,
    help="Fail when there are more than N warnings (errors always fail).",
)
@click.option("--force-exclude", is_flag=True, help="Apply excludes to paths named on the command line too.")
@click.option("--stdin-filename", default=None, help="The path to report for `-` (stdin).")
@run_options
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Report only findings that are not recorded in this baseline file.",
)
@click.option(
    "--write-baseline",
    "write_baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Record the current findings in this baseline file and exit 0.",
)
@click.option("--show-settings", is_flag=True, help="Print the resolved settings and exit.")
@click.option("--show-files", is_flag=True, help="Print the files that would be linted and exit.")
@click.option("--fix/--no-fix", "fix", default=None, help="Apply safe fixes (and unsafe ones with --unsafe-fixes).")
@click.option(
    "--unsafe-fixes/--no-unsafe-fixes",
    "unsafe_fixes",
    default=None,
    help="Include fixes that may change behaviour or need review (with --fix or --diff).",
)
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing (exit 1 when any).")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied (on stderr).")
@click.option("--fixable", multiple=True, help="Only these codes, prefixes or names may be fixed.")
@click.option("--unfixable", multiple=True, help="These codes, prefixes or names are never fixed.")
@click.option(
    "--since",
    "since",
    default=None,
    metavar="REF",
    help="Compare with the project at this git ref (the deployed version) and run the deploy-safety rules.",
)
@click.option("--watch", is_flag=True, help="Lint again whenever a file changes (Ctrl-C to stop).")
@click.option("--watch-interval", type=click.FloatRange(min=0.01), default=0.5, hidden=True)
def check(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    output_format: str,
    exit_zero: bool,
    config_path: Path | None,
    statistics: bool,
    quiet: bool,
    max_warnings: int | None,
    force_exclude: bool,
    stdin_filename: str | None,
    debug: bool,
    no_cache: bool,
    cache_dir: Path | None,
    baseline_path: Path | None,
    write_baseline_path: Path | None,
    show_settings: bool,
    show_files: bool,
    fix: bool | None,
    unsafe_fixes: bool | None,
    diff: bool,
    show_fixes: bool,
    fixable: tuple[str, ...],
    unfixable: tuple[str, ...],
    since: str | None,
    watch: bool,
    watch_interval: float,
) -> None:
    """Lint PATHS (default: the current directory)."""
    from inngest_lint.api import RunOptions
    from inngest_lint.baseline import BaselineError, BaselinePlan
    from inngest_lint.reporters import REPORTERS

    if output_format not in REPORTERS:
        _fail(f"unknown output format '{output_format}'; choose one of: {', '.join(sorted(REPORTERS))}")
    if write_baseline_path is not None and (baseline_path is not None or watch):
        _fail("--write-baseline cannot be combined with --baseline or --watch")
    targets = list(paths) or ["."]
    if watch and "-" in targets:
        _fail("--watch cannot read from stdin")
    fixing = diff or bool(fix)
    if fixing and (watch or write_baseline_path is not None or "-" in targets):
        _fail("--fix and --diff cannot be combined with --watch, --write-baseline or stdin")
    stdin_bytes = _read_stdin() if "-" in targets else None
    settings = _settings_for(
        targets, stdin_filename, config_path, select, ignore, extend_select, max_warnings, debug=debug
    )
    settings = _fix_settings(settings, fix, unsafe_fixes, fixable, unfixable)
    fixing = diff or (settings.fix and not watch and write_baseline_path is None and "-" not in targets)
    settings = _with_since(settings, since)
    options = RunOptions(
        force_exclude=force_exclude,
        stdin_bytes=stdin_bytes,
        stdin_filename=stdin_filename,
        debug=debug,
        use_cache=not no_cache,
        cache_dir=cache_dir,
    )
    if show_settings:
        sys.exit(_show_settings(settings))
    if show_files:
        sys.exit(_show_files(targets, settings, options))
    try:
        baselines = BaselinePlan.for_run(targets, stdin_filename, baseline_path, write_baseline_path)
    except BaselineError as error:
        _fail(str(error))
    if watch:
        from inngest_lint.watch import watch as watch_files

        sys.exit(
            watch_files(
                targets,
                settings,
                options,
                output_format,
                quiet,
                statistics,
                watch_interval,
                baselines.known,
                baselines.root,
            )
        )
    if fixing:
        code = _fix(
            targets,
            settings,
            options,
            baselines,
            output_format,
            diff=diff,
            show_fixes=show_fixes,
            quiet=quiet,
            statistics=statistics,
            debug=debug,
        )
        sys.exit(EXIT_CLEAN if exit_zero and code == EXIT_FINDINGS else code)
    result = _lint(targets, settings, options, debug=debug)
    if baselines.write_to is not None:
        sys.exit(_record_baseline(baselines, result))
    hidden = _hide_baselined(baselines, result)
    _report(result, targets, output_format, quiet=quiet, statistics=statistics, baseline_hidden=hidden)
    if not quiet and not statistics and output_format in ("text", "concise", "full"):
        _fixable_hint(result, settings)
    code = result.exit_code(settings.max_warnings)
    sys.exit(EXIT_CLEAN if exit_zero and code == EXIT_FINDINGS else code)


def _read_stdin() -> bytes:
    """Bytes, decoded later as a file's are: by its `coding:` cookie, else UTF-8."""
    buffer = getattr(sys.stdin, "buffer", None)
    return buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8", "surrogateescape")


def _settings_for(
    targets: list[str],
    stdin_filename: str | None,
    config_path: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    max_warnings: int | None,
    *,
    debug: bool,
) -> Settings:
    """The configuration found from the first target, with the command line's overrides; any
    problem in either is one error line and exit 2."""
    from inngest_lint.config import ConfigError, load_settings, with_overrides
    from inngest_lint.registry import SelectorError, expand_selectors
    from inngest_lint.selection import enabled_codes, severity_overrides

    first = Path(stdin_filename).resolve() if stdin_filename and targets[0] == "-" else Path(targets[0])
    if not first.exists():
        first = Path.cwd()
    for option, values in (("--select", select), ("--ignore", ignore), ("--extend-select", extend_select)):
        try:
            expand_selectors(list(_split_codes(values) or ()))
        except SelectorError as error:
            _fail(f"{option}: {error}")
    try:
        settings = load_settings(first, config_path)
        _warn_ignored_config(settings, config_path)
        settings = with_overrides(
            settings,
            select=_split_codes(select),
            ignore=(*settings.ignore, *(_split_codes(ignore) or ())) if ignore else None,
            extend_select=(*settings.extend_select, *(_split_codes(extend_select) or ())) if extend_select else None,
            max_warnings=max_warnings,
        )
        enabled_codes(settings)
        severity_overrides(settings)
    except (ConfigError, SelectorError) as error:
        _fail(str(error))
    except Exception as error:  # noqa: BLE001 - last resort: one line, not a traceback
        if debug:
            raise
        _fail(f"cannot read the configuration: {type(error).__name__}: {error} (run with --debug for details)")
    return settings


def _with_since(settings: Settings, since: str | None) -> Settings:
    """`--since REF` wins over the `since` setting; a ref that reads as an option is refused."""
    from dataclasses import replace

    if since is None:
        return settings
    if not since.strip() or since.startswith("-"):
        _fail(f"--since: {since!r} is not a git ref")
    return replace(settings, since=since.strip())


def _warn_ignored_config(settings: Settings, config_path: Path | None) -> None:
    """Both `inngest-lint.toml` and a `pyproject.toml` with `[tool.inngest-lint]` in one folder:
    say which one is used (as ruff does), rather than silently ignore the other."""
    from inngest_lint.config import ignored_config_file
    from inngest_lint.diagnostics import printable

    if config_path is not None or settings.config_path is None:
        return
    ignored = ignored_config_file(Path(settings.config_path))
    if ignored is not None:
        click.echo(
            f"inngest-lint: warning: using {printable(settings.config_path)}; the [tool.inngest-lint] table of "
            f"{printable(str(ignored))} is ignored (inngest-lint.toml takes precedence)",
            err=True,
        )


def _show_settings(settings: Settings) -> int:
    """--show-settings: the settings a run would use, command-line options applied, as the
    configuration keys they come from (`key = value`, TOML values; sizes in bytes, durations in
    seconds), then the rules the run would check; exit 0."""
    import json

    from inngest_lint.config import setting_keys
    from inngest_lint.selection import enabled_codes

    click.echo(f"# settings file: {settings.config_path or '(none: the defaults)'}")
    click.echo(f"# project folder: {Path(settings.root).resolve()}")
    for key, attribute in setting_keys():
        value = getattr(settings, attribute)
        if value is None:
            continue  # unset (max-warnings): TOML has no null
        if key in ("severity", "per-file-ignores"):  # pairs: an inline table
            entries = ", ".join(f"{json.dumps(name)} = {json.dumps(entry)}" for name, entry in value)
            shown = f"{{ {entries} }}" if entries else "{}"
        else:
            shown = json.dumps(list(value) if isinstance(value, tuple) else value)
        click.echo(f"{key} = {shown}")
    click.echo(f"# enabled rules: {', '.join(sorted(enabled_codes(settings)))}")
    return EXIT_CLEAN


def _show_files(targets: list[str], settings: Settings, options: RunOptions) -> int:
    """--show-files: the files a run would lint, one per line, sorted; exit 2 after a path that
    does not exist."""
    from inngest_lint.api import files_to_lint
    from inngest_lint.diagnostics import display_path, printable

    found = files_to_lint(targets, settings, options)
    for path in sorted(display_path(path) for path in found.files):
        click.echo(printable(path))
    for message in found.errors:
        click.echo(f"inngest-lint: error: {printable(message)}", err=True)
    return EXIT_ERROR if found.errors else EXIT_CLEAN


def _fix_settings(
    settings: Settings,
    fix: bool | None,
    unsafe_fixes: bool | None,
    fixable: tuple[str, ...],
    unfixable: tuple[str, ...],
) -> Settings:
    """The fix settings of the file with the command line's overrides (as ruff: the command
    line's `--fixable` replaces the file's, `--unfixable` adds to it)."""
    from inngest_lint.config import with_overrides
    from inngest_lint.registry import SelectorError, expand_selectors

    for option, values in (("--fixable", fixable), ("--unfixable", unfixable)):
        try:
            expand_selectors(list(_split_codes(values) or ()))
        except SelectorError as error:
            _fail(f"{option}: {error}")
    return with_overrides(
        settings,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        fixable=_split_codes(fixable),
        unfixable=(*settings.unfixable, *(_split_codes(unfixable) or ())) if unfixable else None,
    )


def _fix(
    targets: list[str],
    settings: Settings,
    options: RunOptions,
    baselines: BaselinePlan,
    output_format: str,
    *,
    diff: bool,
    show_fixes: bool,
    quiet: bool,
    statistics: bool,
    debug: bool,
) -> int:
    """--fix and --diff: the fix stage (`fixing`), then the diff or the writes, then the
    findings that remain; the exit code. With --diff: 1 when there is a diff (as ruff)."""
    from inngest_lint.diagnostics import printable
    from inngest_lint.fixing import FixPolicy, fix_paths, fixed_lines, unified_diff, write_changes

    rounds = 0

    def lint_round(round_targets: list[str], round_settings: Settings, round_options: RunOptions) -> RunResult:
        nonlocal rounds
        rounds += 1  # the usage-level errors (a missing path) are printed once
        return _lint(round_targets, round_settings, round_options, debug=debug, print_errors=rounds == 1)

    report = fix_paths(targets, settings, options, FixPolicy.from_settings(settings), lint_round)
    for problem in report.problems:
        click.echo(f"inngest-lint: warning: {printable(problem)}", err=True)
    changed = report.changed
    if diff:
        click.echo(unified_diff(report), nl=False)
        if not quiet:
            click.echo(f"inngest-lint: would fix {report.fixed_count()} finding(s) in {len(changed)} file(s)", err=True)
        if report.result.errors or any(d.internal for d in report.result.diagnostics):
            return EXIT_ERROR
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    problems = write_changes(report)
    for problem in problems:
        click.echo(f"inngest-lint: error: {problem}", err=True)
    result = report.result
    if problems:  # some files keep their text: their findings are those on disk
        result = _lint(targets, settings, options, debug=debug, print_errors=False)
    if show_fixes:
        for line in fixed_lines(report):
            click.echo(f"fixed: {line}", err=True)
    hidden = _hide_baselined(baselines, result)
    _report(result, targets, output_format, quiet=quiet, statistics=statistics, baseline_hidden=hidden)
    if not quiet:
        written = len(changed) - len(problems)
        click.echo(f"inngest-lint: fixed {report.fixed_count()} finding(s) in {written} file(s)", err=True)
    code = result.exit_code(settings.max_warnings)
    return EXIT_ERROR if problems else code


def _fixable_hint(result: RunResult, settings: Settings) -> None:
    """After a lint without --fix: how many findings `--fix` (and `--unsafe-fixes`) would fix."""
    from inngest_lint.fixing import FixPolicy

    safe = FixPolicy.from_settings(settings, unsafe=False)
    unsafe = FixPolicy.from_settings(settings, unsafe=True)
    safe_count = sum(1 for d in result.diagnostics if safe.admits(d))
    more = sum(1 for d in result.diagnostics if unsafe.admits(d)) - safe_count
    if safe_count:  # unsafe fixes alone are no reason to point at --fix
        extra = f" ({more} more with --unsafe-fixes)" if more else ""
        click.echo(f"[*] {safe_count} fixable with --fix{extra}", err=True)


def _lint(
    targets: list[str], settings: Settings, options: RunOptions, *, debug: bool, print_errors: bool = True
) -> RunResult:
    """Run the linter; print the usage-level errors (a missing path) it met."""
    from inngest_lint.api import lint_paths
    from inngest_lint.config import ConfigError
    from inngest_lint.diagnostics import printable
    from inngest_lint.registry import SelectorError

    try:
        result = lint_paths(targets, settings, options)
    except (ConfigError, SelectorError) as error:
        _fail(str(error))
    except Exception as error:  # noqa: BLE001 - last resort: one line, not a traceback
        if debug:
            raise
        _fail(f"internal error: {type(error).__name__}: {error} (run with --debug for details)")
    for message in result.errors if print_errors else ():  # a path as typed: may hold undecodable bytes
        click.echo(f"inngest-lint: error: {printable(message)}", err=True)
    return result


def _record_baseline(baselines: BaselinePlan, result: RunResult) -> int:
    """--write-baseline: record the findings; the exit code (internal errors are never
    recorded, and still fail the run)."""
    from inngest_lint.baseline import BaselineError
    from inngest_lint.diagnostics import printable

    if result.errors:
        return EXIT_ERROR  # a mistyped path must not record an empty baseline
    assert baselines.write_to is not None
    try:
        written = baselines.record(result.diagnostics, result.index)
    except BaselineError as error:
        _fail(str(error))
    click.echo(f"inngest-lint: recorded {written} finding(s) in {printable(str(baselines.write_to))}", err=True)
    internal = [d for d in result.diagnostics if d.internal]
    for diagnostic in internal:
        click.echo(
            f"{printable(diagnostic.path)}:{diagnostic.line}:{diagnostic.column}: {diagnostic.code} "
            f"{printable(diagnostic.message)}",
            err=True,
        )
    return EXIT_ERROR if internal else EXIT_CLEAN


def _hide_baselined(baselines: BaselinePlan, result: RunResult) -> int:
    """Drop the findings the baseline records from `result`; how many it dropped (the summary
    says so: a run that passes because of a baseline should not look like a clean one)."""
    before = len(result.diagnostics)
    result.diagnostics = baselines.hide_known(result.diagnostics, result.index)
    return before - len(result.diagnostics)


def _report(
    result: RunResult,
    targets: list[str],
    output_format: str,
    *,
    quiet: bool,
    statistics: bool,
    baseline_hidden: int = 0,
) -> None:
    """Print the findings in the chosen format."""
    from inngest_lint.reporters import REPORTERS

    no_files = not result.errors and not result.diagnostics and result.files_linted == 0
    if no_files:
        click.echo(f"inngest-lint: warning: no Python files to lint in {' '.join(targets)}", err=True)
    # "All checks passed" would be false after a path error (missing path) and empty with no file.
    quiet = quiet or ((bool(result.errors) or no_files) and not result.diagnostics)
    reporter = REPORTERS[output_format](sys.stdout, quiet=quiet, statistics=statistics)
    reporter.report(result.diagnostics, files_linted=result.files_linted, baseline_hidden=baseline_hidden)


@main.command("rule")
@click.argument("code_or_name")
def rule_command(code_or_name: str) -> None:
    """Print a rule's documentation (by code, e.g. INN101, or name)."""
    from inngest_lint.docs import render_rule
    from inngest_lint.registry import find_rule

    rule = find_rule(code_or_name)
    if rule is None:
        import difflib

        from inngest_lint.registry import by_code, by_name

        close = difflib.get_close_matches(code_or_name, [*by_code(), *by_name()], n=1, cutoff=0.5)
        _fail(f"unknown rule '{code_or_name}'" + (f"; did you mean '{close[0]}'?" if close else ""))
    click.echo(render_rule(rule))


@main.command("rules")
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def rules_command(output_format: str) -> None:
    """List every rule: code, name, severity, default on/off, fix availability."""
    import json

    from inngest_lint.registry import all_rules

    rows: list[dict[str, Any]] = [
        {
            "code": rule.code,
            "name": rule.name,
            "default": "on" if rule.default_enabled else "off",
            "fix": rule.fixable or "no",
            "severity": rule.severity.value,
            "summary": rule.summary(),
        }
        for rule in all_rules()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['code']}  {row['name']:<38} {row['severity']:<8} {row['default']:<4} fix:{row['fix']:<6} "
            f"{row['summary']}"
        )


@main.command("server")
def server_command() -> None:
    """Run the language server for editors (LSP over stdio)."""
    try:  # imported here: pygls is an optional extra, never loaded by a lint run
        from inngest_lint.server import serve_stdio
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in ("pygls", "lsprotocol", "cattrs"):
            raise
        _fail(
            "the language server needs pygls: pip install 'pygls>=2.0,<3' "
            "(or install the lsp extra: '.[lsp]' from a clone)"
        )
    serve_stdio()


@main.command("graph")
@click.argument("paths", nargs=-1, type=str)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["mermaid", "dot", "json", "html"]),
    default="mermaid",
    show_default=True,
    help="mermaid (Markdown, GitHub), dot (Graphviz), json (for tools), html (interactive, offline).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of stdout.",
)
@click.option(
    "--direction",
    type=click.Choice(["LR", "TB"], case_sensitive=False),
    default=None,
    help="Left to right (default) or top to bottom; html, when not given, picks the one that fits the window.",
)
@click.option("--cluster", is_flag=True, help="Group functions and senders by module.")
@click.option("--no-orphans", is_flag=True, help="Leave out nodes with no edges.")
@config_option
@run_options
@click.option(
    "--since",
    "since",
    default=None,
    metavar="REF",
    help="Mark what was added, removed or renamed since this git ref.",
)
def graph_command(
    paths: tuple[str, ...],
    output_format: str,
    output: Path | None,
    direction: str | None,
    cluster: bool,
    no_orphans: bool,
    config_path: Path | None,
    debug: bool,
    no_cache: bool,
    cache_dir: Path | None,
    since: str | None,
) -> None:
    """Print the event graph of PATHS: who sends each event, who listens, and what is wrong."""
    from inngest_lint.graph.command import run_graph

    sys.exit(
        run_graph(
            paths,
            output_format=output_format,
            output=output,
            direction=direction,
            cluster=cluster,
            no_orphans=no_orphans,
            config_path=config_path,
            debug=debug,
            use_cache=not no_cache,
            cache_dir=cache_dir,
            since=since,
        )
    )


if __name__ == "__main__":
    main()


def run() -> None:
    """The console script and `python -m inngest_lint`: the CLI, then a fast exit.

    A run leaves hundreds of thousands of objects behind (every cached file's facts, libcst's
    classes); tearing the interpreter down frees them one by one, about 0.1 s of a 0.5 s
    pre-commit run on the benchmark. Once the CLI has finished, and its output is flushed,
    nothing is left to clean up: the cache is written inside the run and the worker pool is
    shut down. (mypy exits the same way.) Tests drive `main` in-process and keep the normal exit.
    """
    try:
        main()
        code = EXIT_CLEAN
    except SystemExit as exit_request:
        if exit_request.code is None or isinstance(exit_request.code, int):
            code = exit_request.code or EXIT_CLEAN
        else:  # sys.exit("message"), as Python itself reports it
            print(exit_request.code, file=sys.stderr)
            code = EXIT_FINDINGS
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):  # `inngest-lint src/ | head`: the reader has gone
        code = code or EXIT_FINDINGS
    os._exit(code)
