"""Bytes to text to a libcst Module, turning every failure into a diagnostic, never a crash.

Whether a file is Python is CPython's call, not libcst's: the running interpreter's `compile()`
decides INN900, with its own message and position ("'(' was never closed" at the bracket). A
file it compiles never gets INN900, one it rejects always does. libcst's grammar is a superset
(3.12 syntax on 3.11, `return` at module level...) and its tokenizer reports some errors at 1:1.

libcst's native parser recurses once per level of the tree it builds, on the calling thread's
stack, and a deep enough tree overflows it: a segfault that no `except` can catch. Some
constructs are also quadratic or worse in it (a 2,000-link `x[0][0]...` chain takes 8 s). So:

- every parse runs on a stack at least as large as the one its limits were measured on
  (`bench/parser_limits.py`): a main thread with 8 MB or more, or else a thread of our own with
  `PARSE_STACK_BYTES` (the language server's lint thread, a flake8 thread, a small `ulimit -s`);
- `nesting_estimate` is a cheap upper bound on the depth of libcst's tree; a file above
  `MAX_IN_PROCESS_NESTING` is parsed in a fresh subprocess (engine/isolate.py), where a crash or
  a stall costs that file an INN901 and nothing else.

A binary file (NUL bytes) or one that cannot be decoded is INN901. None of these stop the run.

Only regular files are read, and never past `max-file-size` (`inngest_lint.files.read_regular`:
a FIFO named `x.py` would block the run forever, a symlink to `/dev/zero` never ends).
"""

from __future__ import annotations

import io
import re
import sys
import threading
import tokenize
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.files import NotRegularFile, OverLimit, read_regular

if TYPE_CHECKING:  # libcst is imported when a file is parsed, not when the linter starts
    import libcst

SYNTAX_ERROR = "INN900"
UNREADABLE_FILE = "INN901"

#: Bytes that make a file worth parsing: the SDK's name in any case style, and signing keys
#: (a settings module may hold a hard-coded key without naming the SDK in lowercase).
PREFILTER_MARKERS = (b"nngest", b"NNGEST", b"signkey-")


def worth_parsing(data: bytes) -> bool:
    """Whether a file's bytes may hold anything a rule reads (the screen before any parse: a
    run's files, and with `--since` the blobs of the ref)."""
    return any(marker in data for marker in PREFILTER_MARKERS)


_T = TypeVar("_T")


@dataclass
class Decoded:
    text: str | None
    problem: Diagnostic | None


def human_size(size: int) -> str:
    """`1.5 MB`, `12.0 KB`, `64 bytes`: a limit of a few KB must not read as `0.0 MB`."""
    if size >= 1024 * 1024:
        return f"{size / 1048576:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} byte{'s' if size != 1 else ''}"


def too_large(path: str, size: int, limit: int, exact: bool = True) -> Diagnostic:
    """INN901 for a file over `max-file-size` (the command line, the engine and flake8 agree)."""
    amount = human_size(size) if exact else f"more than {human_size(limit)}"
    return Diagnostic(
        path,
        1,
        1,
        UNREADABLE_FILE,
        f"file is {amount}, over max-file-size ({human_size(limit)}); not linted (raise max-file-size to lint it)",
    )


def read_bytes(path: str, limit: int = 0) -> tuple[bytes | None, Diagnostic | None]:
    """(bytes, None), or (None, INN901) for what is not a regular file, is over `limit` bytes
    (`max-file-size`; 0: no limit) or cannot be read."""
    try:
        return read_regular(path, limit), None
    except NotRegularFile as error:
        return None, Diagnostic(path, 1, 1, UNREADABLE_FILE, f"{error}; not linted")
    except OverLimit as error:
        return None, too_large(path, error.size, limit, exact=error.exact)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return None, Diagnostic(path, 1, 1, UNREADABLE_FILE, f"cannot read file: {reason}")


