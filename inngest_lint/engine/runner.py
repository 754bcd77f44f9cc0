"""Phase 1 scheduling: serially for a handful of files, a process pool for many.

A worker imports libcst once and lints a chunk of files; a file that crashes is that file's
internal-error result (lint_file never raises). Below the threshold, process start-up and
pickling cost more than they save (measured with bench/).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from inngest_lint.config import Settings
from inngest_lint.engine.file_pass import FileInput, FileResult, lint_file

#: Files to parse before a pool pays for itself (workers start in ~0.3 s with libcst imported).
POOL_THRESHOLD = 24


def _lint_chunk(args: tuple[Sequence[FileInput], Settings, frozenset[str], bool]) -> list[FileResult]:
    items, settings, codes, debug = args
    return [lint_file(item, settings, codes, debug) for item in items]


def worker_count(files: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    if files < POOL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def run_files(
    items: Sequence[FileInput], settings: Settings, codes: frozenset[str], debug: bool, jobs: int | None = None
) -> list[FileResult]:
    """Lint files in order; results line up with `items`."""
    workers = worker_count(len(items), jobs)
    import multiprocessing

    if workers <= 1 or len(items) <= 1 or multiprocessing.current_process().daemon:
        # A daemonic process (a flake8 worker, for one) may not start children.
        return [lint_file(item, settings, codes, debug) for item in items]
    from concurrent.futures import ProcessPoolExecutor

    # Interleaved chunks balance big and small files across workers.
    chunk_count = workers * 4
    chunks = [list(items[start::chunk_count]) for start in range(chunk_count)]
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        outputs = list(pool.map(_lint_chunk, [(chunk, settings, codes, debug) for chunk in chunks]))
    except KeyboardInterrupt:
        # Ctrl-C: do not wait for the queued chunks; stop the workers and leave at once.
        pool.shutdown(wait=False, cancel_futures=True)
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        raise
    except (OSError, RuntimeError):  # no fork/spawn available: fall back to serial
        pool.shutdown(wait=False, cancel_futures=True)
        return [lint_file(item, settings, codes, debug) for item in items]
    pool.shutdown(wait=True)
    by_path: dict[str, FileResult] = {}
    for chunk, output in zip(chunks, outputs):
        for item, result in zip(chunk, output):
            by_path[item.path] = result
    return [by_path[item.path] for item in items]
