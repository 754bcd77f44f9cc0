"""A small, dependency-free parser for CEL (Common Expression Language).

Inngest evaluates CEL in several places that a Python project writes as plain
strings: ``if_exp`` on ``step.wait_for_event``, ``TriggerEvent(expression=...)``,
concurrency / throttle / rate-limit / debounce ``key=`` and so on.  A typo in
such a string only shows up at run time (or when the function is registered),
so the linter wants to parse them statically.

Why hand-written: the reference Python implementation (``cel-python``) pulls in
Lark and builds an LALR table at import time, which costs about a quarter of a
second, far too much for a linter that may not even meet a CEL string.  This
module uses only the standard library and parses a typical expression in tens
of microseconds.  ``cel-python`` is still used, but only in the test-suite, as
an oracle.

What "valid" means here: we follow the grammar of the CEL spec
(https://github.com/google/cel-spec/blob/master/doc/langdef.md) as implemented
by cel-go's ANTLR grammar, because cel-go is what the Inngest server runs.
Where the two differ from cel-python, cel-go wins; the test-suite lists those
few disagreements explicitly.  Notable choices:

* trailing commas are allowed in list, map and message literals, not in calls;
* reserved words (``if``, ``for``, ``in``, ...) cannot be identifiers, but
  ordinary reserved words may still follow a ``.`` (``a.if``), as in cel-go;
* ``!`` and ``-`` may each be repeated but not mixed (``!-x`` is rejected;
  ``!-1`` is fine because ``-1`` is a signed literal), as in cel-go;
* message construction ``a.b.Type{field: 1}`` is accepted only after a
  (possibly qualified, possibly leading-dot) name;
* string escapes are validated (``'\\q'`` is an error), ``1.`` is not a number
  (write ``1.0``) and integer literals must fit in 64 bits;
* macros (``has``, ``all``, ``exists``, ``exists_one``, ``map``, ``filter``)
  parse as ordinary calls: their argument shapes are *not* checked;
* cel-go extensions that must be switched on explicitly (optional syntax
  ``a.?b``, backtick-quoted identifiers) are rejected;
* nesting is limited to ``MAX_DEPTH`` levels so that a pathological string
  can never blow the Python stack of the linter.

All offsets are 0-based indexes into the expression string as given (a Python
``str``), counting code points; a newline inside a triple-quoted string counts
as one character like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Dict, Iterator, List, Optional, Tuple, Union

__all__ = [
    "CelSyntaxError",
    "DataPath",
    "Comparison",
    "Node",
    "Ident",
    "Select",
    "Index",
    "Call",
    "Literal",
    "Unary",
    "Binary",
    "Ternary",
    "ListExpr",
    "MapExpr",
    "Message",
    "MAX_DEPTH",
    "RESERVED_WORDS",
    "parse",
    "check_syntax",
    "iter_nodes",
    "data_paths",
    "comparisons",
]

#: Maximum nesting of sub-expressions (parentheses, arguments, list elements,
#: conditionals...).  cel-go's default is higher, but every level costs several
#: Python frames and the linter itself already runs deep inside libcst; real
#: Inngest expressions never come close.
MAX_DEPTH = 100

#: Words the CEL spec reserves.  ``true``/``false``/``null``/``in`` are
#: language words; the rest are reserved "to allow easier embedding of CEL
#: into a host language" and may not be used as identifiers.
RESERVED_WORDS = frozenset(
    "as break const continue else for function if import let loop package "
    "namespace return var void while in true false null".split()
)
_HOST_RESERVED = RESERVED_WORDS - {"in", "true", "false", "null"}

_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1


# ---------------------------------------------------------------------------
# Public result types
# ---------------------------------------------------------------------------


class CelSyntaxError(Exception):
    """A CEL expression that Inngest would refuse to compile.

    Carries a short human message and the 0-based character ``offset`` in the
    expression so that the linter can point a caret at the right column
    instead of just saying "invalid expression".
    """

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at offset {offset})")
        self.message: str = message
        self.offset: int = offset

    def __repr__(self) -> str:
        return f"CelSyntaxError({self.message!r}, {self.offset})"


@dataclass(frozen=True)
class DataPath:
    """An ``event.data.KEY...`` or ``async.data.KEY...`` occurrence.

    These are the only parts of an Inngest expression that depend on the
    user's event payloads, so rules that cross-check payload keys (for example
    ``async.data.leadId == event.data.lead_id`` naming mismatches) need them.
    """

    root: str
    key: str
    rest: Tuple[str, ...]
    offset: int
    end_offset: int


@dataclass(frozen=True)
class Comparison:
    """A relation between a data path and a literal.

    ``op`` is normalised so that it reads ``path op literal``: ``5 < event.data.x``
    is reported with op ``">"``.  For ``in`` the literal is the whole list.
    """

    path: DataPath
    op: str
    literal_type: str
    literal_text: str


# ---------------------------------------------------------------------------
# AST
# ---------------------------------------------------------------------------


class Node:
    """Base of the AST.  Every node has ``offset`` (start) and ``end``.

    The node classes are frozen dataclasses so parse results can be cached and
    shared between rules without anyone mutating them.
    """

    __slots__ = ()
    offset: int
    end: int

    if TYPE_CHECKING:
        # Every concrete node is a dataclass: this lets `dataclasses.replace` take a Node.
        __dataclass_fields__: ClassVar[Dict[str, Any]]


@dataclass(frozen=True)
class Ident(Node):
    """A bare identifier; ``leading_dot`` for root-scoped names like ``.foo``."""

    name: str
    offset: int
    end: int
    leading_dot: bool = False


@dataclass(frozen=True)
class Select(Node):
    """Field selection ``operand.field``; ``offset`` is the operand's start."""

    operand: Node
    field: str
    offset: int
    end: int
    field_offset: int


