"""Benchmark inngest-lint on a large synthetic repository, side by side with its floors.

One command from a fresh clone (after `pip install -e .`):

    python bench/run.py                  # 10,000 files, 3 repetitions, a table
    python bench/run.py --files 2000 --json

It generates (or reuses) a seeded tree with bench/generate.py, then measures, interleaved so
that a noisy machine slows every scenario alike, each repetition in this order:
cold run (empty linter cache), warm run (nothing changed), the warm run again with `--since HEAD`
(the deploy-safety rules against the committed tree, nothing changed), pre-commit runs naming one changed
Inngest file and one changed other file, a run after editing one Inngest file, the libcst parse-only floor
over the files the linter parsed, and ruff E,F cold and warm on the same tree. It reports
medians, ratios and the targets of the "Fast on big repositories" issue as PASS/FAIL lines.

Every timing is a whole child process measured from outside (wall clock; CPU and peak RSS from
`os.wait4`), as a user or a pre-commit hook sees it. The page cache is warm (the tree was just
generated or surveyed); "cold" refers to the linter's own cache only.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402 - a sibling script, not an installed module
from probes import SKIPPED_DIRECTORIES  # noqa: E402

PROBES = HERE / "probes.py"
EDIT_MARKER = "# bench: edited by bench/run.py"
LINTER_EXIT_OK = (0, 1)

TARGET_COLD_OVER_FLOOR = 1.5
TARGET_PRECOMMIT_INNGEST_S = 0.5
TARGET_PRECOMMIT_OTHER_S = 0.15
TARGET_PEAK_MB = 300.0
TARGET_SINCE_OVER_WARM = 1.10


# --------------------------------------------------------------------------------------------
# Running and measuring one child process.
# --------------------------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    cpu: float
    peak_mb: float | None
    exit_code: int
    stdout: str = ""
    stderr: str = ""


def child_environment() -> dict[str, str]:
    """The caller's environment minus PYTHONDONTWRITEBYTECODE.

    With it set, every run would recompile the linter's modules from source, a start-up cost
    users do not pay (their installs have bytecode), so the warm-up run compiles them once.
    """
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


# A tiny launcher between the driver and the measured command. On Linux a child's max RSS
# includes the memory of the process it was forked from, before exec: measured straight from
# this driver (which holds the survey's file contents) every row would report the driver's
# size. The launcher is a bare `python -I -S` (about 10 MB), so that is the floor of the
# figure, and it times the command without its own start-up.
LAUNCHER = """
import json, os, sys, time
started = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
scale = 1 / (1024 * 1024) if sys.platform == "darwin" else 1 / 1024
with open(sys.argv[1], "w") as report:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss * scale,
               "exit_code": os.waitstatus_to_exitcode(status)}, report)
