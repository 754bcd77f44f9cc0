"""The registry: unique codes and names, file names that match, docs in the agreed sections."""

from __future__ import annotations

import inspect
import re

import pytest

from inngest_lint.docs import SECTIONS, docstring_sections, render_rule, rendered_sections
from inngest_lint.registry import (
    SelectorError,
    all_rules,
    check_registry,
    companion_rules,
    expand_selector,
)
from inngest_lint.rules.base import Rule

#: The sections a docstring writes itself; Example and Use instead come from the cases.
WRITTEN = ("What it does", "Why is this bad?")


def test_codes_and_names_are_unique() -> None:
    check_registry()
    assert len(all_rules()) >= 3


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_is_documented_and_named_by_convention(rule: type) -> None:
    assert re.fullmatch(r"INN\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    module = inspect.getmodule(rule)
    assert module is not None
    assert module.__name__.rsplit(".", 1)[-1] == f"{rule.code.lower()}_{rule.name.replace('-', '_')}"
    summary, written = docstring_sections(rule.docs())
    assert list(written)[: len(WRITTEN)] == list(WRITTEN), f"{rule.code}: the docstring starts with {WRITTEN}"
    assert rule.summary() == summary and "\n" not in summary and not summary.startswith("#")
    assert [title for title, _ in rendered_sections(rule)][:4] == list(SECTIONS)
    assert rule.VALID, f"{rule.code} has no VALID example"
    assert type(rule.VALID) is tuple and type(rule.INVALID) is tuple, "VALID and INVALID are class-level tuples"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_docs_show_the_tested_cases(rule: type) -> None:
    """One source for the code in the docs: the first INVALID and VALID cases, not code blocks
    written in the docstring (which nothing runs)."""
    _, written = docstring_sections(rule.docs())
    for title in ("Example", "Use instead"):
        assert "```" not in written.get(title, ""), f"{rule.code}: {title} shows the cases, not code of its own"
    assert "TODO" not in rule.docs(), f"{rule.code}: fill in the docs"
    if rule.INVALID:
        shown = rule.INVALID[0]
        sources = shown.values() if isinstance(shown, dict) else [shown]
        assert any(f"# error: {rule.code}" in source for source in sources), (
            f"{rule.code}: mark the reported lines of the first INVALID case, the docs' Example"
        )


@pytest.mark.parametrize("rule", [rule for rule in all_rules() if rule.options], ids=lambda rule: rule.code)
def test_options_are_configuration_keys(rule: type) -> None:
    from inngest_lint.config import KEYS

    assert set(rule.options) <= set(KEYS), rule.options
    assert "## Options" in render_rule(rule)
    assert type(rule.VALID) is tuple and type(rule.INVALID) is tuple, "VALID and INVALID are class-level tuples"


def test_cross_file_halves_refer_to_their_file_rule() -> None:
    """A project rule that is the cross-file half of a file rule has that rule's code and no
    docs, examples or name of its own."""
    file_rules = {rule.code for rule in all_rules() if issubclass(rule, Rule)}
    assert companion_rules()
    for half in companion_rules():
        assert half.half_of in file_rules and half.code == half.half_of, half
        assert not half.name and not half.VALID and not half.INVALID, half


def test_selectors() -> None:
    assert expand_selector("INN101") == {"INN101"}
    assert "INN101" in expand_selector("INN1")
    assert expand_selector("step-id-reused-in-loop") == {"INN101"}
    assert "INN900" in expand_selector("ALL")
    with pytest.raises(SelectorError, match="did you mean"):
        expand_selector("INN1011")
