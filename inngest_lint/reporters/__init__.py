"""Reporters: formatting only, selected by name. Add a format by adding a class to REPORTERS."""

from __future__ import annotations

from inngest_lint.reporters.base import Reporter
from inngest_lint.reporters.full import FullReporter
from inngest_lint.reporters.github import GithubReporter
from inngest_lint.reporters.gitlab import GitlabReporter
from inngest_lint.reporters.json_lines import JsonLinesReporter
from inngest_lint.reporters.json_reporter import JsonReporter
from inngest_lint.reporters.junit import JunitReporter
from inngest_lint.reporters.sarif import SarifReporter
from inngest_lint.reporters.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "concise": TextReporter,
    "full": FullReporter,
    "json": JsonReporter,
    "json-lines": JsonLinesReporter,
    "sarif": SarifReporter,
    "github": GithubReporter,
    "gitlab": GitlabReporter,
    "junit": JunitReporter,
}
