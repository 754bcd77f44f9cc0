"""INN902: the report stage judges noqa comments once every other finding is settled
(`selection.Selection.unused_noqa`); this class documents it."""

from __future__ import annotations

from typing import ClassVar

from inngest_lint.diagnostics import Severity
from inngest_lint.rules.base import Example, Rule


class UnusedNoqaRule(Rule):
    """A `# noqa` code that names no rule, or that suppresses nothing.

    ## What it does
    Reports each code (or rule name) in a `# noqa: ...` or `# inngest-lint: noqa: ...` comment
    that no inngest-lint rule has (`INN999`, a misspelt rule name), or whose rule is checked in
    this run and has no finding there to hide: on the comment's line, or anywhere in the file for
    the file-level comment. A `# noqa` on the line that causes a cross-file finding counts as used
    (it hides the finding where a run that names only that file reports it). Off by default, as
    ruff's RUF100.

    Each finding spans exactly the code's text.

    ## Why is this bad?
    A suppression that suppresses nothing hides the next real finding on its line without
    anyone deciding so, and a misspelt code suppresses nothing while looking as if it did.

    ## Not flagged
    Codes of other tools (`# noqa: E501`), bare comments (`# noqa` is read by other
    tools too; a bare `# inngest-lint: noqa` turns every rule off in its file, this one
    included), and rules the run does not check (with `--select INN1`, a `# noqa: INN201` may
    still be needed).

    ## Fix
    Removes the code from its comment: the whole `# noqa: ...` directive when it was the only
    code (other comments on the line stay), else the code and its separator
    (`# noqa: E501, INN999` becomes `# noqa: E501`). Safe, as ruff's RUF100 fix: the code hid no
    finding in this run, so removing it changes no finding; a rule the run does not check is
    never reported, so its codes are never removed.
    """

    code = "INN902"
    name = "unused-noqa"
    severity = Severity.WARNING
    default_enabled = False
    fixable = "safe"
    FIXES: ClassVar[tuple[tuple[Example, Example], ...]] = (
        ("import inngest\n\nx = 1  # noqa: INN999\n", "import inngest\n\nx = 1\n"),
        ("import inngest\n\nx = 1  # noqa: E501, INN999\n", "import inngest\n\nx = 1  # noqa: E501\n"),
        ("import inngest\n\nx = 1  # noqa: INN999, E501\n", "import inngest\n\nx = 1  # noqa: E501\n"),
        (
            "import inngest\n\nx = 1  # noqa: INN999  # the second comment stays\n",
            "import inngest\n\nx = 1  # the second comment stays\n",
        ),
    )
    VALID: ClassVar[tuple[Example, ...]] = (
        "import inngest\n\nx = 1\n",
        # Another tool's code, and a bare noqa: not ours to judge.
        "import inngest\n\nx = 1  # noqa: E501\ny = 2  # noqa\n",
    )
    INVALID: ClassVar[tuple[Example, ...]] = ("import inngest\n\nx = 1  # noqa: INN999  # error: INN902\n",)
