"""Rule base classes: `Rule` (one file, visited once) and `ProjectRule` (reads the project index).

A rule is one small file under `inngest_lint/rules/` (CONTRIBUTING.md, "Adding a rule"). Its
class docstring is its docs: a one-line summary, then the sections What it does and Why is this
bad?, then optionally prose for Example and Use instead, and any further sections (Not flagged).
Its `VALID` and `INVALID` tuples run as tests (tests/test_rule_examples.py) and are the docs'
code: `inngest_lint.docs` shows the first INVALID case under Example and the first VALID case
under Use instead, so a docstring holds no code block of its own there. Write those two as a
pair, the mistake and its fix; the other cases are tests only.

A case is a source string (the file `app.py`), or a dict of relative path -> text for a rule
that needs several files (a `pyproject.toml` among them sets options). INVALID cases carry
`# error: CODE` markers on the lines the rule reports. `options` names the configuration keys a
rule reads (`max-sleep`); the docs list them with config.py's description.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Union

from inngest_lint.diagnostics import Diagnostic, Fix, Location, Severity

if TYPE_CHECKING:
    import libcst as cst

    from inngest_lint.facts.index import ProjectIndex
    from inngest_lint.semantic.context import FileContext

Example = Union[str, dict[str, str]]


class RuleMeta:
    """Metadata shared by both kinds of rule."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.ERROR
    default_enabled: ClassVar[bool] = True
    #: "" (no fix), "safe" (it offers safe fixes, perhaps unsafe ones too) or "unsafe" (only
    #: unsafe fixes); the rule's docs say which in their "Fix" section.
    fixable: ClassVar[str] = ""
    #: Configuration keys (`[tool.inngest-lint]`) that change what the rule reports.
    options: ClassVar[tuple[str, ...]] = ()
    #: Code that must not be flagged; the first is the docs' "Use instead".
    VALID: ClassVar[tuple[Example, ...]] = ()
    #: Code that must be flagged, on the lines marked `# error: CODE`; the first is the docs' "Example".
    INVALID: ClassVar[tuple[Example, ...]] = ()
    #: (before, after) pairs: the code a fix starts from (with the rule's finding) and the code
    #: `--fix --unsafe-fixes` leaves, run as tests. A dict of relative path -> source for
    #: several files.
    FIXES: ClassVar[tuple[tuple[Example, Example], ...]] = ()

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

    `half_of = "INN104"` makes it the cross-file half of that file rule: it reports under the
    file rule's code, and the file rule's docs, examples and catalog entry cover both halves
    (its own docstring says only what it reads across files). It is left out of the rule list.
    """

    #: The code of the file rule this is the cross-file half of ("" for a rule of its own).
    half_of: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.half_of:
            cls.code = cls.half_of

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
        caused_by: Location | None = None,
        fix: Fix | None = None,
    ) -> Diagnostic:
        """A finding at `location`; `caused_by` is the place in another file whose change brings
        it, given only when the rule knows it for certain (see `Diagnostic.caused_by`); `fix` the
        edit that resolves it, when the code determines one."""
        return Diagnostic.at(
            location, self.code, message, context=context, related=related, caused_by=caused_by, fix=fix
        )

    def shown(self, location: Location) -> str:
        """`path:line` of another place, for a message: relative to the project root."""
        from inngest_lint.rules._project import shown

        return shown(location, self.index.root)
