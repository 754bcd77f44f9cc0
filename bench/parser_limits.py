"""Measure where libcst's native parser crashes or stalls, per construct, each try in a child process.

    python bench/parser_limits.py                       # every construct, main thread (ulimit -s)
    python bench/parser_limits.py --stack thread and    # on the linter's parse thread
    python bench/parser_limits.py --json

For each construct (a chain split over short lines inside one pair of brackets, an `elif` chain,
nested brackets...) the size doubles from `--start` until the parse crashes (a signal), fails
(libcst refuses valid code), or takes longer than `--timeout`; then the first bad size is
bisected to within 5%. Each row also says whether this CPython compiles the construct at that
size (it refuses deep chains itself: on 3.11, `a + a + ...` at 3,000 terms), and how long libcst
takes at `MAX_IN_PROCESS_NESTING`, the screen's limit in inngest_lint/engine/parse.py.

Each child's address space is capped as the linter caps its parsing child's (4 GB): past it,
the outcome is a MemoryError or a crash, not a machine out of memory.
`--stack main` parses on the child's main thread (whose stack is `ulimit -s`, 8 MB by default);
`--stack thread` on a thread with the linter's `PARSE_STACK_BYTES`, as the linter parses.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from inngest_lint.engine.isolate import CHILD_ADDRESS_SPACE_BYTES  # noqa: E402
from inngest_lint.engine.parse import MAX_IN_PROCESS_NESTING, PARSE_STACK_BYTES  # noqa: E402

CONSTRUCTS: dict[str, str] = {
    "and": '"x = (a\\n" + " and a\\n" * (n - 1) + ")\\n"',
    "plus": '"x = (a\\n" + " + a\\n" * (n - 1) + ")\\n"',
    "attr": '"x = (a\\n" + " .b\\n" * (n - 1) + ")\\n"',
    "subscript": '"x = (a\\n" + " [0]\\n" * (n - 1) + ")\\n"',
    "call-chain": '"x = (a\\n" + " ()\\n" * (n - 1) + ")\\n"',
    "power": '"x = (a\\n" + " ** a\\n" * (n - 1) + ")\\n"',
    "ternary": '"x = (\\n" + " a if b else\\n" * n + " c)\\n"',
    "not": '"x = (" + "not " * n + "a)\\n"',
    "lambda": '"x = " + "lambda: " * n + "1\\n"',
    "strings": '"x = (\\n" + " \'a\'\\n" * n + ")\\n"',
    "backslash-plus": '"x = a" + " \\\\\\n + a" * (n - 1) + "\\n"',
    "elif": '"if a:\\n    pass\\n" + "elif a:\\n    pass\\n" * (n - 1)',
    "parens": '"x = " + "(" * n + "1" + ")" * n + "\\n"',
    "nested-calls": '"x = " + "f(" * n + "1" + ")" * n + "\\n"',
    "nested-lists": '"x = " + "[" * n + "]" * n + "\\n"',
}

CHILD = """
import sys, threading, time
try:  # fail alone rather than starve the machine: 15,000 nested brackets took 24 GB
    import resource
    resource.setrlimit(resource.RLIMIT_AS, ({memory_bytes}, {memory_bytes}))
except (ImportError, ValueError, OSError):
    pass
n, stack = int(sys.argv[1]), sys.argv[2]
source = {expression}
compiles = True
try:
    compile(source, "x.py", "exec", dont_inherit=True)
except (SyntaxError, RecursionError, MemoryError):
    compiles = False
import libcst
outcome = {{}}
def parse():
    started = time.perf_counter()
    try:
        libcst.parse_module(source)
        outcome["ok"] = time.perf_counter() - started
    except Exception as error:
        outcome["error"] = type(error).__name__
if stack == "thread":
    threading.stack_size({stack_bytes})
    worker = threading.Thread(target=parse)
    worker.start()
    worker.join()
else:
    parse()
print(compiles, outcome.get("ok", -1.0), outcome.get("error", ""))
"""


def attempt(construct: str, size: int, stack: str, timeout: float) -> tuple[str, float, bool | None]:
    """('ok' | 'crash:SIGNAL' | 'error:Type' | 'timeout', seconds, compiles)."""
    code = CHILD.format(
        expression=CONSTRUCTS[construct], stack_bytes=PARSE_STACK_BYTES, memory_bytes=CHILD_ADDRESS_SPACE_BYTES
    )
    try:
        completed = subprocess.run(
            [sys.executable, "-c", code, str(size), stack], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout", timeout, None
    if completed.returncode < 0:
        return f"crash:{-completed.returncode}", 0.0, None
    try:
        compiles, seconds, error = completed.stdout.split(" ", 2)
    except ValueError:
        return f"crash:exit {completed.returncode}", 0.0, None
    error = error.strip()
    return ("error:" + error if error else "ok"), float(seconds), compiles == "True"


def first_bad(construct: str, stack: str, start: int, limit: int, timeout: float) -> dict[str, object]:
    good, bad, bad_outcome = 0, 0, ""
    size = start
    while size <= limit:
        outcome, _, _ = attempt(construct, size, stack, timeout)
        if outcome != "ok":
            bad, bad_outcome = size, outcome
            break
        good = size
        size *= 2
    if not bad:
        return {"construct": construct, "first_bad": None, "largest_ok": good, "outcome": "ok up to the limit"}
    while bad - good > max(1, bad // 20):
        middle = (good + bad) // 2
        outcome, _, _ = attempt(construct, middle, stack, timeout)
        if outcome == "ok":
            good = middle
        else:
            bad, bad_outcome = middle, outcome
    return {"construct": construct, "first_bad": bad, "largest_ok": good, "outcome": bad_outcome}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("constructs", nargs="*", help=f"default: all of {', '.join(CONSTRUCTS)}")
    parser.add_argument("--stack", choices=("main", "thread"), default="main")
    parser.add_argument("--start", type=int, default=500)
    parser.add_argument("--max-size", type=int, default=64000)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one parse may take")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    unknown = [name for name in options.constructs if name not in CONSTRUCTS]
    if unknown:
        parser.error(f"unknown construct(s): {', '.join(unknown)}")
    rows = []
    for construct in options.constructs or list(CONSTRUCTS):
        row = first_bad(construct, options.stack, options.start, options.max_size, options.timeout)
        outcome, seconds, compiles = attempt(construct, MAX_IN_PROCESS_NESTING, options.stack, options.timeout)
        row["at_screen_limit"] = {
            "size": MAX_IN_PROCESS_NESTING,
            "outcome": outcome,
            "seconds": round(seconds, 3),
            "cpython_compiles": compiles,
        }
        rows.append(row)
        if not options.json:
            print(
                f"{construct:15} first bad {row['first_bad']!s:>7} ({row['outcome']}), largest ok "
                f"{row['largest_ok']:>7}; at {MAX_IN_PROCESS_NESTING}: {outcome} {seconds:.2f} s, "
                f"CPython compiles: {compiles}",
                flush=True,
            )
    if options.json:
        from importlib.metadata import version

        print(
            json.dumps(
                {"libcst": version("libcst"), "python": sys.version.split()[0], "stack": options.stack, "rows": rows},
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    sys.exit(status)
