"""Real git repositories in a temporary folder, for `--since REF` (the deploy-safety rules)."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

_ENVIRONMENT = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


class GitProject:
    """A project folder that is a git work tree: commit a version, then change the files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "pyproject.toml").write_text("[project]\nname = 'sample'\n", encoding="utf-8")
        self.git("init", "-q", "-b", "main")

    def git(self, *arguments: str) -> str:
        done = subprocess.run(
            ["git", *arguments], cwd=self.root, env=_ENVIRONMENT, capture_output=True, text=True, timeout=60, check=True
        )
        return done.stdout

    def write(self, files: dict[str, str]) -> None:
        for relative, source in files.items():
            target = self.root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")

    def commit(self, files: dict[str, str], message: str = "version") -> str:
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def change(self, files: dict[str, str], remove: set[str] | frozenset[str] = frozenset()) -> None:
        """Write `files` and delete `remove` in the work tree (nothing committed)."""
        for relative in remove:
            (self.root / relative).unlink()
        self.write(files)
