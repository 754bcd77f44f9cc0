"""Rule documentation rendered from the registry: `inngest-lint rule X` and docs/rules.md.

The class docstring holds the prose (ruff's model): a summary line, then the sections What it
does and Why is this bad?, optional prose for Example and Use instead, and optional further
sections (Not flagged). The code under Example and Use instead is the rule's first INVALID and
first VALID case (Fixit's model): the cases run as tests (tests/test_rule_examples.py), so the
docs show code the rule is known to flag, and its fix known to pass. Rules that declare
`options` get an Options section from config.py's key table.
"""

from __future__ import annotations

import re
import textwrap

from inngest_lint.config import KEYS
from inngest_lint.rules.base import Example, RuleMeta

#: The sections every rule's docs have, in this order; Example and Use instead get the cases.
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
#: A heading of the docstring's own sections.
_HEADING = re.compile(r"^## (.+)$", re.M)


def docstring_sections(docs: str) -> tuple[str, dict[str, str]]:
    """(summary, {title: body}) of a rule docstring, in the docstring's order."""
    parts = _HEADING.split(docs)
    summary = parts[0].strip()
    return summary, {title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2])}


def example_blocks(example: Example) -> str:
    """A case as Markdown: one fenced block, or one per file (named in its first line)."""
    if isinstance(example, dict):
        return "\n\n".join(
            _fenced(f"# {path}\n{textwrap.dedent(str(source)).strip()}", "toml" if path.endswith(".toml") else "python")
            for path, source in example.items()
        )
    return _fenced(textwrap.dedent(example).strip(), "python")


def _fenced(body: str, language: str) -> str:
    return f"```{language}\n{body}\n```"


def options_section(rule: type[RuleMeta]) -> str:
    lines = ["Set in `[tool.inngest-lint]` (see the README's Configuration section):", ""]
    for key in rule.options:
        spec = KEYS[key]
        lines.append(f"- `{key}` ({spec.kind}): {spec.help}.")
    return "\n".join(lines)


def rendered_sections(rule: type[RuleMeta]) -> list[tuple[str, str]]:
    """(title, Markdown) of every section of a rule's docs, in order: the docstring's, with the
    examples under Example and Use instead, and Options after Use instead."""
    _, written = docstring_sections(rule.docs())
    shown = {"Example": rule.INVALID[:1], "Use instead": rule.VALID[:1]}
    sections: list[tuple[str, str]] = []
    for title in (*SECTIONS, *(title for title in written if title not in SECTIONS)):
        parts = [written.get(title, "")]
        parts += [example_blocks(example) for example in shown.get(title, ())]
        sections.append((title, "\n\n".join(part for part in parts if part)))
        if title == "Use instead" and rule.options:
            sections.append(("Options", options_section(rule)))
    return [(title, body) for title, body in sections if body]


def heading_anchor(code: str, name: str) -> str:
    """The anchor of a rule's heading (`INN501 large-step-return` -> `inn501-large-step-return`),
    as GitHub makes it from the heading `render_rule` writes; the code alone for a code with no
    rule. The rules table and the reporters' links use it."""
    return f"{code}-{name}".lower() if name else code.lower()


def render_rule(rule: type[RuleMeta], heading_level: int = 1) -> str:
    hashes = "#" * heading_level
    lines = [f"{hashes} {rule.code} {rule.name}", ""]
    lines.append(
        f"Default: **{'on' if rule.default_enabled else 'off'}** · severity: {rule.severity.value} · "
        f"fix: {rule.fixable or 'no'}"
    )
    lines += ["", rule.summary()]
    for title, body in rendered_sections(rule):
        lines += ["", f"{hashes}# {title}", "", body]
    return "\n".join(lines).rstrip() + "\n"


#: How the rules see a project: the two models every cross-file and replay finding stands on.
PROJECT_MODEL = """\
## How the rules read your project

**Imports are resolved as Python would for the file that writes them** (the linter never imports
your code). Relative imports (`from .client import inngest_client`) follow the file's own path,
through folders with or without `__init__.py`. Absolute imports (`from app.client import ...`)
are looked for first from the file's own import root (the folder above its package, or its own
folder when it has none), then each folder above it up to the project root, nearest first; then
in the folders the `src` setting lists, in order; then in the project's other import roots
(`src/` folders, folders above a package, folders with a `pyproject.toml`, `setup.py` or
`setup.cfg`). A name found there in two files is ambiguous, and the rules that depend on it stay
silent. The standard library's names and `inngest` always mean themselves. So a repository may
hold several services that each have a package `app`: each file gets its own service's client
and functions, and the app-level rules (INN201, INN203) compare functions of one app only.

```toml
[tool.inngest-lint]
src = ["deploy/services"]   # more import roots, for layouts nothing can infer
```

**Replay: code no step can follow runs once per attempt.** Inngest calls a function's handler
once per step: finished steps return their memoized output, and the run stops at the first step
that has none. So code runs again on every re-entry only when a step call can still come after
it on some path (before a later step, or inside a loop that calls steps). Code after the last
step runs once per attempt, exactly like a function without steps, and the replay rules
(INN107, INN108, INN109) leave it alone.
"""


def render_all() -> str:
    from inngest_lint.registry import all_rules

    rules = all_rules()
    lines = [
        "# inngest-lint rules",
        "",
        "<!-- Generated from the rule docstrings and examples by `python -m inngest_lint.docs`; do not edit. -->",
        "",
        "| code | name | default | fix | summary |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(
            f"| [{rule.code}](#{heading_anchor(rule.code, rule.name)}) | {rule.name} | "
            f"{'on' if rule.default_enabled else 'off'} | {rule.fixable or 'no'} | {rule.summary()} |"
        )
    lines.append("")
    lines.append(PROJECT_MODEL)
    for rule in rules:
        lines.append(render_rule(rule, heading_level=2))
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    import pathlib

    from inngest_lint.registry import render_catalog

    target = pathlib.Path(__file__).resolve().parent.parent / "docs" / "rules.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(render_all(), encoding="utf-8")
    print(f"wrote {target}")
    catalog_file = pathlib.Path(__file__).resolve().parent / "rules" / "_catalog.py"
    catalog_file.write_text(render_catalog(), encoding="utf-8")
    print(f"wrote {catalog_file}")
