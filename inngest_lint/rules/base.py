"""Rule base classes: `Rule` (one file, visited once) and `ProjectRule` (reads the project index).

A rule is one small file under `inngest_lint/rules/` whose class docstring holds its docs in the
sections What it does / Why is this bad? / Example / Use instead, and whose VALID/INVALID lists
run as tests. A VALID or INVALID entry is a source string, or a dict of relative path -> source
for rules that need several files. INVALID snippets may carry `# error: CODE` markers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar, Union

from inngest_lint.diagnostics import Diagnostic, Fix, Location, Severity

if TYPE_CHECKING:
    import libcst as cst

    from inngest_lint.facts.index import ProjectIndex
    from inngest_lint.semantic.context import FileContext

Example = Union[str, dict]


class RuleMeta:
    """Metadata shared by both kinds of rule."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.ERROR
    default_enabled: ClassVar[bool] = True
    #: "" (no fix), "safe" (it offers safe fixes, perhaps unsafe ones too) or "unsafe" (only
    #: unsafe fixes); the rule's docs say which in their "Fix" section.
    fixable: ClassVar[str] = ""
    #: (before, after) pairs: the code a fix starts from (with the rule's finding) and the code
    #: `--fix --unsafe-fixes` leaves, run as tests. A dict of relative path -> source for
    #: several files.
    FIXES: ClassVar[list[tuple[Example, Example]]] = []
    VALID: ClassVar[list[Example]] = []
    INVALID: ClassVar[list[Example]] = []

    @classmethod
    def docs(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.docs().split("\n", 1)[0]


class Rule(RuleMeta):
    """A per-file rule: `visit_<Node>` / `leave_<Node>` methods called during the one walk.

    The walker updates `self.context` (frames, loops, step names) before a rule's `visit_` and
    after its `leave_`, so a rule reads the semantic model rather than recomputing it.
    """

    def __init__(self, context: FileContext) -> None:
        self.context = context

    def report(self, node: cst.CSTNode, message: str, *, context: str = "", fix: Fix | None = None) -> None:
        self.context.report(node, self.code, message, context=context, fix=fix)

    def finish(self) -> None:
        """Called once after the walk, for rules that decide at the end of the file."""


class ProjectRule(RuleMeta):
    """A project rule: runs once in phase 2 over the merged facts of every file.

    `companion = True` marks the cross-file half of a file rule: it shares the file rule's code
    and docs and is left out of the rule list.
    """

    companion: ClassVar[bool] = False

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.settings = index.settings

    def check(self) -> Iterable[Diagnostic]:
        raise NotImplementedError

    def diagnostic(
        self,
        location: Location,
        message: str,
        *,
        context: str = "",
        related: tuple[Location, ...] = (),
        fix: Fix | None = None,
    ) -> Diagnostic:
        return Diagnostic.at(location, self.code, message, context=context, related=related, fix=fix)

    def shown(self, location: Location) -> str:
        """`path:line` of another place, for a message: relative to the project root."""
        from inngest_lint.rules._project import shown

        return shown(location, self.index.root)
