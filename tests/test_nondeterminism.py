"""The shared list of calls whose result changes on every execution (INN108, INN116)."""

from __future__ import annotations

import libcst as cst
import pytest

from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.nondeterminism import nondeterministic_call
from inngest_lint.settings import Settings


def _match(imports: str, expression: str) -> str | None:
    """What `nondeterministic_call` says about `RESULT = <expression>` after `imports`."""
    source = f"{imports}\nRESULT = {expression}\n"
    tree = cst.parse_module(source)
    context = FileContext(
        path="app.py",
        display_path="app.py",
        module="app",
        is_package=False,
        is_test=False,
        source=source,
        tree=tree,
        settings=Settings(),
    )
    statement = tree.body[-1]
    assert isinstance(statement, cst.SimpleStatementLine)
    assign = statement.body[0]
    assert isinstance(assign, cst.Assign) and isinstance(assign.value, cst.Call)
    return nondeterministic_call(context, assign.value)


@pytest.mark.parametrize(
    ("imports", "expression", "expected"),
    [
        ("import uuid", "uuid.uuid4()", "uuid.uuid4"),
        ("from uuid import uuid4 as make_id", "make_id()", "uuid.uuid4"),
        ("import uuid", "uuid.uuid1()", "uuid.uuid1"),
        ("import time", "time.time()", "time.time"),
        ("from time import time_ns", "time_ns()", "time.time_ns"),
        ("import time", "time.monotonic()", "time.monotonic"),
        ("import time", "time.localtime()", "time.localtime"),
        ("import time", "time.strftime('%Y')", "time.strftime"),
        ("import datetime", "datetime.datetime.now()", "datetime.datetime.now"),
        ("import datetime as dt", "dt.datetime.utcnow()", "datetime.datetime.utcnow"),
        ("from datetime import datetime", "datetime.now(tz=None)", "datetime.datetime.now"),
        ("from datetime import date", "date.today()", "datetime.date.today"),
        ("import random", "random.random()", "random.random"),
        ("from random import choice", "choice([1, 2])", "random.choice"),
        ("import random", "random.Random()", "random.Random"),
        ("import secrets", "secrets.token_hex(8)", "secrets.token_hex"),
        ("import os", "os.urandom(8)", "os.urandom"),
    ],
)
def test_changes_on_every_run(imports: str, expression: str, expected: str) -> None:
    assert _match(imports, expression) == expected


@pytest.mark.parametrize(
    ("imports", "expression"),
    [
        ("import uuid", "uuid.uuid5(uuid.NAMESPACE_URL, 'x')"),
        ("import time", "time.localtime(0)"),
        ("import time", "time.strftime('%Y', time.gmtime(0))"),
        ("import datetime", "datetime.datetime.fromtimestamp(0)"),
        ("import random", "random.seed(42)"),
        ("import random", "random.Random(42)"),
        ("import secrets", "secrets.compare_digest('a', 'b')"),
        ("def uuid4():\n    return 'fixed'", "uuid4()"),
        ("import os", "os.getenv('X')"),
        ("", "len('x')"),
    ],
)
def test_stable_calls_are_not_matched(imports: str, expression: str) -> None:
    assert _match(imports, expression) is None
