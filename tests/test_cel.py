"""Tests for inngest_lint.cel, the hand-written CEL parser.

Two kinds of tests:

* unit tests of the public API (data paths, comparisons, AST shape, error
  messages and offsets) on realistic Inngest expressions;
* an oracle test that checks, over a corpus of a few hundred expressions, that
  our parser accepts exactly what cel-python's parser accepts, except for a
  short, explained allow-list where cel-python departs from the CEL spec.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Dict, List, Optional, Tuple

import pytest

from inngest_lint import cel
from inngest_lint.cel import (
    Binary,
    Call,
    CelSyntaxError,
    Comparison,
    DataPath,
    Ident,
    Index,
    ListExpr,
    Literal,
    MapExpr,
    Message,
    Select,
    Ternary,
    Unary,
    check_syntax,
    comparisons,
    data_paths,
    iter_nodes,
    parse,
)


def _load_corpus() -> ModuleType:
    """Import tests/cel_corpus.py by path.

    By path rather than by name so that it works whether or not ``tests`` is
    (or later becomes) a package, and whatever pytest's import mode is.
    """
    path = Path(__file__).with_name("cel_corpus.py")
    spec = importlib.util.spec_from_file_location("_inngest_lint_cel_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CORPUS: List[Tuple[str, bool]] = _load_corpus().CORPUS

# Expressions on which cel-python's parser (0.5.0) and the CEL spec / cel-go
# (what the Inngest server runs) disagree.  Our parser follows the spec; the
# oracle test asserts that cel-python gives the *opposite* answer here, so an
# entry that stops disagreeing (e.g. after a cel-python fix) fails loudly and
# can be removed.  Keep this list short: one representative per cause.
CELPY_DISAGREEMENTS: Dict[str, str] = {
    # The spec grammar allows a trailing comma in list, map and message
    # literals ("[" [ExprList] [","] "]"); cel-python's Lark grammar does not.
    "[1, 2,]": "cel-python rejects trailing commas in literals",
    # Spec: message construction only follows a (qualified) type name.
    # cel-python's grammar has `member "{" fieldinits "}"`, so any member works.
    "a[0]{x: 1}": "cel-python accepts message construction after any member",
    # Reserved words cannot be identifiers; cel-python declares the RESERVED
    # terminal but never uses it, so they lex as ordinary identifiers.
    "if": "cel-python does not reject reserved words",
    # The spec lexical grammar needs digits after the '.' (cel-go lexes `1.`
    # as `1` `.` and then wants a field name); cel-python's FLOAT_LIT allows
    # `DIGIT+ "." DIGIT*`.
    "1.": "cel-python accepts a float with no digits after the point",
    # cel-go reports "invalid int literal" for values outside int64 at parse
    # time; cel-python only parses.
    "99999999999999999999": "cel-python does not range-check int literals",
    # cel-go's grammar is ('!')+ member | ('-')+ member: the two unary
    # operators cannot be mixed; cel-python's `unary_neg unary` recursion can.
    "-!a": "cel-python allows mixing '!' and '-'",
    # cel-python's string regex ends with a `.` alternative that swallows any
    # backslash, so invalid escapes pass and '\"' can even close a string.
    "'\\q'": "cel-python does not validate escape sequences",
    '"\\"': "cel-python lets a backslash before the closing quote end the string",
}


# ---------------------------------------------------------------------------
# data_paths
# ---------------------------------------------------------------------------


def _keys(expr: str) -> List[Tuple[str, str, Tuple[str, ...]]]:
    return [(p.root, p.key, p.rest) for p in data_paths(expr)]


def test_data_path_simple_with_offsets() -> None:
    expr = "async.data.lead_id == 'lead-123'"
    assert data_paths(expr) == [DataPath("async", "lead_id", (), 0, 18)]
    assert expr[0:18] == "async.data.lead_id"


def test_data_paths_both_sides_in_source_order() -> None:
    expr = "async.data.leadId == event.data.lead_id"
    paths = data_paths(expr)
    assert [(p.root, p.key) for p in paths] == [("async", "leadId"), ("event", "lead_id")]
    assert expr[paths[1].offset : paths[1].end_offset] == "event.data.lead_id"


def test_data_path_stops_at_numeric_index() -> None:
    assert _keys("async.data.order_id == event.data.orders[0].id") == [
        ("async", "order_id", ()),
        ("event", "orders", ()),
    ]


def test_data_path_bracket_key() -> None:
    expr = "event.data['user-id'] != null"
    (path,) = data_paths(expr)
    assert (path.root, path.key, path.rest) == ("event", "user-id", ())
    # end_offset is just past the key token (the string literal), not the ']'.
    assert expr[path.offset : path.end_offset] == "event.data['user-id'"


def test_data_path_double_quoted_and_raw_bracket_keys() -> None:
    assert _keys("async.data[\"lead_id\"] == event.data[r'k']") == [
        ("async", "lead_id", ()),
        ("event", "k", ()),
    ]


def test_data_path_rest_fields_and_string_keys() -> None:
    assert _keys("event.data.user['profile'].email == 'a'") == [("event", "user", ("profile", "email"))]


def test_data_path_method_call_ends_path() -> None:
    assert _keys("event.data.user.email.endsWith('@acme.com')") == [("event", "user", ("email",))]
    assert _keys("event.data.name.startsWith('a')") == [("event", "name", ())]


def test_data_paths_inside_calls_and_conditionals() -> None:
    assert _keys("has(event.data.x) ? event.data.x : 0") == [
        ("event", "x", ()),
        ("event", "x", ()),
    ]
    assert _keys("size(event.data.items) > 0") == [("event", "items", ())]
    assert _keys("event.data.items.exists(i, i.sku == async.data.sku)") == [
        ("event", "items", ()),
        ("async", "sku", ()),
    ]


def test_data_path_in_computed_index() -> None:
    assert _keys("event.data.a[event.data.i].b") == [("event", "a", ()), ("event", "i", ())]


@pytest.mark.parametrize(
    "expr",
    [
        "event.data",
        "event.name == 'app/x'",
        "event.id",
        "event.ts > 0",
        "events[0].data.x == 1",
        "event.data[0]",
        "event.data[k]",
        "x.data.k",
        ".event.data.k",
        "event.user.id",
        "data.k",
    ],
)
def test_not_data_paths(expr: str) -> None:
    assert data_paths(expr) == []


def test_data_paths_of_invalid_expression_is_empty() -> None:
    assert data_paths("event.data.x = 1") == []
    assert comparisons("event.data.x = 1") == []


def test_data_path_through_parentheses() -> None:
    expr = "(event.data.x) == 1"
    (path,) = data_paths(expr)
    assert expr[path.offset : path.end_offset] == "event.data.x"


# ---------------------------------------------------------------------------
# comparisons
# ---------------------------------------------------------------------------


def test_comparison_string() -> None:
    (c,) = comparisons("async.data.lead_id == 'lead-123'")
    assert c == Comparison(DataPath("async", "lead_id", (), 0, 18), "==", "string", "'lead-123'")


def test_comparison_path_to_path_is_not_reported() -> None:
    assert comparisons("async.data.leadId == event.data.lead_id") == []
    assert comparisons("async.data.order_id == event.data.orders[0].id") == []


def test_comparison_null() -> None:
    (c,) = comparisons("event.data['user-id'] != null")
    assert (c.path.key, c.op, c.literal_type, c.literal_text) == ("user-id", "!=", "null", "null")


def test_comparisons_under_and() -> None:
    got = comparisons("event.data.amount > 100 && event.data.currency == 'usd'")
    assert [(c.path.key, c.op, c.literal_type, c.literal_text) for c in got] == [
        ("amount", ">", "number", "100"),
        ("currency", "==", "string", "'usd'"),
    ]


def test_comparison_in_list() -> None:
    (c,) = comparisons("event.data.plan in ['pro', 'team']")
    assert (c.path.key, c.op, c.literal_type, c.literal_text) == (
        "plan",
        "in",
        "string",
        "['pro', 'team']",
    )


@pytest.mark.parametrize(
    "expr",
    [
        "event.data.plan in ['pro', 1]",  # mixed types
        "event.data.plan in []",  # nothing to type
        "event.data.plan in [x]",  # not a literal
        "event.data.plan in event.data.plans",
        "'pro' in event.data.plans",
    ],
)
def test_comparison_in_skipped(expr: str) -> None:
    assert comparisons(expr) == []


def test_comparison_in_numbers_of_mixed_numeric_kinds() -> None:
    (c,) = comparisons("event.data.n in [1, 2.5, 3u, -4]")
    assert c.literal_type == "number"


def test_comparison_literal_on_left() -> None:
    (c,) = comparisons("'x' == async.data.k")
    assert (c.path.root, c.path.key, c.op, c.literal_text) == ("async", "k", "==", "'x'")


def test_comparison_literal_on_left_flips_ordering() -> None:
    (c,) = comparisons("5 < event.data.x")
    assert (c.op, c.literal_text) == (">", "5")
    (c,) = comparisons("5 >= event.data.x")
    assert c.op == "<="


@pytest.mark.parametrize(
    "expr, ltype, text",
    [
        ("event.data.n == 1u", "number", "1u"),
        ("event.data.n == 1.5", "number", "1.5"),
        ("event.data.n == 0x10", "number", "0x10"),
        ("event.data.n > -5", "number", "-5"),
        ("event.data.ok == true", "bool", "true"),
        ("event.data.ok != false", "bool", "false"),
        ('event.data.s == "dq"', "string", '"dq"'),
        ("event.data.s == '''tq'''", "string", "'''tq'''"),
        ("event.data.s == r'\\d'", "string", "r'\\d'"),
    ],
)
def test_comparison_literal_types(expr: str, ltype: str, text: str) -> None:
    (c,) = comparisons(expr)
    assert (c.literal_type, c.literal_text) == (ltype, text)


@pytest.mark.parametrize(
    "expr",
    [
        "has(event.data.x) ? event.data.x : 0",
        "event.data.user.email.endsWith('@acme.com')",
        "event.data.b == b'bytes'",  # bytes are not one of the reported types
        "event.data.x + 1 == 2",
        "event.data.items[0] == 1",  # path does not cover the whole operand
        "event.name == 'x'",
        "1 == 1",
        "event.data.x == y",
    ],
)
def test_no_comparisons(expr: str) -> None:
    assert comparisons(expr) == []


def test_comparison_nested_in_ternary_and_calls() -> None:
    got = comparisons("f(event.data.a == 1) ? [event.data.b != 'x'] : {'k': event.data.c < 2.0}")
    assert [(c.path.key, c.op) for c in got] == [("a", "=="), ("b", "!="), ("c", "<")]


def test_comparison_rest_path() -> None:
    (c,) = comparisons("event.data.user.tier == 'gold'")
    assert (c.path.key, c.path.rest) == ("user", ("tier",))


# ---------------------------------------------------------------------------
# AST
# ---------------------------------------------------------------------------


def test_precedence_and_associativity() -> None:
    node = parse("a || b && c == d + e * f")
    assert isinstance(node, Binary) and node.op == "||"
    right = node.right
    assert isinstance(right, Binary) and right.op == "&&"
    eq = right.right
    assert isinstance(eq, Binary) and eq.op == "=="
    plus = eq.right
    assert isinstance(plus, Binary) and plus.op == "+"
    assert isinstance(plus.right, Binary) and plus.right.op == "*"

    left_assoc = parse("a - b - c")
    assert isinstance(left_assoc, Binary) and isinstance(left_assoc.left, Binary)


def test_ternary_is_right_associative() -> None:
    node = parse("a ? b : c ? d : e")
    assert isinstance(node, Ternary)
    assert isinstance(node.if_false, Ternary)
    assert isinstance(node.condition, Ident) and node.condition.name == "a"


def test_member_chain_nodes() -> None:
    node = parse("a.b[0].c(d)")
    assert isinstance(node, Call) and node.name == "c" and len(node.args) == 1
    assert isinstance(node.target, Index)
    assert isinstance(node.target.operand, Select) and node.target.operand.field == "b"


def test_global_and_leading_dot_calls() -> None:
    node = parse(".f(x, y)")
    assert isinstance(node, Call) and node.target is None and node.leading_dot
    ident = parse(".a")
    assert isinstance(ident, Ident) and ident.leading_dot and ident.name == "a"


def test_unary_nodes() -> None:
    node = parse("!!a")
    assert isinstance(node, Unary) and isinstance(node.operand, Unary)
    neg = parse("-a")
    assert isinstance(neg, Unary) and neg.op == "-"


def test_aggregates_and_messages() -> None:
    lst = parse("[1, 'a', [true],]")
    assert isinstance(lst, ListExpr) and len(lst.elements) == 3
    m = parse("{'a': 1, 2: b,}")
    assert isinstance(m, MapExpr) and len(m.entries) == 2
    msg = parse(".google.protobuf.Int64Value{value: 1,}")
    assert isinstance(msg, Message)
    assert msg.type_name == ".google.protobuf.Int64Value"
    assert [f for f, _ in msg.fields] == ["value"]


def test_qualified_name_without_brace_is_selection() -> None:
    node = parse("a.b.c")
    assert isinstance(node, Select) and node.field == "c"


@pytest.mark.parametrize(
    "expr, kind, value",
    [
        ("123", "int", 123),
        ("0x1F", "int", 31),
        ("7u", "uint", 7),
        ("1.5", "double", 1.5),
        (".5", "double", 0.5),
        ("1e3", "double", 1000.0),
        ("'a\\nb'", "string", "a\nb"),
        ("'\\u00e9\\x41\\101'", "string", "éAA"),
        ("'\\U0001F600'", "string", "\U0001f600"),
        ("r'\\n'", "string", "\\n"),
        ("'''a\r\nb'''", "string", "a\nb"),
        ("b'\\xff\\377a'", "bytes", b"\xff\xffa"),
        ("b'é'", "bytes", "é".encode()),
        ("true", "bool", True),
        ("null", "null", None),
    ],
)
def test_literal_values(expr: str, kind: str, value: object) -> None:
    node = parse(expr)
    assert isinstance(node, Literal)
    assert (node.kind, node.value, node.text) == (kind, value, expr)


def test_int64_min_is_allowed_only_negated() -> None:
    node = parse("-9223372036854775808")
    assert isinstance(node, Unary)
    assert check_syntax("9223372036854775808") is not None
    assert check_syntax("-(9223372036854775808)") is not None


def test_offsets_cover_source_text() -> None:
    expr = "f(a.b, [1, 2]) + (c)"
    node = parse(expr)
    for n in iter_nodes(node):
        text = expr[n.offset : n.end]
        assert text.count("(") == text.count(")"), (n, text)
        assert text.count("[") == text.count("]"), (n, text)
    assert isinstance(node, Binary)
    assert expr[node.op_offset] == "+"
    assert expr[node.right.offset : node.right.end] == "(c)"


def test_offsets_in_triple_quoted_strings_count_characters() -> None:
    # Offsets are plain indexes into the str: a newline inside a triple-quoted
    # string is one character, so positions after it are not line/column.
    expr = "'''line one\nline two''' == event.data.x"
    (path,) = data_paths(expr)
    assert path.offset == expr.index("event")
    assert expr[path.offset : path.end_offset] == "event.data.x"


def test_iter_nodes_source_order() -> None:
    names = [n.name for n in iter_nodes(parse("f(a, b) ? c : d")) if isinstance(n, Ident)]
    assert names == ["a", "b", "c", "d"]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

ERROR_CASES: List[Tuple[str, str, int]] = [
    ("", "empty expression", 0),
    ("   \n\t", "empty expression", 0),
    ("// just a comment", "empty expression", 0),
    ("(a && b", "unbalanced parenthesis", 0),
    ("a && b)", "unbalanced parenthesis", 6),
    ("f(a, g(b)", "unbalanced parenthesis", 1),
    ("event.data['k'", "unbalanced bracket", 10),
    ("{'a': 1", "unbalanced brace", 0),
    ("(a]", "expected ')' to close '('", 2),
    ("event.data.x == 'abc", "unterminated string", 16),
    ('event.data.x == "abc', "unterminated string", 16),
    ("x == '''abc''", "unterminated string", 5),
    ("x == r'abc", "unterminated string", 5),
    ("x == 'a\nb'", "unterminated string", 5),
    ("x == '\\q'", "invalid escape sequence", 6),
    ("x == '\\x4'", "invalid escape sequence", 6),
    ("x == '\\8'", "invalid escape sequence", 6),
    ("event.data.x = 1", "'=' is not an operator; use '=='", 13),
    ("a === b", "use '=='", 2),
    ("a !== b", "use '!='", 2),
    ("a <> b", "use '!='", 2),
    ("a &&& b", "'&&&' is not an operator", 2),
    ("a ||| b", "'|||' is not an operator", 2),
    ("a & b", "use '&&'", 2),
    ("a | b", "use '||'", 2),
    ("a &&", "missing operand after '&&'", 2),
    ("a ||", "missing operand after '||'", 2),
    ("&& a", "missing operand before '&&'", 0),
    ("a && || b", "missing operand between '&&' and '||'", 5),
    ("a +", "missing operand after '+'", 2),
    ("a ==", "missing operand after '=='", 2),
    ("!", "missing operand after '!'", 0),
    ("a b", "missing operator", 2),
    ("event.data.x 'y'", "missing operator", 13),
    ("a and b", "use '&&'", 2),
    ("a or b", "use '||'", 2),
    ("not a", "use '!'", 0),
    ("a not in b", "!(x in list)", 2),
    ("a is null", "use '=='", 2),
    ("a if b else c", "cond ? a : b", 2),
    ("a # b", "unexpected character '#'", 2),
    ("a @ b", "unexpected character '@'", 2),
    ("$a", "unexpected character '$'", 0),
    ("`a`", "unexpected character '`'", 0),
    ("a ? b", "expected ':'", 2),
    ("a ? b ? c : d : e", "must be parenthesized", 6),
    ("a : b", "':' without a matching '?'", 2),
    ("a.", "expected a field name after '.'", 2),
    ("a..b", "expected a field name after '.'", 2),
    ("a.1", "expected a field name after '.'", 1),
    ("a[]", "missing index", 2),
    ("()", "empty parentheses", 0),
    ("f(a,)", "trailing comma", 3),
    ("1.", "write '1.0'", 0),
    ("1e", "invalid number literal", 0),
    ("0x", "invalid number literal", 0),
    ("1u2", "invalid number literal", 0),
    ("99999999999999999999", "out of range", 0),
    ("18446744073709551616u", "out of range", 0),
    ("1e999", "out of range", 0),
    ("-!a", "cannot be combined", 1),
    ("!-a", "cannot be combined", 1),
    ("f(x){}", "message construction needs a type name", 4),
    ("a.true", "reserved word", 2),
    ("a.in", "reserved word", 2),
    ("rb'x'", "br'...'", 0),
    ("f'{x}'", "f-strings are not supported", 0),
    ("u'x'", "invalid string prefix 'u'", 0),
    ("a ** b", "'**' is not an operator", 2),
    ("'a' 'b'", "missing operator", 4),
    ("a, b", "unexpected ','", 1),
]


@pytest.mark.parametrize("expr, message, offset", ERROR_CASES)
def test_error_message_and_offset(expr: str, message: str, offset: int) -> None:
    err = check_syntax(expr)
    assert err is not None, expr
    assert message in err.message
    assert err.offset == offset
    with pytest.raises(CelSyntaxError) as info:
        parse(expr)
    assert (info.value.message, info.value.offset) == (err.message, err.offset)


@pytest.mark.parametrize("word", sorted(cel.RESERVED_WORDS - {"true", "false", "null", "in"}))
def test_reserved_words(word: str) -> None:
    err = check_syntax(f"{word} == 1")
    assert err is not None and "reserved" in err.message and err.offset == 0
    # cel-go, like the spec's SELECTOR rule, allows them after a dot.
    assert check_syntax(f"a.{word} == 1") is None
    assert check_syntax(f"Msg{{{word}: 1}}") is None


def test_in_and_literals_are_not_identifiers() -> None:
    assert check_syntax("in") is not None
    assert isinstance(parse("true"), Literal)


@pytest.mark.parametrize(
    "expr",
    [
        "None",
        "True",
        "False",
        "event.data.x == None",
        "a.if",
        "!-1",
        "--a",
        "{'a': 1,}",
        "Msg{a: 1,}",
        "1.e3",
        "a // comment",
        "'''a\nb'''",
        "b'''x'''",
        "BR'x'",
        "1in [1]",
        "1. size",  # like cel-go: the field `size` of the int 1
    ],
)
def test_valid_edge_cases(expr: str) -> None:
    assert check_syntax(expr) is None


def test_error_is_fresh_each_time() -> None:
    with pytest.raises(CelSyntaxError) as first:
        parse("a = b")
    with pytest.raises(CelSyntaxError) as second:
        parse("a = b")
    assert first.value is not second.value
    assert repr(first.value) == "CelSyntaxError(\"'=' is not an operator; use '=='\", 2)"


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    deep = "(" * 5000 + "a" + ")" * 5000
    err = check_syntax(deep)
    assert err is not None and "nested too deeply" in err.message
    assert check_syntax("(" * 50 + "a" + ")" * 50) is None
    assert check_syntax("!" * 5000 + "a") is None
    assert check_syntax(" + ".join(["a"] * 2000)) is None


def test_module_imports_only_stdlib() -> None:
    """Importing cel must stay cheap: no third-party (cel-python, lark) imports."""
    tree = ast.parse(Path(cel.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "re", "dataclasses", "functools", "typing"}


# ---------------------------------------------------------------------------
# Oracle: cel-python
# ---------------------------------------------------------------------------


def test_corpus_is_large_and_covers_both_outcomes() -> None:
    exprs = [e for e, _ in CORPUS]
    assert len(exprs) >= 150
    assert len(set(exprs)) == len(exprs), "duplicate corpus entries"
    assert sum(1 for _, ok in CORPUS if ok) >= 60
    assert sum(1 for _, ok in CORPUS if not ok) >= 60
    assert set(CELPY_DISAGREEMENTS) <= set(exprs), "allow-list entries must be in the corpus"


@pytest.mark.parametrize("expr, valid", CORPUS)
def test_corpus_expected_validity(expr: str, valid: bool) -> None:
    err = check_syntax(expr)
    assert (err is None) == valid, f"{expr!r}: {err!r}"


@pytest.fixture(scope="module")
def celpy_env() -> object:
    celpy = pytest.importorskip("celpy", reason="cel-python (the oracle) is not installed; pip install cel-python")
    return celpy.Environment()


def _celpy_accepts(env: object, expr: str) -> bool:
    import celpy  # only reached once the fixture has imported it

    try:
        env.compile(expr)  # type: ignore[attr-defined]
    except celpy.CELParseError:
        return False
    return True


@pytest.mark.parametrize("expr, valid", CORPUS)
def test_against_cel_python(celpy_env: object, expr: str, valid: bool) -> None:
    ours = check_syntax(expr) is None
    theirs = _celpy_accepts(celpy_env, expr)
    reason: Optional[str] = CELPY_DISAGREEMENTS.get(expr)
    if reason is None:
        assert ours == theirs, f"{expr!r}: ours={ours} cel-python={theirs}"
    else:
        assert ours != theirs, f"{expr!r} no longer disagrees ({reason}); drop it from the list"
        assert ours == valid
