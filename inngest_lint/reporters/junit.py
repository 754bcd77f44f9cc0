"""JUnit XML, the test-report format GitLab, Jenkins, Azure and most CI dashboards read.

One `<testsuite>` per file with findings and one `<testcase>` per finding: CI test views list
failures by case, so a finding per case is what lets each one be seen and counted. A finding is a
`<failure>` (warnings too: JUnit has no weaker outcome, and the message says which it is); an
internal error (a rule crashed) is an `<error>`, JUnit's word for "the check itself broke". A clean
run is one passing case, because some readers treat a report without cases as a broken job.

The linter knows only the files with findings, not each file it checked, so clean files get no
case of their own. Paths are relative to the repository root, as the code hosts want them.

The XML is built with xml.etree (which escapes `<`, `&` and quotes) after removing what XML 1.0
cannot carry at all, even escaped (control characters, lone surrogates from undecodable file
names); it is written as ASCII with character references, so no console encoding can fail on it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from inngest_lint.diagnostics import Diagnostic, printable
from inngest_lint.reporters._source import SourceIndex, span
from inngest_lint.reporters.base import Reporter, docs_anchor, rule_name

SUITES_NAME = "inngest-lint"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """`value` with the characters XML 1.0 forbids shown as `\\xNN`/`\\uNNNN` escapes (an
    undecodable byte of a file name as the same `\\xNN` every format shows, see `printable`)."""
    return _NOT_XML.sub(lambda match: ascii(match.group())[1:-1], printable(value))


def class_name(path: str) -> str:
    """`app/jobs.py` -> `app.jobs`: CI views read a classname as dotted package.Class."""
    stem = path.removesuffix(".py")
    return ".".join(part for part in stem.split("/") if part) or path


class JunitReporter(Reporter):
    def report(self, diagnostics: Sequence[Diagnostic], *, files_linted: int = 0, baseline_hidden: int = 0) -> None:
        root = self.document(diagnostics)
        ET.indent(root)
        body = ET.tostring(root, encoding="us-ascii").decode("ascii")
        # tostring adds its own declaration for a non-UTF-8 encoding; ASCII is UTF-8, so say so.
        body = body.split("?>", 1)[1].lstrip("\n") if body.startswith("<?xml") else body
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n")

    def document(self, diagnostics: Sequence[Diagnostic]) -> ET.Element:
        sources = SourceIndex()
        by_file: dict[str, list[Diagnostic]] = {}
        for diagnostic in diagnostics:
            by_file.setdefault(sources.display_path(diagnostic.path), []).append(diagnostic)
        errors = sum(1 for d in diagnostics if d.internal)
        failures = len(diagnostics) - errors
        suites = ET.Element(
            "testsuites",
            name=SUITES_NAME,
            tests=str(max(len(diagnostics), 1)),
            failures=str(failures),
            errors=str(errors),
        )
        if not diagnostics:
            suite = ET.SubElement(suites, "testsuite", name=SUITES_NAME, tests="1", failures="0", errors="0")
            ET.SubElement(suite, "testcase", name="no findings", classname=SUITES_NAME)
            return suites
        for path, found in by_file.items():
            suite_errors = sum(1 for d in found if d.internal)
            suite = ET.SubElement(
                suites,
                "testsuite",
                name=xml_text(path),
                tests=str(len(found)),
                failures=str(len(found) - suite_errors),
                errors=str(suite_errors),
            )
            for diagnostic in found:
                self._case(suite, diagnostic, path)
        return suites

    @staticmethod
    def _case(suite: ET.Element, diagnostic: Diagnostic, path: str) -> None:
        line, column, _, _ = span(diagnostic)
        case = ET.SubElement(
            suite,
            "testcase",
            name=f"{diagnostic.code} at line {line}, column {column}",
            classname=xml_text(class_name(path)),
            file=xml_text(path),
            line=str(line),
        )
        name = rule_name(diagnostic.code)
        details = [f"{path}:{line}:{column}: {diagnostic.code} {diagnostic.message}"]
        if diagnostic.internal:
            details.append("internal error: the check could not run on this file")
        else:
            details.append(f"{diagnostic.severity.value} {diagnostic.code} {name}".rstrip())
            details.append(docs_anchor(diagnostic.code, name))
        outcome = ET.SubElement(
            case,
            "error" if diagnostic.internal else "failure",
            message=xml_text(diagnostic.message),
            type=diagnostic.code,
        )
        outcome.text = xml_text("\n".join(details))