"""


def measure(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run argv to completion: wall time, user+sys CPU and peak RSS of that command alone.

    `os.wait4` in the launcher gives the rusage of exactly this command (its max RSS also
    covers the children it waited for, as the largest of them), unlike RUSAGE_CHILDREN,
    whose max RSS is the largest over every child the driver ever had.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(suffix=".json", delete=False) as report,
    ):
        report.close()
        try:
            if hasattr(os, "wait4") and hasattr(os, "posix_spawnp"):
                launched = [sys.executable, "-I", "-S", "-c", LAUNCHER, report.name, *argv]
                completed = subprocess.run(
                    launched, cwd=cwd, env=env or child_environment(), stdin=subprocess.DEVNULL, stdout=out, stderr=err
                )
                try:
                    data = json.loads(Path(report.name).read_text(encoding="utf-8"))
                except (OSError, ValueError):  # the launcher itself failed (command not found...)
                    data = {"wall": float("nan"), "cpu": float("nan"), "peak_mb": None, "exit_code": 127}
            else:  # no wait4 (Windows): wall time only
                started = time.perf_counter()
                completed = subprocess.run(
                    argv, cwd=cwd, env=env or child_environment(), stdin=subprocess.DEVNULL, stdout=out, stderr=err
                )
                data = {
                    "wall": time.perf_counter() - started,
                    "cpu": float("nan"),
                    "peak_mb": None,
                    "exit_code": completed.returncode,
                }
        finally:
            os.unlink(report.name)
        out.seek(0)
        err.seek(0)
        return Sample(
            float(data["wall"]),
            float(data["cpu"]),
            data["peak_mb"],
            int(data["exit_code"]),
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


# --------------------------------------------------------------------------------------------
# Finding the tools.
# --------------------------------------------------------------------------------------------


def find_linter(explicit: str | None) -> list[str]:
    if explicit:
        return shlex.split(explicit)
    beside = Path(sys.executable).parent / "inngest-lint"
    if beside.exists():
        return [str(beside)]
    on_path = shutil.which("inngest-lint")
    if on_path:
        return [on_path]
    probe = subprocess.run([sys.executable, "-c", "import inngest_lint"], capture_output=True)
    if probe.returncode == 0:
        return [sys.executable, "-m", "inngest_lint"]
    raise SystemExit("bench: inngest-lint not found; install the project (pip install -e .) or pass --linter")


def find_ruff() -> list[str] | None:
    beside = Path(sys.executable).parent / "ruff"
    if beside.exists():
        return [str(beside)]
    on_path = shutil.which("ruff")
    if on_path:
        return [on_path]
    probe = subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True)
    return [sys.executable, "-m", "ruff"] if probe.returncode == 0 else None


def cache_support(linter: list[str]) -> bool:
    """True when the linter's help mentions both cache flags (the cache is not built yet)."""
    text = ""
    for extra in (["--help"], ["check", "--help"]):
        try:
            completed = subprocess.run([*linter, *extra], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        text += completed.stdout + completed.stderr
    return "--cache-dir" in text and "--no-cache" in text


def since_support(linter: list[str]) -> bool:
    """True when the linter's help mentions `--since` (the deploy-safety rules)."""
    try:
        completed = subprocess.run([*linter, "check", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--since" in completed.stdout


def prepare_since(root: Path, scratch: Path, notes: list[str]) -> dict[str, str] | None:
    """The environment for `--since HEAD` runs: the tree's own repository when it is a clean git
    work tree, else a repository of the tree kept in the scratch folder (GIT_DIR and
    GIT_WORK_TREE, so the tree gains no `.git`, which would change how the other runs apply its
    `.gitignore`). None when git is missing or fails."""
    environment = child_environment()
    try:
        inside = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True)
        if inside.returncode == 0 and Path(inside.stdout.strip()).resolve() == root:
            dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True)
            if dirty.stdout.strip():
                notes.append("--since HEAD: the tree has uncommitted changes; the row is not 'nothing changed'")
            return environment
        environment = {
            **environment,
            "GIT_DIR": str(scratch / "since-git"),
            "GIT_WORK_TREE": str(root),
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.com",
        }
        started = time.perf_counter()
        for command in (["init", "-q"], ["add", "-A", "-f", "."], ["commit", "-q", "-m", "bench"]):
            subprocess.run(["git", *command], cwd=root, env=environment, capture_output=True, check=True)
        notes.append(
            f"--since HEAD: committed the tree to a scratch repository in {time.perf_counter() - started:.1f} s"
        )
        return environment
    except (OSError, subprocess.CalledProcessError) as error:
        notes.append(f"--since HEAD row skipped: git failed ({error})")
        return None


def tool_version(argv: list[str]) -> str:
    try:
        completed = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (completed.stdout.strip() or completed.stderr.strip()).splitlines()[-1] if completed.returncode == 0 else "?"


def run_probe(mode: str, argument: str, cwd: Path) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, str(PROBES), mode, argument], cwd=cwd, capture_output=True, text=True, env=child_environment()
    )
    if completed.returncode != 0:
        raise RuntimeError(f"probe {mode} failed: {completed.stderr.strip()[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# The tree.
# --------------------------------------------------------------------------------------------


def generator_fingerprint() -> str:
    return hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:12]


