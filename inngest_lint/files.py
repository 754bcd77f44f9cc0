"""Reading and writing files safely: the one home of both, below every other layer.

Reading. A path the linter reads may name anything: a FIFO named `x.py` would block a run forever
waiting for a writer, a symlink to `/dev/zero` or `/dev/urandom` never ends, and a `/proc` file
says it is empty and then gives more. `read_regular` opens without blocking, checks the file's
type and size on the open descriptor (no window for a swap between a check and the open), and
stops reading one byte past the limit. Source files, configuration files, cache entries and the
lines a reporter quotes are all read through it.

Writing. A file the linter writes (a baseline, a cache entry, a user's file it was asked to fix)
is replaced only by a complete new one: `write_atomically` writes a temporary file beside the
target, flushes it to disk when asked, and renames it over the target with `os.replace` (atomic
within one file system, on POSIX and Windows). A full disk, a crash or Ctrl-C half-way leaves the
old file as it was, and the temporary file is removed whatever goes wrong.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path

#: O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer (it changes nothing
#: for a regular file); O_NOCTTY: opening a terminal device must not make it this process's own.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegularFile(OSError):
    """What is at a path is not a regular file (a FIFO, a device, a socket, a directory)."""

    def __init__(self, mode: int) -> None:
        self.mode = mode
        super().__init__(f"not a regular file ({file_kind(mode)})")


class OverLimit(OSError):
    """A file holds more bytes than the caller will read; `size` is what is known of it."""

    def __init__(self, size: int, exact: bool) -> None:
        self.size = size
        self.exact = exact
        super().__init__(f"file is over {size} bytes")


def file_kind(mode: int) -> str:
    return next((kind for test, kind in _KINDS if test(mode)), "an unknown kind of file")


def read_regular(
    path: str | os.PathLike[str], limit: int = 0, *, truncate: bool = False, follow_symlinks: bool = True
) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    Raises NotRegularFile for anything else, OverLimit when the file holds more than `limit`
    bytes (unless `truncate`: then its first `limit` bytes), and OSError when it cannot be
    opened or read. `limit` 0 reads it all: a regular file always ends. With
    `follow_symlinks=False` a symlink is refused (OSError) instead of read through: what the
    linter wrote itself, such as a cache entry, is never a link.
    """
    flags = _OPEN_FLAGS
    if not follow_symlinks:
        if hasattr(os, "O_NOFOLLOW"):
            flags |= os.O_NOFOLLOW
        elif os.path.islink(path):
            raise OSError(errno.ELOOP, "a symlink; not followed", str(path))
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(info.st_mode)
        if limit and info.st_size > limit and not truncate:
            raise OverLimit(info.st_size, exact=True)
        # The size said may be wrong (a /proc file says 0, a file may grow while it is read):
        # read up to one byte past the limit, and no further.
        budget = limit + (0 if truncate else 1) if limit else None
        parts: list[bytes] = []
        total = 0
        while budget is None or total < budget:
            chunk = os.read(descriptor, _CHUNK if budget is None else min(_CHUNK, budget - total))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
    finally:
        os.close(descriptor)
    if limit and total > limit:
        raise OverLimit(total, exact=False)
    return b"".join(parts)


def write_atomically(
    target: Path,
    data: bytes,
    *,
    durable: bool = True,
    follow_symlinks: bool = True,
    new_file_mode: int = 0o666,
) -> None:
    """Replace `target` with `data`: a temporary file in the same folder, then `os.replace`.

    - `durable`: the data is flushed to disk (`fsync`) before the rename, so a power cut cannot
      leave an empty file where the old one was. A cache, which verifies what it reads back,
      can skip it.
    - The new file keeps the old one's permission bits (a baseline made group-writable stays
      so, an executable script stays executable). A new file gets `new_file_mode` less the
      umask (0o666: what a plain write gives).
    - `follow_symlinks`: a symlinked target is written through the link, so the link survives
      (a user's file). Without it the link itself is replaced (what the linter owns, such as
      a cache entry, must never write wherever a planted link points).
    - The folder is created when missing. The temporary file is removed whatever goes wrong,
      Ctrl-C included, and the error propagates.
    """
    destination = Path(os.path.realpath(target)) if follow_symlinks else Path(os.path.abspath(target))
    directory = destination.parent
    directory.mkdir(parents=True, exist_ok=True)
    mode: int | None = None
    try:
        info = os.stat(destination) if follow_symlinks else os.lstat(destination)
    except OSError:
        info = None
    if info is not None and stat.S_ISREG(info.st_mode):
        mode = stat.S_IMODE(info.st_mode)
    temporary = None
    for _ in range(100):
        candidate = directory / f".{destination.name}.{secrets.token_hex(4)}.tmp"
        try:
            descriptor = os.open(
                candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), new_file_mode
            )
        except FileExistsError:
            continue
        temporary = candidate
        break
    if temporary is None:
        raise FileExistsError(errno.EEXIST, "no free temporary file name", str(directory))
    try:
        with open(descriptor, "wb") as handle:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if mode is not None and not hasattr(os, "fchmod"):
            os.chmod(temporary, mode)
        os.replace(temporary, destination)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
