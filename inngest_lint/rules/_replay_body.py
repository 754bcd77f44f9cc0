"""The base class of the replay-body rules; the model it drives lives in `semantic.replay`."""

from __future__ import annotations

import libcst as cst

from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.replay import ReplayBody


class ReplayBodyRule(Rule):
    """Base of the rules about code that re-runs on every re-entry of a function body (INN107,
    INN108, INN109): tracks the body with `ReplayBody` and reports, when the function ends, the
    findings it held (they stand only if the function makes a step call)."""

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.body = ReplayBody(context)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.body.visit_FunctionDef(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        for found, message, context, fix in self.body.leave_FunctionDef(node):
            self.report(found, message, context=context, fix=fix)
