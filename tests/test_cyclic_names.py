"""Module-level names bound to themselves (`T = T`, `T = [T]`) compile, and must be linted.

Following a trigger name to its value once per name keeps the collector from recursing until
the stack runs out (which turned the whole file into "nested too deeply", INN900).
"""

from __future__ import annotations

import pytest

from inngest_lint.engine.file_pass import FileInput, lint_file
from inngest_lint.registry import all_rules
from inngest_lint.settings import Settings

CODES = frozenset(rule.code for rule in all_rules())


@pytest.mark.parametrize(
    "bindings",
    [
        "T = T",
        "T = [T]",
        "T = U\nU = (T, inngest.TriggerEvent(event='app/b', expression='event.data.x == 1'))",
        "T = [U]\nU = [T]",
    ],
)
def test_self_referencing_trigger_names_are_linted(bindings: str) -> None:
    source = (
        "import inngest\n\nclient = inngest.Inngest(app_id='app')\n"
        f"{bindings}\n\n\n"
        "@client.create_function(fn_id='f', trigger=T)\n"
        "async def f(ctx: inngest.Context) -> None:\n"
        "    await ctx.step.run('a', work)\n"
    )
    compile(source, "app.py", "exec")
    result = lint_file(FileInput("/project/app.py", "app", False, False, text=source), Settings(), CODES)
    assert result.parsed and result.facts is not None
    assert not [d for d in result.diagnostics if d.code in ("INN900", "INN000") or d.internal], result.diagnostics
