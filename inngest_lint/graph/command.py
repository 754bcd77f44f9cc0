"""`inngest-lint graph [PATHS]`: settings -> lint run -> graph -> one output format.

The command lints the whole project (phase 1 always reads the project root) with only the rules
the graph draws (INN201, INN301-INN304; the file rules would cost time and add nothing), so the
findings on the graph are the ones `check --extend-select INN303,INN304` prints, with the
user's `ignore`, `noqa`, `per-file-ignores` and `external-events` respected. PATHS narrow what is
drawn, not what is known: a graph of `src/crm/` shows its functions and senders, their events,
and whoever else in the project sends or listens to those events.

Exit codes: 0 with a graph (findings do not fail it: it is a picture, not a check), 2 on a usage,
configuration, write or internal error.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from inngest_lint.graph.model import GRAPH_CODES, Graph, build_graph, in_scope
from inngest_lint.graph.options import AUTO_DIRECTION, RenderOptions

EXIT_OK, EXIT_ERROR = 0, 2
_UNPARSED = frozenset({"INN900", "INN901"})


def _error(message: str) -> int:
    click.echo(f"inngest-lint: error: {message}", err=True)
    return EXIT_ERROR


def _covers(target: Path, root: Path) -> bool:
    """Whether naming `target` means the whole project under `root`."""
    return target == root or target in root.parents


def collect(
    paths: list[str],
    config_path: Path | None = None,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    since: str | None = None,
) -> tuple[Graph, list[str], bool]:
    """The graph for PATHS, messages for stderr, and whether the run failed (exit 2). With
    `since` (a git ref), nodes say what was added, removed or renamed since (graph/changes.py);
    the `since` setting alone does not: a graph is a picture of the project as it is.

    Raises ConfigError / SelectorError for bad settings (the caller reports them).
    """
    from inngest_lint.api import RunOptions, lint_paths
    from inngest_lint.config import load_settings
    from inngest_lint.discovery import find_project_root
    from inngest_lint.selection import enabled_codes

    targets = [Path(raw).resolve() for raw in paths]
    settings = load_settings(targets[0], config_path)
    settings = replace(settings, select=GRAPH_CODES, extend_select=(), since=since or "")
    enabled_codes(settings)  # raises SelectorError for a bad `ignore` entry, as `check` does
    root = find_project_root(targets[0])
    scoped = root is not None and not any(_covers(target, root) for target in targets)
    run_paths = list(paths) + ([str(root)] if scoped else [])
    result = lint_paths(
        run_paths, settings, RunOptions(use_cache=use_cache, cache_dir=cache_dir, compare_since=bool(since))
    )
    messages = [f"error: {message}" for message in result.errors]
    failed = bool(result.errors)
    for diagnostic in result.diagnostics:
        if diagnostic.internal:
            failed = True
            messages.append(f"error: {diagnostic.path}:{diagnostic.line}: {diagnostic.message}")
        elif diagnostic.code in _UNPARSED:
            messages.append(
                f"warning: {diagnostic.path}:{diagnostic.line}: {diagnostic.message} "
                f"(its functions and events are missing from the graph)"
            )
    graph = build_graph(result.index, result.diagnostics)  # type: ignore[arg-type]
    if scoped:
        graph = in_scope(graph, targets)
    return graph, messages, failed


def run_graph(
    paths: tuple[str, ...],
    *,
    output_format: str = "mermaid",
    output: Path | None = None,
    direction: str | None = None,
    cluster: bool = False,
    no_orphans: bool = False,
    config_path: Path | None = None,
    debug: bool = False,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    since: str | None = None,
) -> int:
    """The whole command; returns the exit code."""
    from inngest_lint.config import ConfigError
    from inngest_lint.graph import RENDERERS
    from inngest_lint.registry import SelectorError

    if output_format not in RENDERERS:
        return _error(f"unknown graph format '{output_format}'; choose one of: {', '.join(RENDERERS)}")
    targets = list(paths) or ["."]
    if "-" in targets:
        return _error("graph reads the project from disk; '-' (stdin) is not supported")
    missing = [raw for raw in targets if not Path(raw).exists()]
    if missing:
        for raw in missing:
            click.echo(f"inngest-lint: error: {raw}: no such file or directory", err=True)
        return EXIT_ERROR
    try:
        graph, messages, failed = collect(targets, config_path, use_cache, cache_dir, since)
        if no_orphans:
            graph = graph.without_orphans()
        chosen = direction.upper() if direction else (AUTO_DIRECTION if output_format == "html" else "LR")
        text = RENDERERS[output_format](graph, RenderOptions(direction=chosen, cluster=cluster))
    except (ConfigError, SelectorError) as error:
        return _error(str(error))
    except Exception as error:  # noqa: BLE001 - last resort: one line, not a traceback
        if debug:
            raise
        return _error(f"internal error: {type(error).__name__}: {error} (run with --debug for details)")
    for message in messages:
        click.echo(f"inngest-lint: {message}", err=True)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8", newline="\n")
        except OSError as error:
            return _error(f"{output}: cannot write: {error.strerror or error}")
        functions = sum(1 for node in graph.nodes.values() if node.kind == "function")
        events = sum(1 for node in graph.nodes.values() if node.kind == "event")
        click.echo(
            f"Wrote {output} ({functions} functions, {events} events, {len(graph.edges)} edges, "
            f"{len(graph.findings())} findings).",
            err=True,
        )
    return EXIT_ERROR if failed else EXIT_OK
