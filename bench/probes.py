"""Child-process probes for bench/run.py: each mode prints one JSON object on stdout.

They run in a separate interpreter so that what they import (libcst, inngest_lint) and the
memory they use never leak into the benchmark driver's own measurements.

Modes (run from the root of the tree being measured):
- `parsed-files OUT`: run `inngest_lint.api.lint_paths(["."])` in-process and write to OUT the
  files phase 1 parsed. The linter has no public way to list them yet, so this wraps
  `Phase1.submit`, which `inngest_lint.api` hands each file to parse, and checks the count
  against `RunResult.files_parsed`. If that seam is gone, it falls back to `estimate`.
- `estimate OUT`: the same set rebuilt without the linter: every walked file containing the
  bytes `inngest`, plus the project modules they import at module level, transitively (what
  `lint_paths` does today). Module names follow the `__init__.py` chain, as the linter's.
- `parse-floor LIST`: import libcst and `libcst.parse_module` every file in LIST (one path per
  line): the cost floor for any libcst-based linter that must parse those files.
- `profile N`: cProfile `lint_paths(["."])` in-process; print the top N entries by cumulative
  and by own time.

`parsed-files` and `profile` turn the linter's results cache off, so they see a cold run.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import time
from pathlib import Path

MARKER = b"inngest"
SKIPPED_DIRECTORIES = frozenset(
    {
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
    }
)


def _settings():  # type: ignore[no-untyped-def]
    from inngest_lint.config import load_settings

    return load_settings(Path.cwd())


def _uncached_options():  # type: ignore[no-untyped-def]
    """RunOptions with the results cache off and one process: probes see all the real work."""
    from inngest_lint.api import RunOptions

    fields = getattr(RunOptions, "__dataclass_fields__", {})
    options: dict[str, object] = {}
    if "use_cache" in fields:
        options["use_cache"] = False
    if "jobs" in fields:  # one process, so cProfile sees phase 1 instead of a pool's wait
        options["jobs"] = 1
    return RunOptions(**options)


def walked_files() -> list[Path]:
    """The Python files the linter walks: its own walker when importable, else a close copy."""
    root = Path.cwd().resolve()
    try:
        from inngest_lint.discovery import Excluder, walk_python_files

        settings = _settings()
        excluder = Excluder(Path(settings.root).resolve(), (*settings.exclude, *settings.extend_exclude))
        return list(walk_python_files(root, excluder))
    except Exception:  # noqa: BLE001 - the walker moved or changed shape: approximate it
        found: list[Path] = []
        for directory, subdirectories, names in os.walk(root):
            subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES)
            found.extend(Path(directory, name) for name in sorted(names) if name.endswith((".py", ".pyi")))
        return found


def parsed_files(out: str) -> dict[str, object]:
    try:
        from inngest_lint.api import lint_paths
        from inngest_lint.engine.runner import Phase1

        # The seam: phase 1 is handed each file to parse through `Phase1.submit`, once.
        original = Phase1.submit
    except (ImportError, AttributeError) as error:
        result = estimate(out)
        result["note"] = f"lint_paths seam unavailable ({error}); used the estimate"
        return result
    seen: list[str] = []

    def recording(self, item):  # type: ignore[no-untyped-def]
        seen.append(item.path)
        return original(self, item)

    Phase1.submit = recording  # type: ignore[method-assign]
    started = time.perf_counter()
    try:
        run = lint_paths(["."], _settings(), _uncached_options())
    finally:
        Phase1.submit = original  # type: ignore[method-assign]
    elapsed = time.perf_counter() - started
    files = sorted(dict.fromkeys(seen))
    Path(out).write_text("".join(f"{path}\n" for path in files), encoding="utf-8")
    result: dict[str, object] = {
        "method": "lint_paths (Phase1.submit)",
        "files": len(files),
        "files_parsed": run.files_parsed,
        "walked": len(walked_files()),
        "in_process_seconds": round(elapsed, 3),
        "diagnostics": len(run.diagnostics),
    }
    if run.files_parsed != len(files):
        result["note"] = f"recorded {len(files)} files but RunResult.files_parsed is {run.files_parsed}"
    return result


def _module_name(path: Path) -> tuple[str, bool]:
    is_package = path.name == "__init__.py"
    parts = [] if is_package else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").exists() and directory != directory.parent:
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts), is_package


def _module_imports(tree: ast.Module, module: str, is_package: bool) -> list[str]:
    """Qualified names a module imports at module level (including under if/try blocks)."""
    names: list[str] = []
    package = module if is_package else module.rpartition(".")[0]
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".") if package else []
                anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            names.extend(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
        elif isinstance(node, (ast.If, ast.Try)):
            pending.extend(node.body)
            pending.extend(node.orelse)
            if isinstance(node, ast.Try):
                pending.extend(node.finalbody)
                for handler in node.handlers:
                    pending.extend(handler.body)
    return names


def estimate(out: str) -> dict[str, object]:
    files = walked_files()
    by_name: dict[str, Path] = {}
    info: dict[Path, tuple[str, bool]] = {}
    for path in files:
        info[path] = _module_name(path)
        by_name.setdefault(info[path][0], path)
    pending = [path for path in files if MARKER in path.read_bytes()]
    chosen = dict.fromkeys(pending)
    while pending:
        following: list[Path] = []
        for path in pending:
            try:
                tree = ast.parse(path.read_bytes())
            except (SyntaxError, ValueError):
                continue
            for qualified in _module_imports(tree, *info[path]):
                parts = qualified.split(".")
                for cut in range(len(parts), 0, -1):
                    target = by_name.get(".".join(parts[:cut]))
                    if target is not None:
                        if target not in chosen:
                            chosen[target] = None
                            following.append(target)
                        break
        pending = following
    Path(out).write_text("".join(f"{path}\n" for path in chosen), encoding="utf-8")
    return {
        "method": "estimate",
        "files": len(chosen),
        "walked": len(files),
        "marker_files": sum(1 for path in files if MARKER in path.read_bytes()),
    }


def parse_floor(listing: str) -> dict[str, object]:
    import libcst

    paths = [line for line in Path(listing).read_text(encoding="utf-8").splitlines() if line]
    started = time.perf_counter()
    failed = 0
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        total += len(data)
        try:
            libcst.parse_module(data)
        except Exception:  # noqa: BLE001 - a file libcst rejects costs what it cost
            failed += 1
    return {
        "parsed": len(paths) - failed,
        "failed": failed,
        "bytes": total,
        "in_process_seconds": round(time.perf_counter() - started, 3),
    }


def profile(top: int) -> dict[str, object]:
    import cProfile
    import pstats

    from inngest_lint.api import lint_paths

    settings = _settings()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    lint_paths(["."], settings, _uncached_options())
    profiler.disable()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def rows(by: int) -> list[dict[str, object]]:
        chosen = sorted(stats.items(), key=lambda item: item[1][by], reverse=True)[:top]
        return [
            {
                "function": _short(filename, line, function),
                "calls": calls,
                "own_seconds": round(own, 3),
                "cumulative_seconds": round(cumulative, 3),
            }
            for (filename, line, function), (_, calls, own, cumulative, _) in chosen
        ]

    return {"seconds": round(elapsed, 3), "top_cumulative": rows(3), "top_own": rows(2)}


def _short(filename: str, line: int, function: str) -> str:
    for marker in ("site-packages/", "inngest_lint/", "lib/python"):
        if marker in filename:
            filename = filename[filename.index(marker) :]
            break
    return f"{filename}:{line}({function})"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("parsed-files", "estimate", "parse-floor", "profile"):
        print("usage: probes.py {parsed-files OUT | estimate OUT | parse-floor LIST | profile N}", file=sys.stderr)
        return 2
    mode, argument = argv
    if mode == "parsed-files":
        result = parsed_files(argument)
    elif mode == "estimate":
        result = estimate(argument)
    elif mode == "parse-floor":
        result = parse_floor(argument)
    else:
        result = profile(int(argument))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
