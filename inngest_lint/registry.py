"""Finds every rule class under `inngest_lint.rules` and resolves user selectors against them.

Discovery is by convention (one module per rule, `innNNN_<slug>.py`), as in pylint and Fixit,
so adding a rule is adding a file. Codes and names must be unique; `check_registry()` proves it
and the tests call it.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from functools import lru_cache
from typing import NamedTuple

from inngest_lint.diagnostics import Severity
from inngest_lint.rules.base import ProjectRule, Rule, RuleMeta

RuleClass = type[RuleMeta]


class RuleInfo(NamedTuple):
    """A rule's metadata without importing its module (and so libcst): selection, names and
    severities are needed on every run, even one that parses nothing."""

    code: str
    name: str
    default_enabled: bool
    severity: Severity
    fixable: str  # "", "safe" or "unsafe"
    summary: str


@lru_cache(maxsize=1)
def catalog() -> tuple[RuleInfo, ...]:
    from inngest_lint.rules._catalog import RULES

    return tuple(
        RuleInfo(code, name, default, Severity(severity), fixable, summary)
        for code, name, default, severity, fixable, summary in RULES
    )


def info_by_code() -> dict[str, RuleInfo]:
    return {info.code: info for info in catalog()}


def render_catalog() -> str:
    """The source of `inngest_lint/rules/_catalog.py`, generated from the rule classes."""
    lines = [
        '"""Rule metadata, generated from the rule classes by `python -m inngest_lint.docs`; do not edit.',
        "",
        "Kept apart so that a run that parses nothing never imports libcst (about 0.22 s), and so",
        "that phase 2 imports only the modules that hold project rules.",
        '"""',
        "",
        "RULES = (",
    ]
    for rule in all_rules():
        entry = (rule.code, rule.name, rule.default_enabled, rule.severity.value, rule.fixable, rule.summary())
        lines.append(f"    {entry!r},")
    lines.append(")")
    modules = sorted({rule.__module__ for rule in (*all_rules(), *companion_rules()) if issubclass(rule, ProjectRule)})
    lines.append("")
    lines.append("#: Modules holding project rules (phase 2 imports only these).")
    lines.append("PROJECT_RULE_MODULES = (")
    lines.extend(f"    {module!r}," for module in modules)
    lines.append(")")
    return "\n".join(lines) + "\n"


def project_rules() -> list[type[ProjectRule]]:
    """Every project rule (companions included), importing only the modules that hold them."""
    from inngest_lint.rules._catalog import PROJECT_RULE_MODULES

    found: list[type[ProjectRule]] = []
    for module_name in PROJECT_RULE_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, ProjectRule)
                and value is not ProjectRule
                and value.__module__ == module.__name__
                and value.code
            ):
                found.append(value)
    found.sort(key=lambda rule: rule.code)
    return found


class SelectorError(ValueError):
    """An unknown code, prefix or rule name in --select/--ignore or config."""


@lru_cache(maxsize=1)
def all_rules() -> tuple[RuleClass, ...]:
    import inngest_lint.rules as package

    found: list[RuleClass] = []
    companions: list[RuleClass] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("inn"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, (Rule, ProjectRule))
                and value not in (Rule, ProjectRule)
                and value.__module__ == module.__name__
                and value.code
            ):
                (companions if getattr(value, "half_of", "") else found).append(value)
    found.sort(key=lambda rule: rule.code)
    _COMPANIONS[:] = sorted(companions, key=lambda rule: rule.code)
    return tuple(found)


_COMPANIONS: list[RuleClass] = []


def companion_rules() -> tuple[RuleClass, ...]:
    """Project-rule halves of file rules (same code, same docs): the cross-file part of a check
    whose file part is a `Rule`, e.g. a nested step inside a handler imported from elsewhere."""
    all_rules()
    return tuple(_COMPANIONS)


def check_registry() -> None:
    """Raise if two rules share a code or a name."""
    codes: dict[str, RuleClass] = {}
    names: dict[str, RuleClass] = {}
    for rule in all_rules():
        if rule.code in codes:
            raise RuntimeError(f"duplicate rule code {rule.code}: {codes[rule.code]} and {rule}")
        if rule.name in names:
            raise RuntimeError(f"duplicate rule name {rule.name}: {names[rule.name]} and {rule}")
        codes[rule.code] = rule
        names[rule.name] = rule


def by_code() -> dict[str, RuleClass]:
    return {rule.code: rule for rule in all_rules()}


def by_name() -> dict[str, RuleClass]:
    return {rule.name: rule for rule in all_rules()}


def find_rule(code_or_name: str) -> RuleClass | None:
    key = code_or_name.strip()
    return by_code().get(key.upper()) or by_name().get(key.lower())


def expand_selector(selector: str) -> set[str]:
    """Codes matched by one selector: `ALL`, a code, a code prefix (`INN1`), or a rule name."""
    key = selector.strip()
    infos = catalog()
    codes = [info.code for info in infos]
    names = {info.name: info.code for info in infos}
    if key.upper() == "ALL":
        return set(codes)
    if key.lower() in names:
        return {names[key.lower()]}
    matched = {code for code in codes if code.startswith(key.upper())} if key.upper().startswith("INN") else set()
    if matched:
        return matched
    suggestions = difflib.get_close_matches(key, [*codes, *names], n=1, cutoff=0.5)
    hint = f"; did you mean '{suggestions[0]}'?" if suggestions else ""
    raise SelectorError(f"unknown rule code or name '{selector}'{hint}")


def expand_selectors(selectors: list[str]) -> set[str]:
    codes: set[str] = set()
    for selector in selectors:
        codes |= expand_selector(selector)
    return codes