@dataclass(frozen=True)
class Index(Node):
    """Indexing ``operand[index]``."""

    operand: Node
    index: Node
    offset: int
    end: int


@dataclass(frozen=True)
class Call(Node):
    """A global call ``f(x)`` (target None) or a method call ``t.f(x)``.

    Macros (``has``, ``all``, ``exists``...) are represented as calls too.
    """

    target: Optional[Node]
    name: str
    args: Tuple[Node, ...]
    offset: int
    end: int
    leading_dot: bool = False


@dataclass(frozen=True)
class Literal(Node):
    """A constant.  ``kind`` is one of int, uint, double, string, bytes, bool, null.

    ``value`` is the decoded Python value (escapes processed); ``text`` is the
    literal exactly as written, which is what a diagnostic should quote.
    """

    kind: str
    value: Union[int, float, str, bytes, bool, None]
    text: str
    offset: int
    end: int


@dataclass(frozen=True)
class Unary(Node):
    """``!x`` or ``-x``."""

    op: str
    operand: Node
    offset: int
    end: int


@dataclass(frozen=True)
class Binary(Node):
    """A binary operator; ``op_offset`` locates the operator itself."""

    op: str
    left: Node
    right: Node
    offset: int
    end: int
    op_offset: int


@dataclass(frozen=True)
class Ternary(Node):
    """``condition ? if_true : if_false``."""

    condition: Node
    if_true: Node
    if_false: Node
    offset: int
    end: int


@dataclass(frozen=True)
class ListExpr(Node):
    """``[a, b, ...]``."""

    elements: Tuple[Node, ...]
    offset: int
    end: int


@dataclass(frozen=True)
class MapExpr(Node):
    """``{k: v, ...}``."""

    entries: Tuple[Tuple[Node, Node], ...]
    offset: int
    end: int


@dataclass(frozen=True)
class Message(Node):
    """Message construction ``pkg.Type{field: value, ...}``."""

    type_name: str
    fields: Tuple[Tuple[str, Node], ...]
    offset: int
    end: int


# ---------------------------------------------------------------------------
# Lexer
# ---------------------------------------------------------------------------


#: A literal token's value: the number, the decoded string or bytes; None for other tokens.
_TokValue = Union[int, float, str, bytes, None]


class _Tok:
    """One token.  A plain slotted class: the lexer makes many of these."""

    __slots__ = ("kind", "text", "start", "end", "value")

    def __init__(self, kind: str, text: str, start: int, end: int, value: _TokValue = None) -> None:
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end
        self.value = value

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"_Tok({self.kind!r}, {self.text!r}, {self.start})"


_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Order matters: hex before decimal, float before int.
_NUMBER_RE = re.compile(
    r"(?P<hex>0x[0-9a-fA-F]+)(?P<hexu>[uU])?"
    r"|(?P<float>\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<int>\d+)(?P<intu>[uU])?",
    re.ASCII,  # CEL digits are 0-9 only; Python's \d would also match e.g. Arabic digits
)
_DIGITS = frozenset("0123456789")
_WS = " \t\n\r\f"
_TWO_CHAR_OPS = {"==", "!=", "<=", ">=", "&&", "||"}
_ONE_CHAR_OPS = set("<>!+-*/%?:.,()[]{}")
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "`": "`",
    "?": "?",
}
_HEX = set("0123456789abcdefABCDEF")
_CHAR_HINTS = {
    "#": " (CEL comments start with '//')",
    "`": " (backtick-quoted identifiers are not supported)",
    "$": " (CEL has no '$' variables or string templates)",
    ";": " (a CEL expression is a single expression)",
}


