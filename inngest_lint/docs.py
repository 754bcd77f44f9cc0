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
        f"fix: {'yes' if rule.fixable else 'no'}"
    )
    lines.append("")
    lines.append(rule.docs())
    if rule.INVALID:
        lines += ["", f"{hashes}# Flagged", "", _example_block(rule.INVALID[0])]
    if rule.VALID:
        lines += ["", f"{hashes}# Not flagged", "", _example_block(rule.VALID[0])]
    return "\n".join(lines).rstrip() + "\n"


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
            f"{'on' if rule.default_enabled else 'off'} | {'yes' if rule.fixable else 'no'} | {rule.summary()} |"
        )
    lines.append("")
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
