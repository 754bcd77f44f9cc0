"""The pre-commit hooks, for real: pre-commit installs this checkout and runs its hooks.

Two pre-commit behaviours shape the fixture:
- Pointed at a checkout, pre-commit clones a git revision. `try-repo` adds a "shadow commit" of
  *tracked* changes only, so new files (a new rule module, `.pre-commit-hooks.yaml` itself before
  its first commit) would be missing. The fixture therefore copies the working tree as git sees
  it (tracked and untracked files, minus ignored ones) into a throwaway repository and commits
  it: the hooks under test are the files on disk now.
- `try-repo` builds a fresh store (virtualenv + pip install) on every call, whatever
  PRE_COMMIT_HOME says. The tests therefore run `pre-commit run --config CONFIG` with a config
  naming that repository and commit, exactly as a user's `.pre-commit-config.yaml` does, and one
  PRE_COMMIT_HOME for the whole module, so the hook repository is installed once per session.

The install needs PyPI. The module skips, saying why, when pre-commit or git is missing or the
install fails for lack of network; any other install failure fails the test (a packaging bug).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_cli_messages import check_golden

CHECKOUT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("pre_commit") is None,
        reason="pre-commit is not installed (pip install -e '.[test]')",
    ),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

# What pip prints when it cannot reach the package index.
NETWORK_MARKERS = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "Connection refused",
    "ProxyError",
)

CLIENT = 'import inngest\n\nclient = inngest.Inngest(app_id="shop")\n'

BAD = textwrap.dedent(
    """
    import inngest

    from client import client


    @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"))
    async def ship(ctx: inngest.Context) -> None:
        for item in ctx.event.data["items"]:
            await ctx.step.run("pack", pack, item)


    async def pack(item: object) -> None:
        return None
    """
).lstrip()
FIXED = BAD.replace('"pack", pack', 'f"pack-{item}", pack')

MAIN = textwrap.dedent(
    """
    import inngest.fast_api
    from fastapi import FastAPI

    from client import client
    from jobs import ship

    app = FastAPI()
    inngest.fast_api.serve(app, client, [ship])
    """
).lstrip()

NEW_FUNCTION = textwrap.dedent(
    """


    @client.create_function(fn_id="refund", trigger=inngest.TriggerEvent(event="shop/order.refunded"))
    async def refund(ctx: inngest.Context) -> None:
        await ctx.step.run("refund", pack, ctx.event.data)
    """
)


def git(cwd: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def init_repo(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    git(path, "config", "user.name", "Hook Test")
    git(path, "config", "user.email", "hook-test@example.invalid")


def commit_all(path: Path, message: str) -> str:
    git(path, "add", "-A")
    git(path, "commit", "-q", "--no-verify", "-m", message)
    return git(path, "rev-parse", "HEAD").strip()


def working_tree_files(checkout: Path) -> list[str]:
    """The files a commit of the working tree would hold: tracked and untracked, not ignored."""
    try:
        listed = git(checkout, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except (subprocess.CalledProcessError, OSError):
        listed = ""
    names = [name for name in listed.split("\0") if name and (checkout / name).is_file()]
    if names:
        return names
    # Not a git checkout (an sdist, say): everything but caches and build output.
    skipped = {".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "build", "dist", ".venv", "venv"}
    return [
        path.relative_to(checkout).as_posix()
        for path in checkout.rglob("*")
        if path.is_file()
        and not any(part in skipped or part.endswith(".egg-info") for part in path.relative_to(checkout).parts)
    ]


@dataclass
class HookRepo:
    """A committed copy of this working tree, a config naming it, and the shared pre-commit store."""

    path: Path
    rev: str
    home: Path
    config: Path

    def run(self, user_repo: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
        """`pre-commit run HOOK` in `user_repo` (on the staged files unless args say otherwise)."""
        env = {**os.environ, "PRE_COMMIT_HOME": str(self.home), "PRE_COMMIT_COLOR": "never"}
        env.pop("PRE_COMMIT", None)
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", hook, "--config", str(self.config), "--verbose", *args],
            cwd=user_repo,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )


def make_user_repo(path: Path, files: dict[str, str]) -> Path:
    init_repo(path)
    (path / "pyproject.toml").write_text("[project]\nname = 'shop'\n", encoding="utf-8")
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    commit_all(path, "initial")
    return path


def output(completed: subprocess.CompletedProcess[str]) -> str:
    return completed.stdout + completed.stderr


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookRepo]:
    base = tmp_path_factory.mktemp("pre-commit")
    copy = base / "inngest-lint"
    for name in working_tree_files(CHECKOUT):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CHECKOUT / name, target)
    assert (copy / ".pre-commit-hooks.yaml").is_file(), "the checkout has no .pre-commit-hooks.yaml"
    init_repo(copy)
    rev = commit_all(copy, "working tree under test")
    config = base / "pre-commit-config.yaml"
    config.write_text(
        f'repos:\n  - repo: "{copy.as_posix()}"\n    rev: {rev}\n    hooks:\n'
        "      - id: inngest-lint\n      - id: inngest-lint-project\n",
        encoding="utf-8",
    )
    repo = HookRepo(copy, rev, base / "home", config)

    # Install once: pre-commit keeps the environment in PRE_COMMIT_HOME by repository and revision.
    warm_up = make_user_repo(base / "warm-up", {"client.py": CLIENT})
    completed = repo.run(warm_up, "inngest-lint", "--files", "client.py")
    if completed.returncode not in (0, 1):
        log = repo.home / "pre-commit.log"
        text = output(completed) + (log.read_text(encoding="utf-8", errors="replace") if log.is_file() else "")
        if any(marker in text for marker in NETWORK_MARKERS):
            pytest.skip("pre-commit could not install the hook: no network access to the package index")
        pytest.fail(f"pre-commit could not install the hook repository:\n{text}")
    yield repo


def test_hook_fails_on_a_bad_file_and_passes_after_the_fix(hook_repo: HookRepo, tmp_path: Path) -> None:
    user = make_user_repo(tmp_path / "user", {"client.py": CLIENT, "jobs.py": BAD})
    failed = hook_repo.run(user, "inngest-lint", "--files", "jobs.py")
    assert failed.returncode == 1, output(failed)
    assert "jobs.py:9:" in output(failed) and "INN101" in output(failed)

    (user / "jobs.py").write_text(FIXED, encoding="utf-8")
    passed = hook_repo.run(user, "inngest-lint", "--files", "jobs.py")
    assert passed.returncode == 0, output(passed)
    assert "INN101" not in output(passed)


def test_commit_of_one_file_still_sees_cross_file_facts(hook_repo: HookRepo, tmp_path: Path) -> None:
    """Only jobs.py is staged; the serve() call that leaves the new function out is in main.py."""
    user = make_user_repo(tmp_path / "user", {"client.py": CLIENT, "jobs.py": FIXED, "main.py": MAIN})
    (user / "jobs.py").write_text(FIXED + NEW_FUNCTION, encoding="utf-8")
    git(user, "add", "jobs.py")
    staged = git(user, "diff", "--cached", "--name-only").split()
    assert staged == ["jobs.py"]

    failed = hook_repo.run(user, "inngest-lint")  # no --files: the staged files, as on commit
    assert failed.returncode == 1, output(failed)
    assert "INN201" in output(failed) and "'refund'" in output(failed)

    # Serving it in main.py (a file the next commit does not touch) clears the finding.
    (user / "main.py").write_text(
        MAIN.replace("import ship", "import refund, ship").replace("[ship]", "[ship, refund]"), encoding="utf-8"
    )
    git(user, "commit", "-q", "--no-verify", "-m", "serve refund", "main.py")
    assert git(user, "diff", "--cached", "--name-only").split() == ["jobs.py"]
    passed = hook_repo.run(user, "inngest-lint")
    assert passed.returncode == 0, output(passed)


def test_hook_reports_at_the_staged_line_a_finding_it_causes_in_another_file(
    hook_repo: HookRepo, tmp_path: Path
) -> None:
    """Dropping a function from the serve list in main.py breaks jobs.py. Only main.py is
    staged, and the default hook fails naming main.py's serve() line (golden: the linter's lines
    of the hook's output); the project hook reports the same finding where the function is."""
    jobs = FIXED + NEW_FUNCTION
    serving_both = MAIN.replace("import ship", "import refund, ship").replace("[ship]", "[ship, refund]")
    user = make_user_repo(tmp_path / "user", {"client.py": CLIENT, "jobs.py": jobs, "main.py": serving_both})
    (user / "main.py").write_text(MAIN, encoding="utf-8")
    git(user, "add", "main.py")
    assert git(user, "diff", "--cached", "--name-only").split() == ["main.py"]

    per_file = hook_repo.run(user, "inngest-lint")
    linter_lines = [
        line for line in output(per_file).splitlines() if line.startswith(("main.py:", "jobs.py:", "Found"))
    ]
    transcript = f"$ pre-commit run inngest-lint  # main.py staged\nexit {per_file.returncode}\n" + "".join(
        f"{line}\n" for line in linter_lines
    )
    check_golden("pre-commit-cross-file.txt", transcript)
    assert per_file.returncode == 1, output(per_file)

    project = hook_repo.run(user, "inngest-lint-project")
    assert project.returncode == 1, output(project)
    assert "jobs.py:" in output(project) and "INN201" in output(project)