def _read_escape(expr: str, i: int, quote_start: int) -> Tuple[int, int, bool]:
    """Decode the escape sequence whose backslash is at ``expr[i]``.

    Returns ``(codepoint, next_index, is_octet)``; ``is_octet`` marks ``\\x``
    and octal escapes, which are single bytes inside a bytes literal.  The
    accepted set is cel-go's, which is also the spec's.
    """
    n = len(expr)
    if i + 1 >= n:
        raise CelSyntaxError("unterminated string", quote_start)
    c = expr[i + 1]
    if c in _SIMPLE_ESCAPES:
        return ord(_SIMPLE_ESCAPES[c]), i + 2, False
    if c in "xXuU":
        width = 2 if c in "xX" else (4 if c == "u" else 8)
        digits = expr[i + 2 : i + 2 + width]
        if len(digits) != width or not all(d in _HEX for d in digits):
            raise CelSyntaxError(f"invalid escape sequence '\\{c}': expected {width} hex digits", i)
        value = int(digits, 16)
        if value > 0x10FFFF:
            raise CelSyntaxError("invalid escape sequence: code point out of range", i)
        return value, i + 2 + width, c in "xX"
    if c in "0123":
        digits = expr[i + 1 : i + 4]
        if len(digits) != 3 or not all(d in "01234567" for d in digits):
            raise CelSyntaxError("invalid escape sequence: octal escapes need three digits \\000 to \\377", i)
        return int(digits, 8), i + 4, True
    if c in "\r\n":
        raise CelSyntaxError("unterminated string", quote_start)
    shown = c if c.isprintable() else repr(c)[1:-1]
    raise CelSyntaxError(f"invalid escape sequence '\\{shown}'", i)


def _lex_string(expr: str, start: int, qpos: int, raw: bool, is_bytes: bool) -> Tuple[int, Union[str, bytes]]:
    """Scan a string/bytes literal whose opening quote is at ``qpos``.

    ``start`` is where the literal (including any ``r``/``b`` prefix) begins;
    errors about the literal as a whole point there.  Returns
    ``(end_index, decoded_value)``.
    """
    n = len(expr)
    q = expr[qpos]
    triple = expr.startswith(q * 3, qpos)
    delim = q * 3 if triple else q
    i = qpos + len(delim)
    chars: List[str] = []
    octets = bytearray()

    def add(cp: int, is_octet: bool) -> None:
        if is_bytes:
            if is_octet:
                octets.append(cp)
            else:
                octets.extend(chr(cp).encode("utf-8", "surrogatepass"))
        else:
            chars.append(chr(cp))

    while True:
        if i >= n:
            raise CelSyntaxError("unterminated string", start)
        ch = expr[i]
        if triple:
            if expr.startswith(delim, i):
                i += 3
                break
        else:
            if ch == q:
                i += 1
                break
            if ch == "\n" or ch == "\r":
                raise CelSyntaxError(
                    "unterminated string (use a triple-quoted string for multiple lines)",
                    start,
                )
        if ch == "\\" and not raw:
            cp, i, is_octet = _read_escape(expr, i, start)
            add(cp, is_octet)
            continue
        if ch == "\r" and triple:
            # cel-go normalises CRLF and lone CR to LF inside strings.
            if expr.startswith("\r\n", i):
                i += 1
            ch = "\n"
        add(ord(ch), False)
        i += 1
    return i, (bytes(octets) if is_bytes else "".join(chars))