def decode(path: str, data: bytes) -> Decoded:
    """Decode as Python does (PEP 263 coding cookie, default UTF-8).

    A cookie may name any codec Python knows, including ones that always fail (`undefined`) or
    raise plain `UnicodeError` (`punycode`, `idna`) or are not text encodings at all (`rot13`):
    each is this file's INN901, never an exception for the run.
    """
    if b"\x00" in data:
        return Decoded(None, Diagnostic(path, 1, 1, UNREADABLE_FILE, "binary file (contains NUL bytes); not linted"))
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeError, ValueError, TypeError) as error:
        detail = error.reason if isinstance(error, UnicodeDecodeError) else str(error) or type(error).__name__
        return Decoded(None, Diagnostic(path, 1, 1, UNREADABLE_FILE, f"cannot decode file: {detail}"))
    if text.startswith("\ufeff"):
        text = text[1:]
    return Decoded(text, None)


# --------------------------------------------------------------------------------------------
# CPython's verdict.
# --------------------------------------------------------------------------------------------


def compile_error(path: str, text: str) -> Diagnostic | None:
    """INN900 when the running CPython's `compile()` rejects `text`, else None.

    CPython's message and position are kept as they are. Its compiler also refuses trees
    nested too deeply for it (RecursionError or MemoryError, e.g. a 3,000-term `a + b + ...`
    on 3.11): `python file.py` would fail the same way, so that is INN900 too. Warnings
    (invalid escape sequences...) are not findings, and `-W error` must not turn them into ones.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as error:  # IndentationError and TabError included
        line = max(1, error.lineno or 1)
        column = max(1, error.offset or 1)
        message = " ".join(str(error.msg).split()) or "invalid syntax"
        return Diagnostic(path, line, column, SYNTAX_ERROR, f"syntax error: {message}")
    except (RecursionError, MemoryError) as error:
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return Diagnostic(
            path,
            1,
            1,
            SYNTAX_ERROR,
            f"syntax error: CPython cannot compile this file, it is nested too deeply ({detail})",
        )
    except ValueError as error:  # "source code string cannot contain null bytes" (3.11)
        return Diagnostic(path, 1, 1, SYNTAX_ERROR, f"syntax error: {error}")
    return None


# --------------------------------------------------------------------------------------------
# The screen: how deep can libcst's tree for this text be?
# --------------------------------------------------------------------------------------------

#: Above this estimated depth, the file is parsed in a subprocess (engine/isolate.py). Measured
#: with bench/parser_limits.py (libcst 1.9.0, CPython 3.11, an 8 MB main-thread stack), the
#: first sizes at which a chain split over short lines in one pair of brackets crashes the
#: parser: `(((...)))` 1,312, `f(f(...))` 1,218 and `[[...]]` 1,250 (CPython refuses more than
#: 200 anyway), `lambda: lambda: ...` 3,500, ternaries 5,750, `**` 7,000, `and` 7,250, `not`
#: 8,250, an `elif` chain 8,500; a 3,125-part implicit string concatenation is refused outright.
#: Time binds first for the rest: at 1,000 links a `f()()...` chain takes 1.2 s, `x[0][0]...`
#: 0.8 s, `.attr` 0.6 s, and 2,750 `[0]` links, 4,375 calls or 5,000 `+` terms take over 20 s.
#: On the parse thread's `PARSE_STACK_BYTES`, `and` and `elif` chains pass 64,000, and lambdas
#: and nested brackets exhaust the child's 4 GB before the stack (bench/README.md).
MAX_IN_PROCESS_NESTING = 1000

#: The stack of the thread that compiles, parses and walks a file when the caller is not a main
#: thread with a measured stack, and in the child that parses deep files. Only the pages a parse
#: touches are ever committed; a fixed size makes the limits independent of the caller (a
#: secondary thread may get 512 KB on macOS, or whatever `ulimit -s` says on Linux).
PARSE_STACK_BYTES = 256 * 1024 * 1024

#: Characters and words that can each add a level to libcst's tree within one statement:
#: operators, attribute dots, calls and subscripts, brackets, the parts of an implicitly
#: concatenated string, boolean operators, `not`, conditional expressions, lambdas, `await`.
#: (Comparisons and argument lists are flat in libcst; counting them only overestimates.)
_LEVEL_CHARACTERS = ".+-*/%@&|^~<>([{'\""
_LEVEL_WORDS = ("and", "or", "not", "if", "lambda", "await")

#: A string literal (any prefix, single or triple quoted) or a comment. Valid code only: the
#: screen runs after `compile()` accepted the text. A lone CR ends a line too (old Mac files).
_STRING_OR_COMMENT = re.compile(
    r"""[A-Za-z]{0,3}(?:'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
    r"""|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")|\#[^\r\n]*""",
    re.DOTALL,
)
_STRUCTURE = re.compile(r"[()\[\]{}]|\\\r?\n|\n")
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[()\[\]{},;\"]|[-+*/%@&|^~<>.]")
_WORDS = frozenset(_LEVEL_WORDS)


