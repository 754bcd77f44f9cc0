"""Seeded token and line mutants of the fixture files, for tests/test_fuzz.py.

A mutant is named `<fixture path>#<n>` and its random generator is seeded with that name, so a
mutant is the same on every machine and in every run, and adding a fixture changes no other
fixture's mutants. About a third of the mutations keep the kind of token (a name for a name, a
string for a string) or move whole lines, so that many mutants still compile and reach the
rules and the cache; the rest break the code the ways editing does.
"""

from __future__ import annotations

import io
import random
import tokenize
from collections.abc import Iterator
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

#: Tokens inserted or substituted anywhere.
POOL = (
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    ".",
    "=",
    "==",
    "+",
    "-",
    "*",
    "**",
    "/",
    "@",
    "->",
    ";",
    "await",
    "async",
    "def",
    "lambda",
    "return",
    "yield",
    "for",
    "in",
    "while",
    "if",
    "else",
    "elif",
    "try",
    "except",
    "finally",
    "with",
    "as",
    "import",
    "from",
    "class",
    "not",
    "and",
    "or",
    "None",
    "True",
    "global",
    "nonlocal",
    "del",
    "pass",
    "break",
    "continue",
    "raise",
    "assert",
    "match",
    "case",
    "ctx",
    "step",
    "ctx.step.run",
    "inngest",
    "client",
    "x",
    "'s'",
    '"app/e"',
    "f'{x}'",
    "0",
    "1.5",
    "\n",
    "\n    ",
    "\t",
    "\\\n",
    "#",
    "# noqa",
    "'''",
    '"',
    "*args",
    "**kw",
    ":=",
    "...",
    "\x0c",
    "\r",
)
#: Same-kind replacements: names the rules look for, strings and numbers they read.
NAMES = (
    "ctx",
    "step",
    "client",
    "inngest",
    "event",
    "data",
    "items",
    "item",
    "run",
    "sleep",
    "send_event",
    "wait_for_event",
    "invoke",
    "create_function",
    "TriggerEvent",
    "TriggerCron",
    "Event",
    "Context",
    "serve",
    "self",
    "x",
    "print",
    "requests",
    "asyncio",
    "gather",
    "random",
    "datetime",
    "timedelta",
    "Inngest",
    "fn_id",
    "trigger",
    "handler",
    "group",
    "parallel",
    "send",
    "send_sync",
    "app_id",
    "_",
)
STRINGS = (
    '"app/e"',
    "'same'",
    'f"id-{item}"',
    '"0 * * * *"',
    '"1d"',
    '"event.data.id == async.data.id"',
    "b'x'",
    "r'\\d'",
    '"\\N{BULLET}"',
    "''",
    '"App Event"',
    '"app/*"',
    '"""doc"""',
    "f'{ctx!r:>{x}}'",
)
NUMBERS = ("0", "1", "-1", "10**30", "1e308", "0x1F", "3.5", "1_000", "0o7", "1j")


def _tokens(text: str) -> list[tokenize.TokenInfo] | None:
    try:
        return [
            token
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type != tokenize.ENDMARKER and token.start != token.end
        ]
    except (tokenize.TokenError, SyntaxError):
        return None


def _offset(text: str, position: tuple[int, int]) -> int:
    line, column = position
    starts = [0]
    for piece in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(piece))
    return starts[line - 1] + column if line - 1 < len(starts) else len(text)


def _token_mutation(text: str, rng: random.Random, tokens: list[tokenize.TokenInfo]) -> str:
    token = tokens[rng.randrange(len(tokens))]
    start, end = _offset(text, token.start), _offset(text, token.end)
    operation = rng.randrange(6)
    if operation == 0:
        return text[:start] + text[end:]
    if operation == 1:
        return text[:start] + token.string + " " + text[start:]
    if operation == 2:
        return text[:start] + rng.choice(POOL) + text[end:]
    if operation == 3:
        return text[:start] + rng.choice(POOL) + " " + text[start:]
    if token.type == tokenize.NAME:
        return text[:start] + rng.choice(NAMES) + text[end:]
    if token.type == tokenize.STRING:
        return text[:start] + rng.choice(STRINGS) + text[end:]
    if token.type == tokenize.NUMBER:
        return text[:start] + rng.choice(NUMBERS) + text[end:]
    return text[:start] + text[end:]


def _line_mutation(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return text
    index = rng.randrange(len(lines))
    operation = rng.randrange(5)
    if operation == 0:
        del lines[index]
    elif operation == 1:
        lines.insert(index, lines[index])
    elif operation == 2:
        other = rng.randrange(len(lines))
        lines[index], lines[other] = lines[other], lines[index]
    elif operation == 3:
        stripped = lines[index].lstrip(" ")
        indent = len(lines[index]) - len(stripped)
        lines[index] = " " * max(0, indent + rng.choice((-4, 4))) + stripped
    elif "await " in lines[index]:
        lines[index] = lines[index].replace("await ", "", 1)
    else:
        lines[index] = lines[index].replace("ctx.step.", "await ctx.step.", 1)
    return "".join(lines)


def mutate(text: str, rng: random.Random) -> str:
    """One to three mutations of `text`."""
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        tokens = None if rng.random() < 0.3 else _tokens(text)
        text = _line_mutation(text, rng) if not tokens else _token_mutation(text, rng, tokens)
    return text


def _decodes(data: bytes) -> bool:
    """Whether Python reads these bytes as text in the encoding they declare."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeError):
        return False
    return True


def mutants(per_fixture: int) -> Iterator[tuple[str, str]]:
    """(name, text) of `per_fixture` mutants of every fixture that mentions Inngest and decodes
    (the others are never parsed, by design: INN901 stops a file that does not decode, so their
    mutants would test nothing)."""
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "inngest" not in text or not _decodes(path.read_bytes()):
            continue
        relative = path.relative_to(FIXTURES).as_posix()
        for number in range(per_fixture):
            name = f"{relative}#{number}"
            yield name, mutate(text, random.Random(name))