def _tokenize(expr: str) -> List[_Tok]:
    """Split ``expr`` into tokens, raising on anything CEL cannot lex.

    Lexing errors get their own messages (unterminated strings, ``=`` instead
    of ``==``, ``&`` instead of ``&&``...) because those are the mistakes
    Python programmers actually make in CEL strings.
    """
    toks: List[_Tok] = []
    n = len(expr)
    i = 0
    value: _TokValue
    while i < n:
        ch = expr[i]
        if ch in _WS:
            i += 1
            continue
        if ch == "/" and expr.startswith("//", i):
            nl = expr.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            m = _IDENT_RE.match(expr, i)
            assert m is not None
            word = m.group()
            j = m.end()
            if j < n and expr[j] in "'\"":
                low = word.lower()
                if low in ("r", "b", "br"):
                    end, value = _lex_string(expr, i, j, "r" in low, "b" in low)
                    toks.append(_Tok("bytes" if "b" in low else "string", expr[i:end], i, end, value))
                    i = end
                    continue
                if low == "rb":
                    raise CelSyntaxError(f"invalid string prefix '{word}'; raw bytes are written br'...'", i)
                if low in ("f", "fr", "rf"):
                    raise CelSyntaxError("f-strings are not supported in CEL; concatenate strings with '+'", i)
                if low == "u":
                    raise CelSyntaxError("invalid string prefix 'u'; CEL strings are unicode", i)
            kind = word if word in ("in", "true", "false", "null") else "ident"
            toks.append(_Tok(kind, word, i, j))
            i = j
            continue
        if ch in _DIGITS or (ch == "." and i + 1 < n and expr[i + 1] in _DIGITS):
            m = _NUMBER_RE.match(expr, i)
            assert m is not None
            j = m.end()
            text = m.group()
            if m.group("hex") is not None:
                kind = "uint" if m.group("hexu") else "int"
                value = int(m.group("hex"), 16)
            elif m.group("float") is not None:
                kind = "double"
                value = float(text)
                if value == float("inf"):
                    raise CelSyntaxError(f"double literal '{text}' is out of range", i)
            else:
                kind = "uint" if m.group("intu") else "int"
                value = int(m.group("int"), 10)
            if j < n and (expr[j].isalnum() or expr[j] == "_"):
                k = j
                while k < n and (expr[k].isalnum() or expr[k] == "_"):
                    k += 1
                # cel-go's lexer would split `1in` into `1` `in`, which is
                # valid (`1in [1]`); any other letters glued to a number make
                # an invalid token sequence, best reported as a bad number.
                if expr[j:k] != "in":
                    while k < n and (expr[k].isalnum() or expr[k] in "_."):
                        k += 1
                    raise CelSyntaxError(f"invalid number literal '{expr[i:k]}'", i)
            if kind == "int" and j < n and expr[j] == "." and not m.group("hex"):
                # `1.` is a double in many languages but not in CEL's grammar
                # (cel-go lexes it as `1` `.` and then wants a field name, so
                # `1.e3` and `1. size` are selections and stay legal).
                k = j + 1
                while k < n and expr[k] in _WS:
                    k += 1
                if not (k < n and (expr[k].isalpha() or expr[k] == "_")):
                    raise CelSyntaxError(f"invalid number literal '{text}.'; write '{text}.0'", i)
            if kind == "uint" and value > _UINT64_MAX:
                raise CelSyntaxError(f"integer literal '{text}' is out of range", i)
            toks.append(_Tok(kind, text, i, j, value))
            i = j
            continue
        if ch in "'\"":
            end, value = _lex_string(expr, i, i, False, False)
            toks.append(_Tok("string", expr[i:end], i, end, value))
            i = end
            continue
        if ch == "=":
            if expr.startswith("===", i):
                raise CelSyntaxError("'===' is not an operator; use '=='", i)
            if expr.startswith("==", i):
                toks.append(_Tok("==", "==", i, i + 2))
                i += 2
                continue
            raise CelSyntaxError("'=' is not an operator; use '=='", i)
        if ch == "!" and expr.startswith("!==", i):
            raise CelSyntaxError("'!==' is not an operator; use '!='", i)
        if ch == "&" or ch == "|":
            k = i
            while k < n and expr[k] == ch:
                k += 1
            run = expr[i:k]
            if len(run) != 2:
                raise CelSyntaxError(f"'{run}' is not an operator; use '{ch * 2}'", i)
            toks.append(_Tok(run, run, i, k))
            i = k
            continue
        two = expr[i : i + 2]
        if two == "<>":
            raise CelSyntaxError("'<>' is not an operator; use '!='", i)
        if two == "**":
            raise CelSyntaxError("'**' is not an operator; CEL has no power operator", i)
        if two in _TWO_CHAR_OPS:
            toks.append(_Tok(two, two, i, i + 2))
            i += 2
            continue
        if ch in _ONE_CHAR_OPS:
            toks.append(_Tok(ch, ch, i, i + 1))
            i += 1
            continue
        shown = ch if ch.isprintable() else repr(ch)[1:-1]
        raise CelSyntaxError(f"unexpected character '{shown}'{_CHAR_HINTS.get(ch, '')}", i)
    toks.append(_Tok("eof", "", n, n))
    return toks


_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_BRACKET_NAMES = {"(": "parenthesis", "[": "bracket", "{": "brace"}


def _check_brackets(toks: List[_Tok]) -> None:
    """Report unbalanced ``()[]{}`` before parsing.

    A dedicated pass gives a far clearer message ("'(' is never closed",
    pointing at the opener) than whatever token the parser would trip over.
    """
    stack: List[_Tok] = []
    for t in toks:
        if t.kind in _OPENERS:
            stack.append(t)
        elif t.kind in _CLOSERS:
            opener = _CLOSERS[t.kind]
            if not stack:
                raise CelSyntaxError(
                    f"unbalanced {_BRACKET_NAMES[opener]}: '{t.kind}' has no matching '{opener}'",
                    t.start,
                )
            top = stack.pop()
            if top.kind != opener:
                raise CelSyntaxError(
                    f"unbalanced {_BRACKET_NAMES[top.kind]}: expected '{_OPENERS[top.kind]}' "
                    f"to close '{top.kind}' at offset {top.start}, found '{t.kind}'",
                    t.start,
                )
    if stack:
        top = stack[-1]
        raise CelSyntaxError(f"unbalanced {_BRACKET_NAMES[top.kind]}: '{top.kind}' is never closed", top.start)


# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------

_REL_OPS = ("==", "!=", "<", "<=", ">", ">=", "in")
_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "in": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
}
_LITERAL_KINDS = ("int", "uint", "double", "string", "bytes")
_OPERAND_START = frozenset(
    ("ident", "true", "false", "null", "int", "uint", "double", "string", "bytes", "(", "[", "{", "!")
)
_PYTHON_WORDS = {"and": "&&", "or": "||", "not": "!"}


def _show(tok: _Tok) -> str:
    """Quote a token for a message, shortening long string literals."""
    if tok.kind == "eof":
        return "end of expression"
    text = tok.text if len(tok.text) <= 24 else tok.text[:20] + "..."
    if tok.kind in ("string", "bytes"):
        return f"string {text}"
    return f"'{text}'"