def prepare_tree(args: argparse.Namespace, notes: list[str]) -> tuple[Path, Path | None]:
    """(tree root, directory to delete at the end or None)."""
    if args.repo:
        root = Path(args.repo).resolve()
        if not root.is_dir():
            raise SystemExit(f"bench: --repo {args.repo}: not a directory")
        return root, None
    work = Path(args.work_dir or Path(tempfile.gettempdir()) / "inngest-lint-bench").resolve()
    key = f"files{args.files}-ratio{args.inngest_ratio}-seed{args.seed}-{generator_fingerprint()}"
    root = work / key
    stamp = generate.read_stamp(root)
    if stamp is not None and stamp.get("generator_version") == generate.GENERATOR_VERSION:
        notes.append(f"reused the generated tree at {root}")
        return root, None
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    generate.generate(root, args.files, args.inngest_ratio, args.seed)
    notes.append(
        f"generated {root} in {time.perf_counter() - started:.1f} s"
        + ("" if args.keep else " (deleted at the end; --keep keeps it for the next run)")
    )
    return root, None if args.keep else root


@dataclass
class Survey:
    files: int
    total_bytes: int
    marker_files: list[Path]
    parsed: list[Path]
    parsed_method: str
    estimate_files: int
    walked: int
    edit_target: Path
    precommit_inngest: Path
    precommit_other: Path
    notes: list[str] = field(default_factory=list)


