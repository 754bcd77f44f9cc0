"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

One run whose `tool.driver.rules` describe, from the rule docstrings, only the rules that have
results in this report, sorted by code. Why not every registered rule: a SARIF viewer needs a
descriptor only for the rules it shows; the reporter sees findings, not which rules were enabled,
so listing all rules would also list disabled ones as if they had run; and the file then stays
proportional to its findings (a clean run is a few hundred bytes). Every rule's descriptor is
still checked against the schema by the tests, so a rule whose docs break SARIF is caught before
it is ever reported.

Paths are URIs relative to the repository root under the base id `%SRCROOT%` (what GitHub
expects), with `originalUriBaseIds` saying where that root was; a file outside the repository gets
an absolute `file:` URI. `partialFingerprints` carry a line-shift-proof hash (see `_source`), under
a tool-specific versioned key, so GitHub's own `primaryLocationLineHash` can sit beside it.

Internal errors (a rule crashed on a file) are not findings about the user's code: they go to
`invocations[0].toolExecutionNotifications`, and `executionSuccessful` turns false, instead of
becoming code-scanning alerts.

`--quiet` and `--statistics` do not apply: anything else on stdout would corrupt the document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from inngest_lint import __version__
from inngest_lint.diagnostics import Diagnostic, Location, Severity, printable
from inngest_lint.reporters._source import FINGERPRINT_VERSION, SourceIndex, span
from inngest_lint.reporters.base import PROJECT_URL, Reporter, docs_anchor

if TYPE_CHECKING:
    from inngest_lint.rules.base import RuleMeta

SCHEMA_URI = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "inngest-lint"
SOURCE_ROOT_ID = "%SRCROOT%"
FINGERPRINT_KEY = f"inngestLint/{FINGERPRINT_VERSION}"


def sarif_level(severity: Severity) -> str:
    return "warning" if severity is Severity.WARNING else "error"


def docs_section(docs: str, title: str) -> str:
    """The text under `## <title>` in a rule docstring, as one paragraph (empty when absent)."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", docs, flags=re.MULTILINE | re.DOTALL)
    return " ".join(match.group(1).split()) if match else ""


def rule_descriptor(rule: type[RuleMeta]) -> dict[str, Any]:
    """A `reportingDescriptor` from the rule's docstring: the same words `inngest-lint rule` prints."""
    from inngest_lint.docs import render_rule

    summary = rule.summary()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": docs_section(rule.docs(), "What it does") or summary},
        "help": {"text": rule.docs(), "markdown": render_rule(rule)},
        "helpUri": docs_anchor(rule.code, rule.name),
        "defaultConfiguration": {"level": sarif_level(rule.severity)},
        "properties": {"tags": ["inngest"]},
    }


def unknown_rule_descriptor(code: str) -> dict[str, Any]:
    """A minimal descriptor for a code the registry does not know, so `ruleIndex` stays valid."""
    return {"id": code, "shortDescription": {"text": code}}


def escape_brackets(text: str) -> str:
    """Literal square brackets in a message with embedded links are escaped with a backslash
    (SARIF 2.1.0, 3.11.6), so `data["items"](...)` cannot read as a link."""
    return text.replace("[", "\\[").replace("]", "\\]")


class SarifReporter(Reporter):
    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0, baseline_hidden: int = 0) -> None:
        json.dump(self.document(diagnostics), self.stream, indent=2)
        self.stream.write("\n")

    def document(self, diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
        """The whole SARIF log as plain data (the tests validate this before it is serialized)."""
        from inngest_lint.registry import by_code

        sources = SourceIndex()
        findings = [d for d in diagnostics if not d.internal]
        internal = [d for d in diagnostics if d.internal]
        registered = by_code()
        codes = sorted({d.code for d in findings})
        rules = [rule_descriptor(registered[c]) if c in registered else unknown_rule_descriptor(c) for c in codes]
        rule_index = {code: index for index, code in enumerate(codes)}
        fingerprints = sources.fingerprints(findings)
        results = [
            self._result(diagnostic, rule_index[diagnostic.code], fingerprint, sources)
            for diagnostic, fingerprint in zip(findings, fingerprints)
        ]
        invocation: dict[str, Any] = {"executionSuccessful": not internal}
        if internal:
            invocation["toolExecutionNotifications"] = [self._notification(d, sources) for d in internal]
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": TOOL_NAME,
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": PROJECT_URL,
                    "rules": rules,
                }
            },
            "invocations": [invocation],
            "originalUriBaseIds": {SOURCE_ROOT_ID: {"uri": sources.root_uri()}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }
        return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}

    def _result(
        self, diagnostic: Diagnostic, rule_index: int, fingerprint: str, sources: SourceIndex
    ) -> dict[str, Any]:
        text = printable(diagnostic.message)
        related: list[dict[str, Any]] = []
        links: list[str] = []
        for number, location in enumerate(diagnostic.related, start=1):
            entry: dict[str, Any] = {"id": number, **self._location(location, sources)}
            if location == diagnostic.affected:
                entry["message"] = {"text": "affected code"}
            related.append(entry)
            label = f"{sources.display_path(location.path)}:{location.line}"
            links.append(f"[{escape_brackets(label)}]({number})")
        if links:
            # GitHub shows related locations only through links embedded in the message.
            text = f"{escape_brackets(text)} (see {', '.join(links)})"
        result: dict[str, Any] = {
            "ruleId": diagnostic.code,
            "ruleIndex": rule_index,
            "level": sarif_level(diagnostic.severity),
            "message": {"text": text},
            "locations": [self._location(diagnostic, sources)],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        }
        if related:
            result["relatedLocations"] = related
        return result

    def _notification(self, diagnostic: Diagnostic, sources: SourceIndex) -> dict[str, Any]:
        return {
            "level": "error",
            "message": {"text": printable(diagnostic.message)},
            "locations": [self._location(diagnostic, sources)],
            "associatedRule": {"id": diagnostic.code},
        }

    @staticmethod
    def _location(where: Diagnostic | Location, sources: SourceIndex) -> dict[str, Any]:
        line, column, end_line, end_column = span(where)
        uri = sources.relative_uri(where.path)
        artifact: dict[str, Any] = (
            {"uri": uri, "uriBaseId": SOURCE_ROOT_ID} if uri is not None else {"uri": sources.absolute_uri(where.path)}
        )
        region = {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}
        return {"physicalLocation": {"artifactLocation": artifact, "region": region}}
