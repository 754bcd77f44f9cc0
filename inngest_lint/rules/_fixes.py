"""Replacement code shared by the rules' fixes: the names a fix writes must mean, in the file
being fixed, what the fix says they mean (an import is added only for a name nothing binds)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from inngest_lint.semantic.context import FileContext

#: A spelling of a standard-library name and the top-level statements it needs.
Spelling = tuple[cst.BaseExpression, tuple[cst.SimpleStatementLine, ...]]


def name_is_free(context: FileContext, name: str) -> bool:
    """Whether nothing in scope binds `name` (so `import name` at the top means the module)."""
    return not any(frame.binds(name) or frame.scan.star_imports for frame in context.frames)


def module_attribute(context: FileContext, module: str, attribute: str) -> Spelling | None:
    """How to write `module.attribute` here: a name already imported for it (`timedelta` after
    `from datetime import timedelta`), `alias.attribute` after `import module as alias`, else
    `module.attribute` with `import module` added when the name `module` is free; None when
    none of these is certain."""
    qualified = f"{module}.{attribute}"
    for frame in reversed(context.frames):
        for bound, target in frame.scan.imports.items():
            if target == qualified and context.qualify(cst.Name(bound)) == qualified:
                return cst.Name(bound), ()
            if target == module and context.qualify(cst.Name(bound)) == module:
                return cst.Attribute(cst.Name(bound), cst.Name(attribute)), ()
    if "." in module or not name_is_free(context, module):
        return None
    statement = cst.SimpleStatementLine([cst.Import([cst.ImportAlias(cst.Name(module))])])
    return cst.Attribute(cst.Name(module), cst.Name(attribute)), (statement,)


#: timedelta keywords, largest first: a duration is written in the largest unit it is whole in.
_TIMEDELTA_UNITS = (("days", 86_400_000), ("hours", 3_600_000), ("minutes", 60_000), ("seconds", 1000))


def timedelta_call(context: FileContext, milliseconds: float) -> Spelling | None:
    """`datetime.timedelta(minutes=5)` for 300,000 ms, spelled as this file can (see
    `module_attribute`); None for a duration that is not a whole number of milliseconds."""
    spelling = module_attribute(context, "datetime", "timedelta")
    if spelling is None or milliseconds <= 0 or milliseconds != int(milliseconds):
        return None
    function, statements = spelling
    keyword, amount = "milliseconds", int(milliseconds)
    for name, size in _TIMEDELTA_UNITS:
        if milliseconds % size == 0:
            keyword, amount = name, int(milliseconds // size)
            break
    argument = cst.Arg(
        cst.Integer(str(amount)),
        keyword=cst.Name(keyword),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    return cst.Call(function, [argument]), statements


def utc_timezone(context: FileContext) -> Spelling | None:
    """How to write `datetime.timezone.utc` here: through a name already imported for
    `datetime.timezone` or the module (see `module_attribute`), else `timezone.utc` with
    `from datetime import timezone` added when the name `timezone` is free (a file that did
    `from datetime import datetime` cannot `import datetime`); None when none is certain."""
    spelling = module_attribute(context, "datetime", "timezone")
    if spelling is None and name_is_free(context, "timezone"):
        statement = cst.SimpleStatementLine(
            [cst.ImportFrom(module=cst.Name("datetime"), names=[cst.ImportAlias(cst.Name("timezone"))])]
        )
        spelling = cst.Name("timezone"), (statement,)
    if spelling is None:
        return None
    timezone, statements = spelling
    return cst.Attribute(timezone, cst.Name("utc")), statements
