"""Phase 1 scheduling: serially for a handful of files, one process pool for many.

Files arrive in waves: the files that mention Inngest first, then the project modules they
import, found only once their facts are back. The pool stays up for every wave and takes each
file as its own task, so a worker never waits for a wave to finish and imports libcst once per
run. With a pool per wave, the benchmark's cold run spent 2.4 s of its 9.3 s in four pool
start-ups and wave tails (waves of 199, 145, 44 and 12 files).

A worker gets the settings once, when it starts, and each task is one `FileInput`; a file that
crashes is that file's internal-error result (lint_file never raises). A worker that dies (the
native parser overflowing its stack on a file the screen let through) breaks the whole pool:
each worker notes in shared memory which task it is on, so the files that were being linted
when it broke are each linted again alone, in a child process of their own (engine/isolate.py),
and the rest go to a new pool. A crash costs one file, never the run. Below the threshold,
process start-up and pickling cost more than they save (measured with bench/), except for
`start_early`: a pre-commit run's changed files, parsed while the caller reads the project.
"""

from __future__ import annotations

import gc
import os
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import TYPE_CHECKING, Any

from inngest_lint.engine.file_pass import FileInput, FileResult, lint_file
from inngest_lint.settings import Settings

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

#: Files to parse before a pool of 2 pays for itself, measured with bench/'s tree (uncached
#: Inngest files, medians of 3 whole runs): 3 files 0.35 s serial / 0.38 s pooled, 4 files
#: 0.43 / 0.37, 6 files 0.43 / 0.40, 12 files 0.57 / 0.46.
POOL_THRESHOLD = 6

#: Pools started in one run before every remaining file is linted alone: each broken pool sends
#: the files it was working on to child processes of their own, so a run never loops on one file.
MAX_POOLS = 3

#: What a worker process lints with, set once by `_start_worker`.
_WORKER_SETUP: tuple[Settings, frozenset[str], bool] | None = None
#: This worker's slot in the pool's shared array of task numbers (-1: between tasks).
_WORKER_SLOT: tuple[Any, int] | None = None


def _start_worker(
    settings: Settings, codes: frozenset[str], debug: bool, slots: Any = None, next_slot: Any = None
) -> None:
    global _WORKER_SETUP, _WORKER_SLOT
    _WORKER_SETUP = (settings, codes, debug)
    if slots is not None and next_slot is not None:
        with next_slot.get_lock():
            index = next_slot.value
            next_slot.value += 1
        if index < len(slots):
            _WORKER_SLOT = (slots, index)
    # Forked from a run that turned the cyclic collector off; a worker lives for many files
    # (lint_file turns it off around each file's walk itself).
    gc.enable()


def _lint_in_worker(item: FileInput, task: int = -1) -> FileResult:
    assert _WORKER_SETUP is not None, "worker started without its settings"
    settings, codes, debug = _WORKER_SETUP
    if _WORKER_SLOT is None:
        return lint_file(item, settings, codes, debug)
    slots, index = _WORKER_SLOT
    slots[index] = task
    try:
        return lint_file(item, settings, codes, debug)
    finally:
        slots[index] = -1


def _new_pool(
    workers: int, settings: Settings, codes: frozenset[str], debug: bool, slots: Any = None
) -> ProcessPoolExecutor:
    """A pool whose workers record their current task number in `slots` (see `Phase1`)."""
    # multiprocessing costs 10 ms to import: only runs that start a pool pay for it.
    from concurrent.futures import ProcessPoolExecutor

    next_slot = None
    if slots is not None:
        import multiprocessing

        next_slot = multiprocessing.Value("i", 0)
    return ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(settings, codes, debug, slots, next_slot)
    )


def _shared_slots(workers: int) -> Any:
    """One shared integer per worker: the number of the task it is on, -1 between tasks."""
    import multiprocessing

    return multiprocessing.Array("q", [-1] * workers, lock=False)


def _cores() -> int:
    """The cores a pool may use (at most 8: more workers mostly add start-up)."""
    return max(1, min(os.cpu_count() or 1, 8))


