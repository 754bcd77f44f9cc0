"""Lint one file in a fresh Python process, so that whatever libcst does to it costs that file only.

libcst's parser is native code: on a tree deep enough it overflows its stack and the process
dies with SIGSEGV, which no `except` catches, and some inputs take it minutes. A file that the
screen (engine/parse.py) finds too deep, and a file that was in a pool worker when the worker
died, are linted here instead: the child runs the ordinary `lint_file` and pickles its
`FileResult` back. A child that dies, hangs past `ISOLATED_TIMEOUT_S` or cannot be started turns
into one INN901 for that file ("the parser crashed on this file"), never an error for the run.

The child starts with `-I` (no current directory, no user site, no PYTHON* variables on its
path: a repository's own `click.py` is not imported) and then takes this process's `sys.path`
less the current directory, with the folder holding this copy of inngest-lint first, so it
imports this very copy and its dependencies.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.engine.file_pass import FileInput, FileResult
from inngest_lint.engine.parse import UNREADABLE_FILE
from inngest_lint.settings import Settings

#: How long a child may take to lint one file. The screen sends only files whose tree is deeper
#: than any real code's; on those libcst takes from well under a second (an 8,000-term `and`
#: chain) to minutes (an 8,000-link `x[0][0]...` chain), and the run must end.
ISOLATED_TIMEOUT_S = 60.0

#: The address space a child may use. libcst's memory grows faster than the depth it parses
#: (2,000 nested brackets take gigabytes on a large stack; 15,000 took 24 GB before the kernel
#: killed the process), and a child must fail alone rather than starve the machine. Ordinary
#: files need a few hundred MB at most (an 8,000-term `and` chain: 80 MB; 40,000: 310 MB).
CHILD_ADDRESS_SPACE_BYTES = 4 * 1024 * 1024 * 1024

_BOOTSTRAP = (
    "import pickle, sys\n"
    "path, inner = pickle.loads(sys.stdin.buffer.read())\n"
    "sys.path[:] = path\n"
    "from inngest_lint.engine.isolate import child_main\n"
    "child_main(inner)\n"
)


def child_command() -> list[str]:
    """The command that runs `child_main` (a seam for tests)."""
    return [sys.executable, "-I", "-c", _BOOTSTRAP]


def _child_path() -> list[str]:
    """This process's import path without the current directory (`python -m` puts it first, and
    the linted repository may hold a module of any name), after this package's own folder."""
    package_root = str(Path(__file__).resolve().parents[2])
    try:
        here = os.getcwd()
    except OSError:
        here = ""
    current = {"", ".", here}
    return [package_root, *(entry for entry in sys.path if entry not in current and entry != package_root)]


def unlintable(path: str, reason: str) -> FileResult:
    return FileResult(path, [Diagnostic(path, 1, 1, UNREADABLE_FILE, f"{reason}; not linted")])


def _describe_exit(returncode: int, stderr: bytes) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"the parser crashed on this file ({name})"
    last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {returncode}"]
    return f"the parser crashed on this file ({last[0][:200]})"


def lint_isolated(
    item: FileInput,
    settings: Settings,
    codes: frozenset[str],
    debug: bool = False,
    timeout: float = ISOLATED_TIMEOUT_S,
) -> FileResult:
    """`lint_file(item)` in a child process; an INN901 result when the child does not return one."""
    inner = pickle.dumps((item, settings, codes, debug), protocol=pickle.HIGHEST_PROTOCOL)
    payload = pickle.dumps((_child_path(), inner), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        completed = subprocess.run(
            child_command(), input=payload, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return unlintable(item.path, f"the parser did not finish this file within {timeout:g} s")
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        return unlintable(item.path, f"cannot start a process to parse this file safely ({error})")
    if completed.returncode == 0:
        try:
            result: Any = pickle.loads(completed.stdout)
        except Exception:  # noqa: BLE001 - a garbled answer is the same as no answer
            result = None
        if isinstance(result, FileResult):
            return result
    return unlintable(item.path, _describe_exit(completed.returncode, completed.stderr))


def child_main(inner: bytes) -> None:
    """Lint the pickled file and write the pickled result to the original stdout.

    Anything a rule prints goes to stderr instead, so it cannot corrupt the answer.
    """
    from inngest_lint.engine.file_pass import lint_file

    _limit_address_space(CHILD_ADDRESS_SPACE_BYTES)
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    item, settings, codes, debug = pickle.loads(inner)
    result = lint_file(item, settings, codes, debug, isolated=True)
    answer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    answer.flush()


def _limit_address_space(limit: int) -> None:
    """Cap this process's memory where the platform can (a MemoryError, or an abort, beyond)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, AttributeError, ValueError, OSError):
        pass  # Windows has no resource module; macOS may refuse RLIMIT_AS