class _Parser:
    """Recursive-descent parser with precedence climbing for binary operators.

    Precedence climbing keeps the Python recursion per nesting level small
    (a handful of frames), which together with ``MAX_DEPTH`` bounds stack use.
    """

    def __init__(self, toks: List[_Tok]) -> None:
        self.toks = toks
        self.pos = 0
        self.depth = 0

    # -- token helpers ------------------------------------------------------

    @property
    def tok(self) -> _Tok:
        return self.toks[self.pos]

    def peek(self, k: int = 1) -> _Tok:
        idx = min(self.pos + k, len(self.toks) - 1)
        return self.toks[idx]

    def prev(self) -> Optional[_Tok]:
        return self.toks[self.pos - 1] if self.pos > 0 else None

    def advance(self) -> _Tok:
        t = self.toks[self.pos]
        if t.kind != "eof":
            self.pos += 1
        return t

    def expect(self, kind: str, what: str) -> _Tok:
        if self.tok.kind != kind:
            raise self.unexpected(what)
        return self.advance()

    # -- error helpers ------------------------------------------------------

    def unexpected(self, expected: str) -> CelSyntaxError:
        """Explain a token that cannot continue the expression.

        Most often this is two operands in a row; Python habits (``and``,
        ``or``, ``not``) are the usual cause and get a targeted suggestion.
        """
        t = self.tok
        p = self.prev()
        if t.kind == "ident" and t.text in ("and", "or"):
            return CelSyntaxError(f"'{t.text}' is not a CEL operator; use '{_PYTHON_WORDS[t.text]}'", t.start)
        if t.kind == "ident" and t.text == "not":
            if self.peek().kind == "in":
                return CelSyntaxError("'not in' is not CEL; write !(x in list)", t.start)
            return CelSyntaxError("'not' is not a CEL operator; use '!'", t.start)
        if t.kind == "ident" and t.text == "is":
            return CelSyntaxError("'is' is not a CEL operator; use '=='", t.start)
        if t.kind == "ident" and t.text == "if":
            return CelSyntaxError("'if' is a reserved word; CEL conditionals are written cond ? a : b", t.start)
        if p is not None and p.kind == "ident" and p.text == "not" and t.kind in _OPERAND_START:
            return CelSyntaxError("'not' is not a CEL operator; use '!'", p.start)
        if t.kind == "double" and t.text.startswith(".") and p is not None and p.end == t.start:
            return CelSyntaxError("expected a field name after '.'", t.start)
        if t.kind == "{":
            return CelSyntaxError(
                "unexpected '{': message construction needs a type name, as in Type{field: value}",
                t.start,
            )
        if t.kind in _OPERAND_START:
            return CelSyntaxError(
                f"missing operator before {_show(t)} (two operands with no operator between them)",
                t.start,
            )
        if t.kind == ":":
            return CelSyntaxError("':' without a matching '?'", t.start)
        if t.kind == "eof":
            return CelSyntaxError(f"unexpected end of expression; expected {expected}", t.start)
        return CelSyntaxError(f"unexpected {_show(t)}; expected {expected}", t.start)

    def missing_operand(self) -> CelSyntaxError:
        """Explain why no operand starts at the current token."""
        t = self.tok
        p = self.prev()
        if p is None:
            if t.kind == "eof":  # pragma: no cover - parse() rejects empty input first
                return CelSyntaxError("empty expression", 0)
            return CelSyntaxError(f"missing operand before {_show(t)}", t.start)
        if t.kind == "eof":
            return CelSyntaxError(f"missing operand after {_show(p)}", p.start)
        if p.kind == "(" and t.kind == ")":
            return CelSyntaxError("empty parentheses", p.start)
        if p.kind == "[" and t.kind == "]":  # only reachable for a[]
            return CelSyntaxError("missing index inside '[]'", t.start)
        return CelSyntaxError(f"missing operand between {_show(p)} and {_show(t)}", t.start)

    # -- grammar ------------------------------------------------------------

    def parse_expr(self) -> Node:
        """``expr := or ['?' or ':' expr]`` (conditional, right-associative)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CelSyntaxError(f"expression is nested too deeply (more than {MAX_DEPTH} levels)", self.tok.start)
        cond = self.parse_binary(1)
        if self.tok.kind == "?":
            q = self.advance()
            if_true = self.parse_binary(1)
            if self.tok.kind == "?":
                raise CelSyntaxError("a conditional in the middle of '? :' must be parenthesized", self.tok.start)
            if self.tok.kind != ":":
                if self.tok.kind == "eof":
                    raise CelSyntaxError("incomplete conditional: expected ':' after '?'", q.start)
                raise self.unexpected("':' of the conditional")
            self.advance()
            if_false = self.parse_expr()
            cond = Ternary(cond, if_true, if_false, cond.offset, if_false.end)
        self.depth -= 1
        return cond

    def parse_binary(self, min_prec: int) -> Node:
        """Left-associative binary operators by precedence climbing."""
        left = self.parse_unary()
        while True:
            t = self.tok
            prec = _PRECEDENCE.get(t.kind)
            if prec is None or prec < min_prec:
                return left
            self.advance()
            right = self.parse_binary(prec + 1)
            left = Binary(t.kind, left, right, left.offset, right.end, t.start)

    def parse_unary(self) -> Node:
        """``'!'+ member | '-'+ member | member`` (no mixing, as in cel-go)."""
        ops: List[_Tok] = []
        while self.tok.kind in ("!", "-"):
            ops.append(self.advance())
        if not ops:
            return self.parse_member()
        kinds = {o.kind for o in ops}
        if len(kinds) > 1:
            # cel-go allows one '-' right before a number: it is the literal's sign.
            signed_literal = (
                ops[-1].kind == "-" and all(o.kind == "!" for o in ops[:-1]) and self.tok.kind in ("int", "double")
            )
            if not signed_literal:
                first_switch = next(o for o in ops if o.kind != ops[0].kind)
                raise CelSyntaxError(
                    f"'{ops[0].kind}' and '{first_switch.kind}' cannot be combined without parentheses",
                    first_switch.start,
                )
        if self.tok.kind == "eof" or (self.tok.kind not in _OPERAND_START and self.tok.kind != "."):
            raise self.missing_operand()
        negated_int = ops[-1].kind == "-" and self.tok.kind == "int" and self.tok.value == _INT64_MAX + 1
        operand = self.parse_member(allow_int64_min=negated_int)
        for o in reversed(ops):
            operand = Unary(o.kind, operand, o.start, operand.end)
        return operand

    def parse_member(self, allow_int64_min: bool = False) -> Node:
        """Primary followed by any number of ``.f``, ``.f(args)`` and ``[i]``."""
        node = self.parse_primary(allow_int64_min)
        while True:
            t = self.tok
            if t.kind == ".":
                self.advance()
                name = self.tok
                if name.kind != "ident":
                    if name.kind in ("in", "true", "false", "null"):
                        raise CelSyntaxError(
                            f"'{name.text}' is a reserved word and cannot be a field name; use ['{name.text}']",
                            name.start,
                        )
                    raise CelSyntaxError("expected a field name after '.'", name.start)
                self.advance()
                if self.tok.kind == "(":
                    args, end = self.parse_args()
                    node = Call(node, name.text, args, node.offset, end)
                else:
                    node = Select(node, name.text, node.offset, name.end, name.start)
            elif t.kind == "[":
                self.advance()
                if self.tok.kind == "]":
                    raise CelSyntaxError("missing index inside '[]'", self.tok.start)
                index = self.parse_expr()
                close = self.expect("]", "']'")
                node = Index(node, index, node.offset, close.end)
            else:
                return node

    def parse_args(self) -> Tuple[Tuple[Node, ...], int]:
        """``'(' [expr {',' expr}] ')'``; calls do not allow a trailing comma."""
        self.advance()  # '('
        args: List[Node] = []
        if self.tok.kind != ")":
            while True:
                args.append(self.parse_expr())
                if self.tok.kind == ",":
                    comma = self.advance()
                    if self.tok.kind == ")":
                        raise CelSyntaxError("trailing comma is not allowed in call arguments", comma.start)
                    continue
                break
        close = self.expect(")", "',' or ')'")
        return tuple(args), close.end

    def parse_primary(self, allow_int64_min: bool = False) -> Node:
        t = self.tok
        k = t.kind
        if k == "ident" or k == ".":
            return self.parse_name()
        if k in _LITERAL_KINDS:
            self.advance()
            if (
                k == "int"
                and isinstance(t.value, int)  # always, for an "int" token: tells the type checker
                and t.value > _INT64_MAX
                and not (allow_int64_min and t.value == _INT64_MAX + 1)
            ):
                raise CelSyntaxError(f"integer literal '{t.text}' is out of range", t.start)
            return Literal(k, t.value, t.text, t.start, t.end)
        if k == "true" or k == "false":
            self.advance()
            return Literal("bool", k == "true", t.text, t.start, t.end)
        if k == "null":
            self.advance()
            return Literal("null", None, t.text, t.start, t.end)
        if k == "(":
            self.advance()
            if self.tok.kind == ")":
                raise CelSyntaxError("empty parentheses", t.start)
            inner = self.parse_expr()
            close = self.expect(")", "')'")
            # Parentheses are not kept as a node; instead the inner node's
            # range is widened to cover them, so that slicing the expression
            # with (offset, end) always yields balanced source text.
            return replace(inner, offset=t.start, end=close.end)
        if k == "[":
            self.advance()
            elems: List[Node] = []
            while self.tok.kind != "]":
                elems.append(self.parse_expr())
                if self.tok.kind == ",":
                    self.advance()
                    continue
                if self.tok.kind != "]":
                    raise self.unexpected("',' or ']'")
            close = self.advance()
            return ListExpr(tuple(elems), t.start, close.end)
        if k == "{":
            self.advance()
            entries: List[Tuple[Node, Node]] = []
            while self.tok.kind != "}":
                key = self.parse_expr()
                if self.tok.kind != ":":
                    raise self.unexpected("':' after a map key")
                self.advance()
                entries.append((key, self.parse_expr()))
                if self.tok.kind == ",":
                    self.advance()
                    continue
                if self.tok.kind != "}":
                    raise self.unexpected("',' or '}'")
            close = self.advance()
            return MapExpr(tuple(entries), t.start, close.end)
        raise self.missing_operand()

    def parse_name(self) -> Node:
        """Identifiers, global calls and message construction.

        ``a.b.c{...}`` is only a message if the dotted name is directly
        followed by ``{``; otherwise ``a.b.c`` is field selection and is
        built by ``parse_member``.
        """
        start_tok = self.tok
        leading_dot = start_tok.kind == "."
        if leading_dot:
            self.advance()
        name = self.tok
        if name.kind != "ident":
            if name.kind in ("in", "true", "false", "null") and leading_dot:
                raise CelSyntaxError(f"'{name.text}' is a reserved word", name.start)
            raise CelSyntaxError("expected an identifier after '.'", name.start)
        if name.text in _HOST_RESERVED:
            raise CelSyntaxError(
                f"'{name.text}' is a reserved word in CEL and cannot be used as an identifier",
                name.start,
            )
        self.advance()
        if self.tok.kind == "(":
            args, end = self.parse_args()
            return Call(None, name.text, args, start_tok.start, end, leading_dot)
        # Look ahead for a qualified message type name: IDENT ('.' IDENT)* '{'.
        j = self.pos
        toks = self.toks
        while toks[j].kind == "." and toks[j + 1].kind == "ident":
            j += 2
        if toks[j].kind == "{":
            parts = [name.text]
            while self.tok.kind == ".":
                self.advance()
                parts.append(self.advance().text)
            type_name = ("." if leading_dot else "") + ".".join(parts)
            return self.parse_message_body(type_name, start_tok.start)
        return Ident(name.text, start_tok.start, name.end, leading_dot)

    def parse_message_body(self, type_name: str, start: int) -> Node:
        """``'{' [field ':' expr {',' field ':' expr}] [','] '}'``."""
        self.advance()  # '{'
        fields: List[Tuple[str, Node]] = []
        while self.tok.kind != "}":
            f = self.tok
            if f.kind != "ident":
                raise CelSyntaxError(f"expected a field name in {type_name}{{...}}, found {_show(f)}", f.start)
            self.advance()
            if self.tok.kind != ":":
                raise self.unexpected("':' after a field name")
            self.advance()
            fields.append((f.text, self.parse_expr()))
            if self.tok.kind == ",":
                self.advance()
                continue
            if self.tok.kind != "}":
                raise self.unexpected("',' or '}'")
        close = self.advance()
        return Message(type_name, tuple(fields), start, close.end)


def _parse_uncached(expr: str) -> Node:
    if not expr.strip():
        raise CelSyntaxError("empty expression", 0)
    toks = _tokenize(expr)
    if len(toks) == 1:
        # Only whitespace and comments.
        raise CelSyntaxError("empty expression", 0)
    _check_brackets(toks)
    parser = _Parser(toks)
    try:
        node = parser.parse_expr()
    except RecursionError:
        raise CelSyntaxError("expression is nested too deeply", 0) from None
    if parser.tok.kind != "eof":
        raise parser.unexpected("end of expression")
    return node


@lru_cache(maxsize=1024)
def _parse_cached(expr: str) -> Tuple[Optional[Node], Optional[Tuple[str, int]]]:
    """Parse once per distinct string.

    Several rules look at the same expression (syntax, data paths,
    comparisons); the AST is immutable so sharing it is safe.  Errors are
    cached as ``(message, offset)`` rather than as the exception object, so
    that no traceback (and the frames it pins) is kept alive by the cache and
    every caller gets an exception of its own.
    """
    try:
        return _parse_uncached(expr), None
    except CelSyntaxError as err:
        return None, (err.message, err.offset)


def parse(expr: str) -> Node:
    """Parse a CEL expression into an AST, raising :class:`CelSyntaxError`."""
    node, err = _parse_cached(expr)
    if err is not None:
        raise CelSyntaxError(*err)
    assert node is not None
    return node


def check_syntax(expr: str) -> Optional[CelSyntaxError]:
    """Return the syntax error of ``expr`` (not raised), or None if it parses."""
    err = _parse_cached(expr)[1]
    return None if err is None else CelSyntaxError(*err)


# ---------------------------------------------------------------------------
# Analyses
# ---------------------------------------------------------------------------


def _children(node: Node) -> Tuple[Node, ...]:
    """Direct sub-expressions in source order."""
    if isinstance(node, Select):
        return (node.operand,)
    if isinstance(node, Index):
        return (node.operand, node.index)
    if isinstance(node, Call):
        return ((node.target,) if node.target is not None else ()) + node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Ternary):
        return (node.condition, node.if_true, node.if_false)
    if isinstance(node, ListExpr):
        return node.elements
    if isinstance(node, MapExpr):
        return tuple(x for kv in node.entries for x in kv)
    if isinstance(node, Message):
        return tuple(v for _, v in node.fields)
    return ()


def iter_nodes(node: Node) -> Iterator[Node]:
    """Yield ``node`` and all its descendants, pre-order, in source order.

    Iterative so that it cannot hit the recursion limit.
    """
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(_children(n)))


def _match_path(node: Node) -> Optional[Tuple[DataPath, bool, List[Union[Select, Index]]]]:
    """Recognise ``event|async . data . KEY ...`` rooted chains.

    Returns ``(path, complete, chain)`` where ``complete`` says whether the
    whole of ``node`` is described by the path (it is not when the chain
    continues with a numeric or computed index, e.g. ``orders[0].id``), and
    ``chain`` lists the Select/Index nodes from the root outward.
    """
    chain: List[Union[Select, Index]] = []
    cur = node
    while isinstance(cur, (Select, Index)):
        chain.append(cur)
        cur = cur.operand
    if not isinstance(cur, Ident) or cur.leading_dot or cur.name not in ("event", "async"):
        return None
    if len(chain) < 2:
        return None
    chain.reverse()
    first = chain[0]
    if not isinstance(first, Select) or first.field != "data":
        return None
    second = chain[1]
    if isinstance(second, Select):
        key, key_end = second.field, second.field_offset + len(second.field)
    elif isinstance(second.index, Literal) and second.index.kind == "string":
        key, key_end = str(second.index.value), second.index.end
    else:
        return None
    rest: List[str] = []
    complete = True
    for step in chain[2:]:
        if isinstance(step, Select):
            rest.append(step.field)
        elif isinstance(step.index, Literal) and step.index.kind == "string":
            rest.append(str(step.index.value))
        else:
            complete = False
            break
    path = DataPath(cur.name, str(key), tuple(rest), cur.offset, key_end)
    return path, complete, chain


def data_paths(expr: str) -> List[DataPath]:
    """Every ``event.data.K...`` / ``async.data.K...`` in source order.

    ``rest`` stops at the first index that is not a string literal
    (``event.data.orders[0].id`` gives key ``orders``, rest ``()``); method
    calls end the path too (``event.data.name.startsWith('a')`` gives key
    ``name``).  Returns [] if ``expr`` does not parse.
    """
    node = _parse_cached(expr)[0]
    if node is None:
        return []
    found: List[DataPath] = []
    stack = [node]
    while stack:
        n = stack.pop()
        m = _match_path(n) if isinstance(n, (Select, Index)) else None
        if m is None:
            stack.extend(reversed(_children(n)))
            continue
        found.append(m[0])
        # Do not report the shorter prefixes of this chain, but do look
        # inside computed indexes: event.data.a[event.data.i].
        for step in reversed(m[2]):
            if isinstance(step, Index):
                stack.append(step.index)
    found.sort(key=lambda p: p.offset)
    return found


_LITERAL_TYPES = {
    "int": "number",
    "uint": "number",
    "double": "number",
    "string": "string",
    "bool": "bool",
    "null": "null",
}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _literal_type(node: Node) -> Optional[str]:
    """Type of a literal operand (``-5`` counts as a number), else None."""
    if isinstance(node, Literal):
        return _LITERAL_TYPES.get(node.kind)
    if isinstance(node, Unary) and node.op == "-":
        inner = node.operand
        while isinstance(inner, Unary) and inner.op == "-":
            inner = inner.operand
        if isinstance(inner, Literal) and inner.kind in ("int", "uint", "double"):
            return "number"
    return None


def _full_path(node: Node) -> Optional[DataPath]:
    m = _match_path(node)
    if m is None or not m[1]:
        return None
    return m[0]


def comparisons(expr: str) -> List[Comparison]:
    """Relations between a data path and a literal, in source order.

    ``op`` is normalised to read ``path op literal``.  For ``in`` only
    ``path in [lit, ...]`` with a non-empty list of literals of one type is
    reported.  Returns [] if ``expr`` does not parse.
    """
    node = _parse_cached(expr)[0]
    if node is None:
        return []
    out: List[Comparison] = []
    for n in iter_nodes(node):
        if not isinstance(n, Binary) or n.op not in _REL_OPS:
            continue
        if n.op == "in":
            path = _full_path(n.left)
            if path is None or not isinstance(n.right, ListExpr) or not n.right.elements:
                continue
            types = {_literal_type(e) for e in n.right.elements}
            literal_type = types.pop() if len(types) == 1 else None
            if literal_type is None:
                continue
            out.append(Comparison(path, "in", literal_type, expr[n.right.offset : n.right.end]))
            continue
        path = _full_path(n.left)
        lit, op = n.right, n.op
        if path is None:
            path = _full_path(n.right)
            lit, op = n.left, _FLIPPED[n.op]
        if path is None:
            continue
        ltype = _literal_type(lit)
        if ltype is None:
            continue
        out.append(Comparison(path, op, ltype, expr[lit.offset : lit.end]))
    return out