def _quick_count(text: str) -> int:
    """An upper bound, at C speed, of the level tokens in the whole text."""
    return sum(text.count(character) for character in _LEVEL_CHARACTERS) + sum(
        text.count(word) for word in _LEVEL_WORDS
    )


def _skeleton(text: str) -> str:
    """The code without its comments, and each string literal as one `"`: what is left of
    brackets and newlines is the real structure (a `)` inside a string must not end a line)."""
    return _STRING_OR_COMMENT.sub(lambda match: "" if match.group().startswith("#") else '"', text)


def _long_logical_lines(code: str, longer_than: int) -> Iterator[str]:
    """Each logical line of `code` (a skeleton) longer than `longer_than` characters: a line
    shorter than that cannot hold more level tokens than characters."""
    depth = 0
    start = 0
    for match in _STRUCTURE.finditer(code):
        token = match.group()
        if token in "([{":
            depth += 1
        elif token in ")]}":
            depth = max(0, depth - 1)
        elif token == "\n" and depth == 0:
            if match.start() - start > longer_than:
                yield code[start : match.start()]
            start = match.end()
    if len(code) - start > longer_than:
        yield code[start:]


def _statement_nesting(code: str) -> int:
    """The deepest chain of level tokens in one logical line: within a bracket, a comma (or
    `;` at the top) starts a sibling, not a deeper level; a bracket adds its own deepest part."""
    run = child = best = 0
    stack: list[tuple[int, int, int]] = []
    for match in _TOKEN.finditer(code):
        token = match.group()
        first = token[0]
        if first in "([{":
            stack.append((run + 1, child, best))
            run = child = best = 0
        elif first in ")]}":
            inner = max(best, run + child)
            if stack:
                run, child, best = stack.pop()
                child = max(child, inner)
            else:
                best = max(best, inner)
        elif first in ",;":
            best = max(best, run + child)
            run = child = 0
        elif first.isalpha() or first == "_":
            if token in _WORDS:
                run += 1
        else:
            run += 1
    deepest = max(best, run + child)
    while stack:
        run, child, best = stack.pop()
        deepest = max(best, run + max(child, deepest))
    return deepest


_IF_OR_ELIF = re.compile(r"^([ \t\f]*)(elif|if)\b", re.MULTILINE)


def _longest_elif_chain(code: str, limit: int) -> int:
    """An upper bound of the longest `if`/`elif` chain: the `elif`s after an `if` at the same
    indentation (a statement between them, which this does not see, only ends a chain sooner)."""
    if code.count("elif") <= limit:
        return code.count("elif")
    chains: dict[str, int] = {}
    longest = 0
    for match in _IF_OR_ELIF.finditer(code):
        indent, word = match.groups()
        if word == "if":
            chains[indent] = 0
        else:
            chains[indent] = chains.get(indent, 0) + 1
            longest = max(longest, chains[indent])
    return longest


def nesting_estimate(text: str, limit: int | None = None) -> int:
    """An upper bound of the depth libcst's tree will have, exact enough up to `limit`.

    Most files are settled by one count over the text (fewer level tokens in the whole file than
    `limit`); the others by their long logical lines only, and only a line with more than
    `limit` level tokens is walked token by token. An `elif` chain nests too (each branch is the
    `orelse` of the one before), and is bounded by the file's count of `elif`.
    """
    if limit is None:
        limit = MAX_IN_PROCESS_NESTING
    quick = _quick_count(text)
    if quick <= limit:
        return quick
    code = _skeleton(text)
    if "\r" in code:  # old Mac line ends: a lone CR ends a line for Python too
        code = code.replace("\r\n", "\n").replace("\r", "\n")
    deepest = _longest_elif_chain(code, limit)
    for line in _long_logical_lines(code, limit):
        if _quick_count(line) > limit:
            deepest = max(deepest, _statement_nesting(line))
    return deepest


