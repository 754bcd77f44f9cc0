"""Generated Python modules that grow with `n`, one family per shape a real file can take.

Used by tests/test_scaling.py (and handy for profiling by hand: `python -m cProfile`) to check
that the time a file pass takes grows linearly with the file, whatever grows: module-level
assignments, steps in one loop, functions, helpers, classes, nesting repeated along the file.
Each generator returns source that CPython compiles, so the linter walks it fully.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

HEADER = """\
import asyncio
import datetime
import random

import inngest
import requests

client = inngest.Inngest(app_id="app")
"""

FIXTURES = Path(__file__).parent / "fixtures"


def one_handler(body: str) -> str:
    """A module with one async Inngest function whose body is `body` (indented lines)."""
    return (
        HEADER
        + f"""
@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/e"))
async def handler(ctx: inngest.Context) -> None:
{body}"""
    )


def module_assignments(n: int) -> str:
    """Module constants, each read by the next (every read resolves a module-level name), and
    clients."""
    lines = [HEADER, "name_0 = 'app/start'\n"]
    lines += [f"name_{i} = name_{i - 1}\n" for i in range(1, n)]
    lines += [f"label_{i} = 'app/e{i}'\n" for i in range(n)]
    lines += [f"client_{i} = inngest.Inngest(app_id=label_{i})\n" for i in range(0, n, 4)]
    return "".join(lines)


def steps_in_one_loop(n: int) -> str:
    """One loop holding n step calls whose IDs do not change with the loop (INN101 each)."""
    body = "".join(f'        await ctx.step.run("s{i}", work, item)\n' for i in range(n))
    return (
        HEADER
        + f"""
@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/e"))
async def handler(ctx: inngest.Context) -> None:
    for item in ctx.event.data["items"]:
{body}        if item:
            break
"""
    )


def steps_in_one_function(n: int) -> str:
    """One handler with n locals, each a step result fed to the next step (and one reused ID)."""
    body = "".join(
        f'    value_{i} = await ctx.step.run("s{i % (n // 2 + 1)}", work, value_{i - 1})\n' for i in range(1, n)
    )
    return (
        HEADER
        + f"""
@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/e"))
async def handler(ctx: inngest.Context) -> None:
    step = ctx.step
    value_0 = random.random()
{body}    await step.sleep("nap", datetime.timedelta(days=400))
    return value_{n - 1}
"""
    )


def many_locals(n: int) -> str:
    """One handler binding n locals, each from a call that could be a step call (`x.run()`), so
    every line asks which names are step objects in a scope of n names."""
    body = "".join(f"    v{i} = v{i - 1}.run()\n" for i in range(1, n))
    return (
        HEADER
        + f"""
