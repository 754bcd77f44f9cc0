"""The reporter interface: a run's diagnostics in, text out. Reporters never look at CST."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.docs import heading_anchor

PROJECT_URL = "https://github.com/inngest-lint/inngest-lint"
DOCS_PAGE = f"{PROJECT_URL}/blob/main/docs/rules.md"


def docs_anchor(code: str, name: str) -> str:
    """The link to a rule's section in docs/rules.md (GitHub heading anchors), the documentation
    URL every format gives a finding (JSON `url`, SARIF `helpUri`, the editor's
    `codeDescription.href`, the `full` format's `docs:` line)."""
    return f"{DOCS_PAGE}#{heading_anchor(code, name)}"


class Reporter:
    def __init__(self, stream: TextIO, *, quiet: bool = False, statistics: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.statistics = statistics

    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0, baseline_hidden: int = 0) -> None:
        """Write the report. `files_linted` is how many files the run checked; `baseline_hidden`
        how many findings a baseline recorded and so left out of `diagnostics`."""
        raise NotImplementedError


def rule_name(code: str) -> str:
    from inngest_lint.registry import info_by_code

    rule = info_by_code().get(code)
    return rule.name if rule else ""


def rule_url(code: str) -> str:
    """The documentation URL of the rule behind `code`."""
    return docs_anchor(code, rule_name(code))