# --------------------------------------------------------------------------------------------
# Running with room: a big stack, and a recursion limit for the walk over a deep tree.
# --------------------------------------------------------------------------------------------

_STACK_LOCK = threading.Lock()

#: The main-thread stack the limits above were measured with. A main thread with at least this
#: much parses where it is: a thread per file costs about 3% of a cold run (a fresh stack's page
#: faults), and a command-line run or a pool worker lints on its main thread.
MEASURED_MAIN_STACK_BYTES = 8 * 1024 * 1024
_main_stack_enough: bool | None = None


def _on_a_measured_stack() -> bool:
    """Whether this is a main thread whose stack (`ulimit -s`) is at least the measured one."""
    global _main_stack_enough
    if threading.current_thread() is not threading.main_thread():
        return False
    if _main_stack_enough is None:
        try:
            import resource

            soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
            _main_stack_enough = soft == resource.RLIM_INFINITY or soft >= MEASURED_MAIN_STACK_BYTES
        except (ImportError, AttributeError, ValueError, OSError):
            _main_stack_enough = False  # Windows: python.exe's main thread has 1 MB
    return _main_stack_enough


def run_with_stack(function: Callable[..., _T], *args: Any, deep: bool = False) -> _T:
    """`function(*args)` on a stack the measured limits hold for: the calling thread's when it is
    a main thread with `MEASURED_MAIN_STACK_BYTES` or more (and not `deep`), else a fresh thread
    with `PARSE_STACK_BYTES` (a language server's or flake8's thread, a child parsing a file the
    screen found deep). Its result, or its exception re-raised here. Falls back to the calling
    thread where no such thread can be made."""
    if not deep and _on_a_measured_stack():
        return function(*args)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = error

    try:
        with _STACK_LOCK:
            previous = threading.stack_size(PARSE_STACK_BYTES)
            try:
                thread = threading.Thread(target=target, name="inngest-lint-parse", daemon=True)
                thread.start()
            finally:
                threading.stack_size(previous)
    except (ValueError, RuntimeError, MemoryError):  # no such stack here: do with the caller's
        return function(*args)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


_RECURSION_LOCK = threading.Lock()


@contextmanager
def recursion_room(nesting: int) -> Iterator[None]:
    """Let the walk and the rules recurse through a tree of `nesting` levels (libcst builds up
    to three nodes per level; the rules' own helpers recurse too). Only raised, never lowered,
    and only for the deep files: the default suits every other file."""
    needed = 4 * nesting + 1000
    with _RECURSION_LOCK:
        previous = sys.getrecursionlimit()
        if needed > previous:
            sys.setrecursionlimit(needed)
    try:
        yield
    finally:
        if needed > previous:
            with _RECURSION_LOCK:
                if sys.getrecursionlimit() == needed:
                    sys.setrecursionlimit(previous)


# --------------------------------------------------------------------------------------------
# libcst.
# --------------------------------------------------------------------------------------------


def parse(path: str, text: str) -> tuple[libcst.Module | None, Diagnostic | None]:
    """(module, None), or (None, INN901) when libcst cannot read a file CPython compiled.

    Call it after `compile_error` found nothing, on a `run_with_stack` thread, for a text whose
    `nesting_estimate` the caller has weighed. libcst failing on valid Python is a limitation of
    the linter (a 4,000-part implicit string concatenation, say), not the user's syntax error.
    """
    import libcst as cst

    try:
        return cst.parse_module(text), None
    except cst.ParserSyntaxError as error:
        message = " ".join(str(error.message).split()) or "invalid syntax"
        reason = f"libcst cannot parse this file, which Python compiles ({message})"
    except RecursionError:
        reason = "libcst cannot parse this file, which Python compiles (nested too deeply)"
    except (ValueError, TypeError, MemoryError) as error:
        reason = f"libcst cannot parse this file, which Python compiles ({type(error).__name__}: {error})"
    return None, Diagnostic(path, 1, 1, UNREADABLE_FILE, f"{reason}; not linted")
