"""`python -m inngest_lint` runs the same CLI as the `inngest-lint` script.

`python -m` puts the working directory first on `sys.path`, and the README says to run this
from a repository's root: that repository's own `click.py`, `libcst.py` or `json.py` would then
be imported in place of the real ones, and run. The linter reads the code it checks and never
imports it, so no entry naming the working directory is needed: every such entry (`''`, `.`,
the absolute path, a `PYTHONPATH=.`) is dropped before anything else is imported, as pip's
`__main__` does for its own (pip drops only the first entry; a `PYTHONPATH` naming the working
directory would expose the same hijack, so all go here).

The one exception is a working directory that holds this package itself (a checkout of
inngest-lint run without installing it): it is the linter's own code, and worker processes
started by spawning (the default on macOS and Windows) import the package again from `sys.path`.
"""

from __future__ import annotations

import os
import sys


def _drop_working_directory(path: list[str]) -> None:
    """Remove from `path`, in place, every entry that names the current directory."""
    try:
        here = os.path.realpath(os.getcwd())
    except OSError:  # the working directory was deleted: '' and '.' name nothing importable
        here = None
    if here is not None and here == os.path.dirname(os.path.dirname(os.path.realpath(__file__))):
        return  # a checkout of inngest-lint itself: the working directory is the linter
    path[:] = [entry for entry in path if not _names_directory(entry, here)]


def _names_directory(entry: object, here: str | None) -> bool:
    if entry in ("", "."):
        return True
    if here is None or not isinstance(entry, str):
        return False
    try:
        return os.path.realpath(entry) == here  # the absolute path, `./`, a symlink to it...
    except (OSError, ValueError):
        return False


_drop_working_directory(sys.path)

from inngest_lint.cli import run  # noqa: E402 - only once sys.path is safe

if __name__ == "__main__":
    run()