@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/e"))
async def handler(ctx: inngest.Context, v0) -> None:
{body}"""
    )


def unawaited_steps(n: int) -> str:
    """One handler of n step calls assigned without `await` (INN103 reads each name's uses)."""
    body = "".join(f"    r{i} = ctx.step.run('s{i}', work)\n    use(r{max(i - 1, 0)})\n" for i in range(n))
    return one_handler(body)


def many_functions(n: int) -> str:
    """n Inngest functions with options, waits, sends and invokes, served from one list."""
    parts = [HEADER]
    for i in range(n):
        parts.append(f"""
@client.create_function(
    fn_id="f{i}",
    trigger=inngest.TriggerEvent(event="app/e{i}"),
    cancel=[inngest.Cancel(event="app/cancel", if_exp="event.data.id == async.data.id")],
    retries=3,
)
async def handler_{i}(ctx: inngest.Context) -> dict:
    found = await ctx.step.wait_for_event(
        "wait", event="app/e{i + 1}", if_exp="async.data.id == event.data.id", timeout=datetime.timedelta(hours=1)
    )
    for item in ctx.event.data["items"]:
        await ctx.step.run(f"b-{{item}}", work, item)
    await ctx.step.send_event("send", [inngest.Event(name="app/e{i + 2}", data={{"id": 1}})])
    await ctx.step.invoke("call", function=handler_{max(i - 1, 0)}, data={{"id": 1}})
    return {{"found": found is None}}
""")
    parts.append("functions = [" + ", ".join(f"handler_{i}" for i in range(n)) + "]\n")
    parts.append("functions.append(handler_0)\n")
    parts.append("inngest.fast_api.serve(app, client, functions)\n")
    return "".join(parts)


def many_helpers(n: int) -> str:
    """Module-level defs calling each other, with side effects and swallowed errors."""
    parts = [HEADER]
    for i in range(n):
        parts.append(f"""
def helper_{i}(a, b):
    c = a + b
    try:
        requests.get("https://example.com/{i}")
    except Exception:
        pass
    return helper_{max(i - 1, 0)}(c, b)
""")
    parts.append("""
@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/e"))
async def handler(ctx: inngest.Context) -> None:
""")
    parts += [f'    helper_{i}(1, 2)\n    await ctx.step.run("h{i}", helper_{i}, 1, 2)\n' for i in range(n)]
    return "".join(parts)


def many_classes(n: int) -> str:
    """Classes with constant attributes and methods that take a context."""
    parts = [HEADER]
    for i in range(n):
        parts.append(f"""
class Events{i}:
    NAME = "app/e{i}"
    OTHER = "app/o{i}"

    async def run(self, ctx: inngest.Context) -> None:
        await ctx.step.run("m{i}", self.work)

    def work(self) -> int:
        return {i}
""")
    return "".join(parts)


def nested_blocks(n: int) -> str:
    """n functions, each nested 20 blocks deep (loops, withs, tries, ifs, closures) around a
    step call."""
    parts = [HEADER]
    for i in range(n):
        lines = [
            "",
            f'@client.create_function(fn_id="n{i}", trigger=inngest.TriggerEvent(event="app/n{i}"))',
            f"async def nested_{i}(ctx: inngest.Context) -> None:",
        ]
        indent = "    "
        for depth in range(20):
            kind = depth % 5
            if kind == 4:
                lines.append(f"{indent}async def inner{depth}(item=x{depth - 4}):")
            elif kind == 0:
                lines.append(f"{indent}for x{depth} in ctx.event.data['items']:")
            elif kind == 1:
                lines.append(f"{indent}with open('f') as h{depth}:")
            elif kind == 2:
                lines.append(f"{indent}try:")
                lines.append(f"{indent}    pass")
                lines.append(f"{indent}except Exception:")
            else:
                lines.append(f"{indent}if x{depth - 3}:")
            indent += "    "
        lines.append(f"{indent}await ctx.step.run('deep', lambda: [y for y in x15 if y])")
        parts.append("\n".join(lines) + "\n")
    return "".join(parts)


def elif_chain(n: int) -> str:
    """One `if`/`elif` chain of n branches in a handler, each making a step call."""
    branches = "".join(
        f'    {"if" if i == 0 else "elif"} ctx.event.data["k"] == {i}:\n        await ctx.step.run("b{i}", work)\n'
        for i in range(n)
    )
    return one_handler(branches)


def wide_statement(n: int) -> str:
    """Single statements with n elements: a dict of event names, a send of n events, a call of n args."""
    entries = "".join(f'    "k{i}": "app/e{i}",\n' for i in range(n))
    events = "".join(f'            inngest.Event(name="app/E{i}", data={{"id": {i}}}),\n' for i in range(n))
    arguments = "".join(f"    a{i}=ctx.event.data['v{i}'],\n" for i in range(n))
    return (
        HEADER
        + f"""
EVENTS = {{
{entries}}}


@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/e"))
async def handler(ctx: inngest.Context) -> None:
    await ctx.step.send_event(
        "send",
        [
{events}        ],
    )
    build(
{arguments}    )
"""
    )


def many_lambdas_and_comprehensions(n: int) -> str:
    """A handler full of lambdas and comprehensions given to steps and mutated outer state."""
    body = "".join(
        f'    totals.append(await ctx.step.run("l{i}", lambda: [v * {i} for v in totals if v]))\n'
        f'    seen_{i} = {{k: v for k, v in ctx.event.data.items() if k != "{i}"}}\n'
        for i in range(n)
    )
    return (
        HEADER
        + f"""
@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/e"))
async def handler(ctx: inngest.Context) -> None:
    totals = []
{body}"""
    )


def guard_clauses(n: int) -> str:
    """A handler of n early-return branches that share a step ID, then steps after them."""
    body = "".join(
        f'    if ctx.event.data["k"] == {i}:\n        await ctx.step.run("same", work)\n        return\n'
        f'    await ctx.step.run("after-{i % 7}", work)\n'
        for i in range(n)
    )
    return one_handler(body)


def exclusive_branches(n: int) -> str:
    """n mutually exclusive branches sharing one step ID: the `except` clauses of one `try`."""
    handlers = "".join(f'    except Error{i}:\n        await ctx.step.run("handle", work)\n' for i in range(n))
    return (
        HEADER
        + f"""
@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/e"))
async def handler(ctx: inngest.Context) -> None:
    try:
        await ctx.step.run("handle", work)
{handlers}    value = await (ctx.step.run("pick", a) if ctx.event.data["k"] else ctx.step.run("pick", b))
"""
    )


def many_waits(n: int) -> str:
    """One handler of n waits, each checked for None before the next (INN106 follows each
    wait's name through the rest of the block), and n unused ones."""
    body = "".join(
        f"    w{i} = await ctx.step.wait_for_event('w{i}', event='app/x{i}', timeout=datetime.timedelta(hours=1))\n"
        f"    if w{i} is None:\n        return\n"
        f"    unused{i} = await ctx.step.wait_for_event('u{i}', event='app/u{i}', timeout=datetime.timedelta(hours=1))\n"
        for i in range(n)
    )
    return one_handler(body)


def noqa_comments(n: int) -> str:
    """Many suppression comments and reports they apply to."""
    body = "".join('        await ctx.step.run("same", work)  # noqa: INN101\n' for _ in range(n))
    return (
        HEADER
        + f"""
@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/e"))
async def handler(ctx: inngest.Context) -> None:
    while True:
{body}"""
    )


@functools.lru_cache(maxsize=None)
def _fixture_sources() -> tuple[str, ...]:
    """The fixtures that compile, each without `from __future__` (only legal at the top)."""
    pieces: list[str] = []
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        text = "\n".join(line for line in text.splitlines() if not line.startswith("from __future__"))
        try:
            compile(text, str(path), "exec")
        except SyntaxError:
            continue
        pieces.append(text + "\n")
    return tuple(pieces)


def fixtures_repeated(n: int, stride: int = 16) -> str:
    """Every `stride`-th fixture under tests/fixtures that compiles (all of them with stride 1),
    concatenated, repeated n times: real code for every rule, in the proportions it comes in."""
    return "".join(_fixture_sources()[::stride]) * n


SHAPES: dict[str, Callable[[int], str]] = {
    "module_assignments": module_assignments,
    "steps_in_one_loop": steps_in_one_loop,
    "steps_in_one_function": steps_in_one_function,
    "many_locals": many_locals,
    "unawaited_steps": unawaited_steps,
    "many_functions": many_functions,
    "many_helpers": many_helpers,
    "many_classes": many_classes,
    "nested_blocks": nested_blocks,
    "elif_chain": elif_chain,
    "wide_statement": wide_statement,
    "many_lambdas_and_comprehensions": many_lambdas_and_comprehensions,
    "guard_clauses": guard_clauses,
    "exclusive_branches": exclusive_branches,
    "many_waits": many_waits,
    "noqa_comments": noqa_comments,
    "fixtures_repeated": fixtures_repeated,
}
