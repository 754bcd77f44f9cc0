"""Rule documentation rendered from the registry: `inngest-lint rule X` and docs/rules.md.

The class docstring is the single source (ruff's model); the VALID/INVALID examples that run as
tests are shown under it (Fixit's model), so the docs cannot drift from what the rule does.
"""

from __future__ import annotations

import textwrap

from inngest_lint.rules.base import RuleMeta


def _example_block(example: object) -> str:
    if isinstance(example, dict):
        parts = []
        for path, source in example.items():
            parts.append(f"# {path}\n{textwrap.dedent(str(source)).strip()}")
        body = "\n\n".join(parts)
    else:
        body = textwrap.dedent(str(example)).strip()
    return f"```python\n{body}\n```"


def render_rule(rule: type[RuleMeta], heading_level: int = 1) -> str:
    hashes = "#" * heading_level
    lines = [f"{hashes} {rule.code} {rule.name}", ""]
    lines.append(
        f"Default: **{'on' if rule.default_enabled else 'off'}** · severity: {rule.severity.value} · "
        f"fix: {rule.fixable or 'no'}"
    )
    lines.append("")
    lines.append(rule.docs())
    if rule.INVALID:
        lines += ["", f"{hashes}# Flagged", "", _example_block(rule.INVALID[0])]
    if rule.VALID:
        lines += ["", f"{hashes}# Not flagged", "", _example_block(rule.VALID[0])]
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
        "<!-- Generated from the rule docstrings by `python -m inngest_lint.docs`; do not edit. -->",
        "",
        "| code | name | default | fix | summary |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(
            f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | {rule.name} | "
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