def survey(root: Path, scratch: Path) -> Survey:
    """Sizes, the files the linter parses, and which files the edit and pre-commit runs use."""
    notes: list[str] = []
    listing = scratch / "parsed.txt"
    try:
        parsed_info = run_probe("parsed-files", str(listing), root)
    except RuntimeError as error:
        notes.append(f"{error}; using the pre-filter + import-closure estimate")
        parsed_info = run_probe("estimate", str(listing), root)
    if parsed_info.get("note"):
        notes.append(str(parsed_info["note"]))
    parsed = [Path(line) for line in listing.read_text(encoding="utf-8").splitlines() if line]
    estimate_info = run_probe("estimate", str(scratch / "estimate.txt"), root)
    walked = int(estimate_info["walked"])  # type: ignore[arg-type]
    python_files: list[tuple[Path, bytes]] = []
    for directory, subdirectories, names in os.walk(root):
        # The linter's default excludes (probes.py keeps a copy), so --repo ignores .venv & co.
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES)
        for name in sorted(names):
            if name.endswith(".py"):
                path = Path(directory, name)
                python_files.append((path, path.read_bytes()))
    marker_files = [path for path, data in python_files if generate.MARKER in data]
    functions = [path for path, data in python_files if b"create_function" in data]
    if not functions:
        raise SystemExit("bench: no file in the tree calls create_function; nothing to edit")
    others = sorted(
        ((path, data) for path, data in python_files if generate.MARKER not in data and path.name != "__init__.py"),
        key=lambda item: len(item[1]),
    )
    if not others:
        raise SystemExit("bench: every file mentions inngest; no file for the non-Inngest pre-commit run")
    edit_target = functions[0]
    precommit_inngest = functions[len(functions) // 2] if len(functions) > 1 else functions[0]
    if precommit_inngest == edit_target and len(functions) > 1:
        precommit_inngest = functions[-1]
    return Survey(
        files=len(python_files),
        total_bytes=sum(len(data) for _, data in python_files),
        marker_files=marker_files,
        parsed=parsed,
        parsed_method=str(parsed_info.get("method")),
        estimate_files=int(estimate_info["files"]),  # type: ignore[arg-type]
        walked=walked,
        edit_target=edit_target,
        precommit_inngest=precommit_inngest,
        precommit_other=others[len(others) // 2][0],  # a median-sized ordinary module
        notes=notes,
    )


def strip_edit(path: Path) -> bytes:
    """The file without a benchmark edit left behind by an interrupted earlier run."""
    data = path.read_bytes()
    cut = data.find(("\n" + EDIT_MARKER).encode())
    if cut != -1:
        data = data[: cut + 1]
        path.write_bytes(data)
    return data


@contextlib.contextmanager
def edited(path: Path, repetition: int) -> Iterator[None]:
    """Append a comment no earlier run has seen to `path`; put the file back afterwards."""
    original = path.read_bytes()
    stamp = f"{EDIT_MARKER} (repetition {repetition}, {time.time_ns()})"
    try:
        path.write_bytes(original + f"\n{stamp}\n".encode())
        yield
    finally:
        path.write_bytes(original)


# --------------------------------------------------------------------------------------------
# The scenarios.
# --------------------------------------------------------------------------------------------

SCENARIOS = (
    ("cold", "cold: whole repo, empty cache"),
    ("warm", "warm: whole repo, nothing changed"),
    ("warm_since", "warm, --since HEAD, nothing changed"),
    ("precommit_inngest", "pre-commit: 1 changed Inngest file"),
    ("precommit_other", "pre-commit: 1 changed other file"),
    ("edit", "1 Inngest file edited, whole repo"),
    ("floor", "libcst parse floor"),
    ("ruff_cold", "ruff E,F cold (--no-cache)"),
    ("ruff_warm", "ruff E,F warm"),
)
LINTER_SCENARIOS = ("cold", "warm", "warm_since", "precommit_inngest", "precommit_other", "edit")


@dataclass
class Bench:
    root: Path
    scratch: Path
    linter: list[str]
    cached: bool
    ruff: list[str] | None
    info: Survey
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    # The environment of `--since HEAD` runs (see prepare_since); None skips that row.
    since_environment: dict[str, str] | None = None

    @property
    def cache_dir(self) -> Path:
        return self.scratch / "linter-cache"

    def linter_argv(self, *paths: str) -> list[str]:
        cache = ["--cache-dir", str(self.cache_dir)] if self.cached else []
        return [*self.linter, *cache, *paths]

    def ruff_argv(self, cold: bool) -> list[str]:
        assert self.ruff is not None
        cache = ["--no-cache"] if cold else ["--cache-dir", str(self.scratch / "ruff-cache")]
        return [*self.ruff, "check", "--select", "E,F", "--isolated", *cache, "."]

    def record(self, name: str, sample: Sample, linter: bool = True) -> None:
        self.samples.setdefault(name, []).append(sample)
        allowed = LINTER_EXIT_OK if linter else (0, 1)
        if sample.exit_code not in allowed:
            tail = (sample.stderr.strip() or sample.stdout.strip())[-400:]
            self.failures.append(f"{name}: exit {sample.exit_code}: {tail}")

    def repetition(self, index: int) -> None:
        relative = lambda path: str(path.relative_to(self.root))  # noqa: E731
        if self.cached:
            shutil.rmtree(self.cache_dir, ignore_errors=True)
        self.record("cold", measure(self.linter_argv("."), self.root))
        if self.cached:
            self.record("warm", measure(self.linter_argv("."), self.root))
        if self.since_environment is not None:
            # Right after the warm run, on the same warm cache: what --since adds to it.
            self.record(
                "warm_since",
                measure(self.linter_argv("--since", "HEAD", "."), self.root, env=self.since_environment),
            )
        # A pre-commit hook is handed the files a commit changes: each named file is edited first
        # (new content, so its cached result cannot be used), with the rest of the cache warm.
        with edited(self.info.precommit_inngest, index):
            self.record(
                "precommit_inngest", measure(self.linter_argv(relative(self.info.precommit_inngest)), self.root)
            )
        with edited(self.info.precommit_other, index):
            self.record("precommit_other", measure(self.linter_argv(relative(self.info.precommit_other)), self.root))
        with edited(self.info.edit_target, index):
            self.record("edit", measure(self.linter_argv("."), self.root))
        floor = measure([sys.executable, str(PROBES), "parse-floor", str(self.scratch / "parsed.txt")], self.root)
        self.record("floor", floor, linter=False)
        if self.ruff is not None:
            self.record("ruff_cold", measure(self.ruff_argv(cold=True), self.root), linter=False)
            self.record("ruff_warm", measure(self.ruff_argv(cold=False), self.root), linter=False)


def median(samples: list[Sample], attribute: str) -> float | None:
    values = [getattr(sample, attribute) for sample in samples if getattr(sample, attribute) is not None]
    return statistics.median(values) if values else None


def summarize(bench: Bench, repeat: int, notes: list[str]) -> dict[str, object]:
    scenarios: dict[str, dict[str, object]] = {}
    for name, label in SCENARIOS:
        samples = bench.samples.get(name)
        if name == "warm" and not samples and not bench.cached:
            samples = bench.samples.get("cold")
            label = "warm: = cold (cache not supported)"
        if not samples:
            continue
        scenarios[name] = {
            "label": label,
            "median_s": round(median(samples, "wall") or 0.0, 4),
            "min_s": round(min(s.wall for s in samples), 4),
            "max_s": round(max(s.wall for s in samples), 4),
            "cpu_s": round(median(samples, "cpu") or 0.0, 4),
            "peak_mb": None if median(samples, "peak_mb") is None else round(max(s.peak_mb or 0 for s in samples), 1),
            "exit_codes": sorted({s.exit_code for s in samples}),
            "runs_s": [round(s.wall, 4) for s in samples],
        }
    get = lambda name: scenarios.get(name, {}).get("median_s")  # noqa: E731
    floor, ruff_cold, ruff_warm = get("floor"), get("ruff_cold"), get("ruff_warm")
    ratios: dict[str, float] = {}
    for name in LINTER_SCENARIOS:
        value = get(name)
        if value is None:
            continue
        if floor:
            ratios[f"{name}/floor"] = round(value / floor, 2)
    if ruff_cold and get("cold"):
        ratios["cold/ruff_cold"] = round(get("cold") / ruff_cold, 1)  # type: ignore[operator]
    if ruff_warm and get("warm"):
        ratios["warm/ruff_warm"] = round(get("warm") / ruff_warm, 1)  # type: ignore[operator]
    peaks = [s.peak_mb for name in LINTER_SCENARIOS for s in bench.samples.get(name, []) if s.peak_mb is not None]
    peak = max(peaks) if peaks else None
    targets = [
        target(
            "cold <= 1.5x parse floor",
            get("cold"),
            None if floor is None else TARGET_COLD_OVER_FLOOR * floor,
            "s",
            f"{TARGET_COLD_OVER_FLOOR} x floor {floor:.2f} s" if floor else "no floor",
        ),
        target("warm <= ruff warm", get("warm"), ruff_warm, "s", "ruff warm" if ruff_warm else "ruff not available"),
        target(
            "pre-commit, 1 changed Inngest file < 0.5 s",
            get("precommit_inngest"),
            TARGET_PRECOMMIT_INNGEST_S,
            "s",
            "",
            strict=True,
        ),
        target(
            "pre-commit, 1 changed other file < 0.15 s",
            get("precommit_other"),
            TARGET_PRECOMMIT_OTHER_S,
            "s",
            "",
            strict=True,
        ),
        target("peak memory < 300 MB", peak, TARGET_PEAK_MB, "MB", "largest linter process", strict=True),
        target(
            "warm --since HEAD <= 1.1x warm",
            get("warm_since"),
            None if get("warm") is None else TARGET_SINCE_OVER_WARM * get("warm"),  # type: ignore[operator]
            "s",
            "1.1 x warm" if get("warm") else "no warm run",
        ),
    ]
    info = bench.info
    return {
        "tree": {
            "root": str(bench.root),
            "python_files": info.files,
            "walked_by_linter": info.walked,
            "total_mb": round(info.total_bytes / 1e6, 1),
            "files_with_inngest": len(info.marker_files),
            "files_parsed_by_linter": len(info.parsed),
            "files_parsed_method": info.parsed_method,
            "files_parsed_estimate": info.estimate_files,
            "floor_mb": round(sum(p.stat().st_size for p in info.parsed) / 1e6, 2),
            "edited_file": str(info.edit_target.relative_to(bench.root)),
            "precommit_inngest_file": str(info.precommit_inngest.relative_to(bench.root)),
            "precommit_other_file": str(info.precommit_other.relative_to(bench.root)),
        },
        "linter": {
            "command": bench.linter,
            "version": tool_version(bench.linter),
            "cache": "supported" if bench.cached else "not supported",
        },
        "ruff": None
        if bench.ruff is None
        else {"command": bench.ruff, "version": tool_version(bench.ruff), "files_seen": ruff_files_seen(bench)},
        "repeat": repeat,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "scenarios": scenarios,
        "ratios": ratios,
        "targets": targets,
        "failures": bench.failures,
        "notes": [*notes, *info.notes],
    }


def target(
    name: str, value: float | None, limit: float | None, unit: str, against: str, strict: bool = False
) -> dict[str, object]:
    if value is None or limit is None:
        verdict = "SKIP"
    else:
        verdict = "PASS" if (value < limit if strict else value <= limit) else "FAIL"
    return {
        "name": name,
        "verdict": verdict,
        "value": value,
        "limit": None if limit is None else round(limit, 4),
        "unit": unit,
        "against": against,
    }


def ruff_files_seen(bench: Bench) -> int | None:
    """How many files ruff checks here: a guard against its default excludes hiding files."""
    assert bench.ruff is not None
    completed = subprocess.run(
        [*bench.ruff, "check", "--isolated", "--show-files", "."], cwd=bench.root, capture_output=True, text=True
    )
    if completed.returncode not in (0, 1):
        return None
    return sum(1 for line in completed.stdout.splitlines() if line.strip().endswith((".py", ".pyi")))


# --------------------------------------------------------------------------------------------
# Output.
# --------------------------------------------------------------------------------------------


def render_table(report: dict[str, object]) -> str:
    tree = report["tree"]  # type: ignore[assignment]
    scenarios: dict[str, dict[str, object]] = report["scenarios"]  # type: ignore[assignment]
    linter = report["linter"]  # type: ignore[assignment]
    ruff = report["ruff"]  # type: ignore[assignment]
    floor = scenarios.get("floor", {}).get("median_s")
    ruff_warm = scenarios.get("ruff_warm", {}).get("median_s")
    lines = [
        f"inngest-lint benchmark: {tree['python_files']:,} Python files, {tree['total_mb']} MB "  # type: ignore[index]
        f"({tree['root']})",  # type: ignore[index]
        f"  {tree['files_with_inngest']} files contain 'inngest'; the linter parsed "  # type: ignore[index]
        f"{tree['files_parsed_by_linter']} files, {tree['floor_mb']} MB "  # type: ignore[index]
        f"(method: {tree['files_parsed_method']}; pre-filter + import-closure estimate: "  # type: ignore[index]
        f"{tree['files_parsed_estimate']})",  # type: ignore[index]
        f"  linter: {' '.join(linter['command'])} ({linter['version']}), cache: {linter['cache']}",  # type: ignore[index]
        f"  ruff: {'not available' if ruff is None else ruff['version'] + ', sees ' + str(ruff['files_seen']) + ' files'}"  # type: ignore[index]
        f"; python {report['python']}; {report['cpus']} CPUs; repeat {report['repeat']}; medians",
        "",
        f"{'scenario':<44}{'median s':>10}{'min s':>9}{'max s':>9}{'cpu s':>9}{'peak MB':>9}"
        f"{'x floor':>9}{'x ruff warm':>13}{'exit':>6}",
    ]
    for _name, values in scenarios.items():
        median_s = float(values["median_s"])  # type: ignore[arg-type]
        ratio_floor = f"{median_s / floor:.2f}" if floor else "-"
        ratio_ruff = f"{median_s / ruff_warm:.1f}" if ruff_warm else "-"
        peak = values["peak_mb"]
        lines.append(
            f"{str(values['label']):<44}{median_s:>10.3f}{float(values['min_s']):>9.3f}"  # type: ignore[arg-type]
            f"{float(values['max_s']):>9.3f}{float(values['cpu_s']):>9.3f}"  # type: ignore[arg-type]
            f"{'-' if peak is None else format(peak, '.0f'):>9}{ratio_floor:>9}{ratio_ruff:>13}"
            f"{','.join(str(code) for code in values['exit_codes']):>6}"  # type: ignore[union-attr]
        )
    lines.append("")
    lines.append("targets:")
    for item in report["targets"]:  # type: ignore[union-attr]
        value = item["value"]
        shown = (
            "n/a"
            if value is None
            else f"{value:.3f} {item['unit']}"
            if item["unit"] == "s"
            else f"{value:.0f} {item['unit']}"
        )
        limit = item["limit"]
        bound = (
            ""
            if limit is None
            else f" (limit {limit:.3f} {item['unit']}" + (f": {item['against']})" if item["against"] else ")")
        )
        if limit is None and item["against"]:
            bound = f" ({item['against']})"
        lines.append(f"  {item['verdict']:<5} {item['name']:<44} {shown}{bound}")
    if report["failures"]:
        lines.append("")
        lines.append("failures (a crash is exit 2; the linter must exit 0 or 1):")
        lines.extend(f"  {failure}" for failure in report["failures"])  # type: ignore[union-attr]
    notes = list(report["notes"])  # type: ignore[call-overload]
    notes.append(
        f"edited: {tree['edited_file']}; pre-commit files: {tree['precommit_inngest_file']}, "  # type: ignore[index]
        f"{tree['precommit_other_file']}"
    )  # type: ignore[index]
    lines.append("")
    lines.append("notes:")
    lines.extend(f"  - {note}" for note in notes)
    return "\n".join(lines)


def profile_report(bench: Bench) -> dict[str, object]:
    """Where the time goes: import times of a real run and a cProfile of lint_paths."""
    relative = str(bench.info.precommit_other.relative_to(bench.root))
    sample = measure([sys.executable, "-X", "importtime", "-m", "inngest_lint", "-q", relative], bench.root)
    imports: list[tuple[int, int, str]] = []
    for line in sample.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line[len("import time:") :].split("|", 2)
        if len(parts) != 3:
            continue
        try:
            imports.append((int(parts[1]), int(parts[0]), parts[2][1:]))
        except ValueError:
            continue
    top_level = sorted((item for item in imports if not item[2].startswith(" ")), reverse=True)[:12]
    profile = run_probe("profile", "15", bench.root)
    return {
        "importtime_top_level": [
            {"module": name.strip(), "cumulative_ms": round(cum / 1000, 1), "self_ms": round(own / 1000, 1)}
            for cum, own, name in top_level
        ],
        "importtime_total_ms": round(sum(own for _, own, _ in imports) / 1000, 1),
        "lint_paths_seconds": profile["seconds"],
        "top_cumulative": profile["top_cumulative"],
        "top_own": profile["top_own"],
    }


def render_profile(data: dict[str, object]) -> str:
    lines = [
        "",
        f"where the time goes: imports (python -X importtime, a 1-file run), total "
        f"{data['importtime_total_ms']} ms; top-level modules by cumulative time:",
    ]
    for row in data["importtime_top_level"]:  # type: ignore[union-attr]
        lines.append(f"  {row['cumulative_ms']:>8.1f} ms  {row['module']}")
    lines.append("")
    lines.append(
        f"cProfile of lint_paths(['.']) in-process: {data['lint_paths_seconds']} s; top 15 by cumulative time:"
    )
    lines.append(f"  {'cumulative s':>12} {'own s':>8} {'calls':>9}  function")
    for row in data["top_cumulative"]:  # type: ignore[union-attr]
        lines.append(
            f"  {row['cumulative_seconds']:>12.3f} {row['own_seconds']:>8.3f} {row['calls']:>9}  {row['function']}"
        )
    lines.append("")
    lines.append("top 15 by own time (where the interpreter actually spends it):")
    for row in data["top_own"]:  # type: ignore[union-attr]
        lines.append(
            f"  {row['cumulative_seconds']:>12.3f} {row['own_seconds']:>8.3f} {row['calls']:>9}  {row['function']}"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Entry point.
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark inngest-lint on a large synthetic repository.")
    parser.add_argument("--files", type=int, default=10_000, help="Files in the generated tree (default 10000).")
    parser.add_argument("--inngest-ratio", type=float, default=0.02, help="Share of files mentioning inngest (0.02).")
    parser.add_argument("--seed", type=int, default=0, help="Generator seed (default 0).")
    parser.add_argument("--repeat", type=int, default=3, help="Repetitions; medians are reported (default 3).")
    parser.add_argument("--keep", action="store_true", help="Keep the generated tree for later runs (reused by key).")
    parser.add_argument(
        "--repo",
        help="Measure this existing tree instead of a generated one (one file is edited and restored during the run).",
    )
    parser.add_argument("--work-dir", help="Where generated trees live (default: <tmp>/inngest-lint-bench).")
    parser.add_argument(
        "--linter",
        help="The linter command (default: inngest-lint beside this python, on PATH, or python -m inngest_lint).",
    )
    parser.add_argument("--no-ruff", action="store_true", help="Skip the ruff reference runs.")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Also report import times and a cProfile of lint_paths (top 15 cumulative).",
    )
    parser.add_argument("--json", action="store_true", help="Print one JSON object instead of the table.")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    notes: list[str] = []
    linter = find_linter(args.linter)
    root, delete_after = prepare_tree(args, notes)
    scratch = Path(tempfile.mkdtemp(prefix="inngest-lint-bench-run-"))
    try:
        cached = cache_support(linter)
        ruff = None if args.no_ruff else find_ruff()
        if ruff is None and not args.no_ruff:
            notes.append("ruff not found (pip install ruff): ruff rows and the warm target are skipped")
        info = survey(root, scratch)
        for path in {info.edit_target, info.precommit_inngest, info.precommit_other}:
            strip_edit(path)
        bench = Bench(root, scratch, linter, cached, ruff, info)
        if cached and since_support(linter):
            bench.since_environment = prepare_since(root, scratch, notes)
        # Untimed warm-up: byte-compile the linter's modules, fill the page cache, fill ruff's cache.
        measure([*linter, "--version"], root)
        if ruff is not None:
            measure(bench.ruff_argv(cold=False), root)
        if "PYTHONDONTWRITEBYTECODE" in os.environ:
            notes.append("PYTHONDONTWRITEBYTECODE is set here; it was dropped for the measured runs")
        if not cached:
            notes.append(
                "cache: not supported (no --cache-dir/--no-cache in --help): warm is reported = cold, "
                "and the pre-commit and edit runs work without a cache"
            )
        notes.append("peak MB is the max RSS of the largest single process of a run (os.wait4)")
        notes.append(
            "the parse floor is one process: python start-up + import libcst + libcst.parse_module "
            "on every file the linter parsed"
        )
        for index in range(args.repeat):
            print(f"bench: repetition {index + 1}/{args.repeat}...", file=sys.stderr, flush=True)
            bench.repetition(index)
        report = summarize(bench, args.repeat, notes)
        ruff_info = report["ruff"]
        if ruff_info and ruff_info["files_seen"] not in (None, info.walked):  # type: ignore[index]
            report["notes"].append(  # type: ignore[union-attr]
                f"WARNING: ruff sees {ruff_info['files_seen']} files but the linter walks {info.walked}: "  # type: ignore[index]
                "its default excludes (e.g. site-packages) differ; the ruff rows are not like for like"
            )
        if args.profile:
            report["profile"] = profile_report(bench)
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            print(render_table(report))
            if args.profile:
                print(render_profile(report["profile"]))  # type: ignore[arg-type]
        return 1 if bench.failures else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if delete_after is not None:
            shutil.rmtree(delete_after, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
