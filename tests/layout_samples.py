"""Sources that exercise the corners of code layout: used by the traversal and position tests.

Each is a complete module. Together they cover every compound statement and clause, `elif`
chains, clauses on one line and in blocks, comments between decorators and at the ends of
blocks, continuation lines (brackets and backslashes), tabs, CRLF and lone-CR line breaks, a
missing final line break, non-ASCII text, and syntax this interpreter's `ast` may not know.
"""

from __future__ import annotations

from pathlib import Path

from conftest import compiling_fixtures

ROOT = Path(__file__).resolve().parent.parent

SAMPLES: dict[str, str] = {
    "statements": '''\
"""Docstring."""
# a header comment

import os, sys
from typing import (
    Any,  # trailing comment
    Optional,
)
x = 1; y = 2; z: int = 3
x += 1
del y
assert x, "message"
global_name = [i for i in range(3) if i]  # comment


@decorator
# between decorators
@other.decorator(arg=1)

def function(a, /, b: int = 2, *args, c, **kwargs) -> Optional[int]:
    """Function docstring."""
    if a:
        return 1
    elif b:
        return 2
    elif c: return 3
    else:
        # leading comment
        return 4
    # footer comment of the body


async def coroutine(step):
    async with step.lock() as held, other() as second:
        pass
    async for item in step.items():
        await step.run("id", lambda: item)
    else:
        pass
    result = await step.run(
        "multi-line",
        handler,
            odd_indent,
    )
    value = first \\
        + second
    return (yield result)


class Thing(Base, metaclass=Meta):
    attribute: int = 0

    class Inner:
        pass

    def method(self):
        for i in range(3): print(i)
        else: print("done")
        while True:
            break
        else:
            pass
        while False: pass
        else: pass


try:
    risky()
except (ValueError, TypeError) as error:
    handle(error)
except Exception: raise
else:
    fine()
finally:
    cleanup()

try: one_line()
finally: done()

if a: b()
elif c: d()
else: e()

if a:
    pass
else:
    if nested:
        pass

with open("f") as handle: handle.read()
lambda_value = lambda q=1, *r: q
comprehension = {k: v for k, v in items if k} or {*items} or (x for x in y)
text = f"{value!r:>{width}} and {{braces}}" "concatenated" 'strings'
''',
    "match_and_try_star": """\
def handle(command):
    match command.split():
        case [action]:
            return action
        case [action, obj] if obj:
            return action + obj
        # comment before a case
        case Point(x=0, y=0) | {"key": _}:
            pass
        case _:
            pass
    try:
        work()
    except* ValueError as group:
        handle(group)
    except* TypeError:
        pass
    else:
        pass
    finally:
        pass
""",
    "tabs_and_mixed_indentation": "def f():\n\tif x:\n\t\treturn 1\n\telse:\n\t    return 2\n\nclass C:\n  def g(self):\n      pass\n",
    "crlf": "import os\r\n\r\ndef f(a,\r\n      b):\r\n    if a:\r\n        return b\r\n    return (a +\r\n            b)\r\n",
    "lone_cr": "x = 1\rdef f():\r    return x\r",
    "no_final_newline": "def f():\n    return g(1,\n             2)",
    "non_ascii": "name = 'héllo wörld'; other = f'ünïcode {name}'\ndef ƒ(ä):\n    return ä + '€'\n",
    "form_feed": "x = 1\n\x0c\ndef f():\n    return x\n",
    "only_comments": "# nothing but a comment\n\n",
    "empty": "",
    # Python 3.12 lets an f-string reuse its quotes; on older interpreters `ast` rejects it,
    # and ranges fall back to the whole module.
    "newer_syntax": 'value = f"{data["key"]}"\ndef f():\n    return value\n',
}


def fixture_sources() -> dict[str, str]:
    """Every Python fixture and example file that compiles, by path relative to the repository."""
    found: dict[str, str] = {}
    for path in [*compiling_fixtures(), *sorted((ROOT / "examples").rglob("*.py"))]:
        found[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return found


def all_sources() -> dict[str, str]:
    """The samples (named `sample:<name>`) and every fixture and example file."""
    return {**{f"sample:{name}": source for name, source in SAMPLES.items()}, **fixture_sources()}