def worker_count(files: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    if files < POOL_THRESHOLD:
        return 1
    return _cores()


class Phase1:
    """Lints submitted files and hands back results as they complete.

    `completed()` may be iterated while more files are submitted (the caller submits the
    modules a result imports); it ends when nothing is left to lint. Files are linted in this
    process until enough are queued for a pool to pay, then by the pool until the end.
    """

    def __init__(self, settings: Settings, codes: frozenset[str], debug: bool, jobs: int | None) -> None:
        self.settings = settings
        self.codes = codes
        self.debug = debug
        self.jobs = jobs
        self._queued: deque[FileInput] = deque()
        self._pool: ProcessPoolExecutor | None = None
        self._running: dict[Future[FileResult], FileInput] = {}
        self._may_pool = jobs is None or jobs > 1
        self._pools_started = 0
        # Task numbers of the running futures, and the shared array where each worker of the
        # current pool writes the number of the task it is on.
        self._task_of: dict[Future[FileResult], int] = {}
        self._next_task = 0
        self._slots: Any = None
        # Files to lint alone in a child process: the suspects of a broken pool.
        self._alone: deque[FileInput] = deque()

    def submit(self, item: FileInput) -> None:
        if self._pool is not None:
            self._start(item)
        else:
            self._queued.append(item)

    def start_early(self) -> None:
        """Start the queued files now, in a pool, while the caller goes on reading the project.

        For a pre-commit run: the changed files that need parsing are known before the rest of
        the project is walked, and a worker can import libcst and parse them on another core
        meanwhile (about 0.2 s of a 0.5 s budget on the benchmark).
        """
        if self._pool is not None or not self._queued or not self._may_pool:
            return
        if _cores() < 2:
            return  # one core: the walk and a worker would only take turns
        # No more workers than files: each fork costs this process several milliseconds, and a
        # project whose cache is this large has few other files left to parse.
        self._open_pool(self.jobs or min(_cores(), len(self._queued)))

    def busy(self) -> bool:
        """Whether worker processes are linting files (so this process has time to spare)."""
        return bool(self._running)

    def completed(self) -> Iterator[tuple[FileInput, FileResult]]:
        try:
            while self._queued or self._running or self._alone:
                if self._alone:
                    # Suspects of a broken pool, each in a child of its own (a new pool, if any,
                    # works on the other files meanwhile).
                    from inngest_lint.engine.isolate import lint_isolated

                    item = self._alone.popleft()
                    yield item, lint_isolated(item, self.settings, self.codes, self.debug)
                    continue
                if self._pool is None and self._may_pool and len(self._queued) > 1:
                    self._open_pool()
                if self._pool is None:
                    item = self._queued.popleft()
                    yield item, lint_file(item, self.settings, self.codes, self.debug)
                    continue
                done, _ = wait(list(self._running), return_when=FIRST_COMPLETED)
                for future in done:
                    item = self._running.pop(future)
                    task = self._task_of.pop(future, -1)
                    try:
                        result = future.result()
                    except (OSError, RuntimeError):  # a worker died (BrokenProcessPool)
                        self._recover_from_broken_pool(item, future, task)
                        break
                    yield item, result
        except KeyboardInterrupt:
            self.abandon()
            raise
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _open_pool(self, workers: int | None = None) -> None:
        """Start the pool once enough files are queued (the queue may grow as imports are found)."""
        if workers is None:
            workers = worker_count(len(self._queued), self.jobs)
            if workers <= 1:
                return
        import multiprocessing

        self._may_pool = False  # one attempt per run
        if multiprocessing.current_process().daemon:  # a flake8 worker, say, may not start children
            return
        if threading.active_count() > 1:
            # Forking a process that runs other threads (the language server lints in one) can
            # leave a lock, the import lock say, held forever in the child.
            return
        try:
            self._slots = _shared_slots(workers)
            self._pool = _new_pool(workers, self.settings, self.codes, self.debug, self._slots)
            self._pools_started += 1
            while self._queued:
                self._start(self._queued.popleft())
        except (OSError, RuntimeError):  # no fork/spawn available
            self._fall_back_to_serial()

    def _start(self, item: FileInput) -> None:
        assert self._pool is not None
        task = self._next_task
        self._next_task += 1
        future = self._pool.submit(_lint_in_worker, item, task)
        self._running[future] = item
        self._task_of[future] = task

    def _fall_back_to_serial(self, *unfinished: FileInput) -> None:
        """Lint what the pool had not handed back in this process, in submission order."""
        pending = [*unfinished, *self._running.values()]
        self._running.clear()
        self._task_of.clear()
        self._queued.extendleft(reversed(pending))
        self.abandon()

    def _recover_from_broken_pool(self, item: FileInput, future: Future[FileResult], task: int) -> None:
        """A worker died: the files being linted then are each linted alone in a child process
        (one of them killed the worker, and would kill this process too); the others go back
        to the queue, for a new pool while `MAX_POOLS` allows, else each alone as well."""
        tasks = {future: task, **self._task_of}
        items = {future: item, **self._running}
        in_flight: set[int] = set()
        if self._slots is not None:
            in_flight = {task for task in list(self._slots) if task >= 0}
        self._running.clear()
        self._task_of.clear()
        self.abandon(join=True)
        suspects = [items[f] for f in items if tasks.get(f, -1) in in_flight]
        others = [items[f] for f in items if tasks.get(f, -1) not in in_flight]
        if not suspects or self._pools_started >= MAX_POOLS:
            # No worker said what it was on (or pools keep breaking): trust no file in-process.
            self._alone.extend([*suspects, *others])
            return
        self._alone.extend(suspects)
        if len(others) < 2:
            self._alone.extend(others)
            return
        # The rest were never started: a fresh pool, so that a crash the screen did not foresee
        # still costs a worker, not this process.
        self._queued.extendleft(reversed(others))
        self._open_pool(max(1, min(self.jobs or _cores(), len(others))))
        if self._pool is None:  # no new pool after all: alone, then, not in this process
            self._alone.extend(self._queued)
            self._queued.clear()

    def abandon(self, join: bool = False) -> None:
        """Stop the workers at once (Ctrl-C, a broken pool): queued tasks are not waited for.

        With `join`, also wait (briefly) for the pool's manager thread to end: a new pool is
        only forked from a process without other threads (see `_open_pool`).
        """
        pool = self._pool
        self._pool = None
        if pool is None:
            return
        manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets it
        processes: dict[Any, Any] = dict(getattr(pool, "_processes", None) or {})
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes.values():
            process.terminate()
        if join and manager is not None:
            manager.join(timeout=5)
