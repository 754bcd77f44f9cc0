"""Other Inngest SDK releases for `tests/test_sdk_table.py`: the oldest supported and the newest.

`sdk.py` is the union over every supported SDK version, so the table test runs against more than
the installed package. Each release is its wheel unzipped into a cache directory (the SDK is pure
Python): the table test runs itself in a subprocess with that directory first on `PYTHONPATH`,
so the wheel's `inngest` shadows the installed one while its dependencies (pydantic, httpx) come
from the test environment. Unzipping `--no-deps` wheels also keeps pip from resolving the
pre-release's dependencies with `--pre`, which picks httpx 1.0 development builds it cannot import
(were it installed into a venv instead, `httpx<1` would have to be pinned beside it).

Preparing needs the network once; the tests only read the cache and skip, saying how to prepare
it, when a release is missing. `.ci/run` prepares it before the tests:

    python tests/sdk_versions.py            # download and unzip every release below
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

#: The oldest release the linter supports (sdk.py: versions 0.3 to 0.5) and the newest it was
#: written against, pre-releases included. Bump NEWEST when `pip download inngest --pre` finds a
#: newer one, and bring sdk.py up to it.
OLDEST = "0.3.0"
NEWEST = "0.5.20a0"
VERSIONS = (OLDEST, NEWEST)


def cache_dir() -> Path:
    """`$INNGEST_LINT_SDK_CACHE`, else `~/.cache/inngest-lint/sdk` (XDG_CACHE_HOME honoured)."""
    configured = os.environ.get("INNGEST_LINT_SDK_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "inngest-lint" / "sdk"


def release_dir(version: str) -> Path:
    """Where the unzipped wheel of `version` lives (it holds `inngest/` and its dist-info)."""
    return cache_dir() / version


def is_prepared(version: str) -> bool:
    return (release_dir(version) / "inngest" / "__init__.py").is_file()


def prepare(version: str) -> Path:
    """Download the wheel of `version` (no dependencies) and unzip it into the cache, once."""
    target = release_dir(version)
    if is_prepared(version):
        return target
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                f"inngest=={version}",
                "--no-deps",
                "--pre",
                "-q",
                "-d",
                download,
            ],
            check=True,
            timeout=300,
        )
        wheels = sorted(Path(download).glob("inngest-*.whl"))
        if not wheels:
            raise RuntimeError(f"pip downloaded no wheel for inngest=={version}")
        partial = target.with_name(target.name + ".partial")
        partial.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheels[0]) as archive:
            archive.extractall(partial)
        partial.rename(target)
    return target


if __name__ == "__main__":
    for release in VERSIONS:
        print(f"inngest {release}: {prepare(release)}")
