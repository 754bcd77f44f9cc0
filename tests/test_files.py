"""`inngest_lint.files`: the one reader of regular files and the one atomic writer.

The baseline, the cache, the configuration and the engine use them; what each promises its
caller is tested here once (the callers' own tests cover their messages).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from inngest_lint import files
from inngest_lint.files import NotRegularFile, OverLimit, read_regular, write_atomically

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes, FIFOs and symlinks")


def test_read_regular_reads_within_the_limit(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"x = 1\n")
    assert read_regular(target) == b"x = 1\n"
    assert read_regular(target, 6) == b"x = 1\n"
    with pytest.raises(OverLimit) as raised:
        read_regular(target, 5)
    assert raised.value.size == 6 and raised.value.exact
    assert read_regular(target, 5, truncate=True) == b"x = 1"


@POSIX
def test_read_regular_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.py"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match="a FIFO"):
        read_regular(fifo)  # opened without blocking, refused after the open
    with pytest.raises(NotRegularFile, match="a directory"):
        read_regular(tmp_path)
    with pytest.raises(NotRegularFile, match="a character device"):
        read_regular("/dev/zero")  # never read: it would not end
    real = tmp_path / "real.py"
    real.write_bytes(b"ok\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    assert read_regular(link) == b"ok\n"
    with pytest.raises(OSError) as raised:
        read_regular(link, follow_symlinks=False)
    assert raised.value.errno == errno.ELOOP


@POSIX
def test_write_atomically_keeps_the_mode_and_writes_through_a_link(tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_bytes(b"old\n")
    script.chmod(0o750)
    write_atomically(script, b"new\n")
    assert script.read_bytes() == b"new\n"
    assert stat.S_IMODE(script.stat().st_mode) == 0o750

    link = tmp_path / "link.py"
    link.symlink_to(script)
    write_atomically(link, b"through\n")
    assert link.is_symlink() and script.read_bytes() == b"through\n"

    write_atomically(link, b"replaced\n", follow_symlinks=False)
    assert not link.is_symlink() and link.read_bytes() == b"replaced\n"
    assert script.read_bytes() == b"through\n"

    umask = os.umask(0o022)
    os.umask(umask)
    fresh = tmp_path / "new" / "file.py"
    write_atomically(fresh, b"x\n")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
    private = tmp_path / "private.bin"
    write_atomically(private, b"x", new_file_mode=0o600)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "baseline.json"
    target.write_bytes(b"old\n")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if failing == "write":
        real_open = open

        class FailingHandle:
            def __init__(self, descriptor: int, mode: str) -> None:
                self.handle = real_open(descriptor, mode)

            def __enter__(self) -> FailingHandle:
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.close()

            def fileno(self) -> int:
                return self.handle.fileno()

            def write(self, data: bytes) -> None:
                self.handle.write(data[:2])
                disk_full()

        monkeypatch.setattr(files, "open", FailingHandle, raising=False)
    else:
        monkeypatch.setattr(files.os, failing, disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"new content\n")
    assert target.read_bytes() == b"old\n"
    assert [path.name for path in tmp_path.iterdir()] == ["baseline.json"]
