"""PHASE 1: one file, parsed once, walked once by every enabled file rule plus the collector.

The walker dispatches each node to the `visit_<Type>`/`leave_<Type>` methods of the rules (like
libcst's batched visitor), with two differences that matter here: it reads the tree through
semantic/traverse.py (libcst's visitors rebuild every node they pass, which costs as much as the
parse), and the shared semantic model is updated before any rule sees a node and after every
rule has left it. A rule that raises is disabled for the rest of the file and reported as an
internal error.
"""

from __future__ import annotations

import gc
import traceback
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.engine import parse as parsing
from inngest_lint.settings import Settings
from inngest_lint.suppression import NoqaMap, parse_noqa

if TYPE_CHECKING:
    from inngest_lint.facts.model import FileFacts


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    facts: FileFacts | None = None
    noqa: NoqaMap = field(default_factory=NoqaMap)
    parsed: bool = False


@dataclass(frozen=True)
class FileInput:
    """Everything phase 1 needs about one file (picklable, for the process pool)."""

    path: str
    module: str
    is_package: bool
    is_test: bool
    text: str | None = None  # given for stdin; otherwise read from path


class Walker:
    """Dispatches each node to the rules' `visit_<Type>`/`leave_<Type>` methods, in one walk.

    The semantic model enters a node before any rule visits it and leaves it after every rule
    has. The walk skips layout nodes (whitespace, commas, brackets) unless some rule asks for
    their type.
    """

    def __init__(self, context: Any, visitors: Sequence[Any], on_error: Callable[[Any, BaseException], None]):
        self.context = context
        self.on_error = on_error
        self.visit_table: dict[str, list[tuple[Any, Callable[[Any], Any]]]] = defaultdict(list)
        self.leave_table: dict[str, list[tuple[Any, Callable[[Any], Any]]]] = defaultdict(list)
        for visitor in visitors:
            for attribute in dir(type(visitor)):
                if attribute.startswith("visit_") and attribute[6:7].isupper():
                    self.visit_table[attribute[6:]].append((visitor, getattr(visitor, attribute)))
                elif attribute.startswith("leave_") and attribute[6:7].isupper():
                    self.leave_table[attribute[6:]].append((visitor, getattr(visitor, attribute)))
        self.disabled: set[int] = set()
        # Node class -> the methods of visitors still enabled, filled in as classes are met.
        self._visit_methods: dict[type, tuple[tuple[Any, Callable[[Any], Any]], ...]] = {}
        self._leave_methods: dict[type, tuple[tuple[Any, Callable[[Any], Any]], ...]] = {}

    def _methods_for(self, node_class: type, leaving: bool) -> tuple[tuple[Any, Callable[[Any], Any]], ...]:
        table, cache = (self.leave_table, self._leave_methods) if leaving else (self.visit_table, self._visit_methods)
        methods = tuple(
            (visitor, method)
            for visitor, method in table.get(node_class.__name__, ())
            if id(visitor) not in self.disabled
        )
        cache[node_class] = methods
        return methods

    def _disable(self, visitor: Any, error: BaseException) -> None:
        """One rule's bug must not stop the run: the rule sees nothing more of this file."""
        self.disabled.add(id(visitor))
        self._visit_methods.clear()
        self._leave_methods.clear()
        self.on_error(visitor, error)

    def _run(self, methods: tuple[tuple[Any, Callable[[Any], Any]], ...], node: Any) -> None:
        for visitor, method in methods:
            try:
                method(node)
            except RecursionError:
                raise
            except Exception as error:  # noqa: BLE001 - reported as the rule's internal error
                self._disable(visitor, error)

    def on_visit(self, node: Any) -> None:
        self.context.enter(node)
        methods = self._visit_methods.get(node.__class__)
        if methods is None:
            methods = self._methods_for(node.__class__, leaving=False)
        if methods:
            self._run(methods, node)

    def on_leave(self, node: Any) -> None:
        methods = self._leave_methods.get(node.__class__)
        if methods is None:
            methods = self._methods_for(node.__class__, leaving=True)
        if methods:
            self._run(methods, node)
        self.context.leave(node)

    def release(self) -> None:
        """Drop the bound methods (and through them the rules and the tree) at once."""
        for table in (self.visit_table, self.leave_table, self._visit_methods, self._leave_methods):
            table.clear()

    def walk(self, module: Any) -> None:
        from inngest_lint.semantic import traverse

        wanted = frozenset(self.visit_table) | frozenset(self.leave_table)
        skip = _LAYOUT_SKIPS.get(wanted)
        if skip is None:
            skip = _LAYOUT_SKIPS[wanted] = traverse.layout_classes(wanted)
        traverse.walk(module, self.on_visit, self.on_leave, skip)


#: Layout classes to skip, per set of node types the rules visit (one entry per process in practice).
_LAYOUT_SKIPS: dict[frozenset[str], frozenset[type]] = {}


def internal_error(path: str, code: str, error: BaseException, debug: bool) -> Diagnostic:
    summary = f"{type(error).__name__}: {error}".strip()
    if debug:
        summary += "\n" + "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return Diagnostic(path, 1, 1, code, f"internal error in rule {code}: {summary}; please report it", internal=True)


def lint_file(
    item: FileInput,
    settings: Settings,
    enabled_codes: frozenset[str],
    debug: bool = False,
    isolated: bool = False,
) -> FileResult:
    """Read, compile, parse and walk one file; never raises, and never takes the process down.

    `compile()` decides INN900. A file whose tree the screen finds too deep for libcst is linted
    in a child process (engine/isolate.py) unless this already is that child (`isolated`).
    Compiling, parsing and walking run on a stack of known size (see `parsing.run_with_stack`),
    whichever thread calls.
    """
    result = FileResult(item.path)
    text = item.text
    if text is None:
        data, problem = parsing.read_bytes(item.path, settings.max_file_bytes)
        if problem is not None or data is None:
            result.diagnostics.append(problem)  # type: ignore[arg-type]
            return result
        decoded = parsing.decode(item.path, data)
        if decoded.problem is not None:
            result.diagnostics.append(decoded.problem)
            return result
        text = decoded.text
    assert text is not None
    result.noqa = parse_noqa(text)
    # A parsed file is a few hundred thousand small objects with no cycles among them; the cyclic
    # collector would traverse them again and again while they are alive (a 1.5 MB file took
    # five times longer with it on). Reference counting frees the tree when the walk is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # In the child (`isolated`), the file is one the screen found deep: the big stack always.
        return parsing.run_with_stack(
            _parse_and_walk, item, text, settings, enabled_codes, result, debug, isolated, deep=isolated
        )
    finally:
        if collecting:
            gc.enable()


def _parse_and_walk(
    item: FileInput,
    text: str,
    settings: Settings,
    enabled_codes: frozenset[str],
    result: FileResult,
    debug: bool,
    isolated: bool,
) -> FileResult:
    syntax_error = parsing.compile_error(item.path, text)
    if syntax_error is not None:
        result.diagnostics.append(syntax_error)
        return result
    nesting = parsing.nesting_estimate(text)
    if nesting > parsing.MAX_IN_PROCESS_NESTING and not isolated:
        from dataclasses import replace

        from inngest_lint.engine.isolate import lint_isolated

        isolated_result = lint_isolated(replace(item, text=text), settings, enabled_codes, debug)
        isolated_result.noqa = result.noqa
        return isolated_result
    with parsing.recursion_room(nesting):
        module, problem = parsing.parse(item.path, text)
        if problem is not None:
            result.diagnostics.append(problem)
            return result
        result.parsed = True
        try:
            _walk(item, text, module, settings, enabled_codes, result, debug)
        except RecursionError:
            # Python compiled it, so this is no syntax error: the linter cannot follow it.
            result.diagnostics = [
                Diagnostic(
                    item.path,
                    1,
                    1,
                    parsing.UNREADABLE_FILE,
                    "file is nested too deeply for the linter to analyse; not linted",
                )
            ]
            result.facts = None
        except Exception as error:  # noqa: BLE001 - a collector bug becomes a reported internal error
            result.diagnostics.append(internal_error(item.path, "INN000", error, debug))
        finally:
            del module  # freed here, with room to recurse, not in the caller's frame
    return result


def _walk(
    item: FileInput,
    text: str,
    module: Any,
    settings: Settings,
    enabled_codes: frozenset[str],
    result: FileResult,
    debug: bool,
) -> None:
    from inngest_lint.facts.collector import FactCollector
    from inngest_lint.registry import all_rules
    from inngest_lint.rules.base import Rule
    from inngest_lint.semantic.context import FileContext

    context = FileContext(
        path=item.path,
        display_path=item.path,
        module=item.module,
        is_package=item.is_package,
        is_test=item.is_test,
        source=text,
        tree=module,
        settings=settings,
    )
    rules: list[Rule] = [
        rule_class(context)
        for rule_class in all_rules()
        if issubclass(rule_class, Rule) and rule_class.code in enabled_codes
    ]
    collector = FactCollector(context)
    errors: list[Diagnostic] = []

    def on_error(visitor: Any, error: BaseException) -> None:
        code = getattr(visitor, "code", "INN000")
        errors.append(internal_error(item.path, code, error, debug))

    walker = Walker(context, [collector, *rules], on_error)
    try:
        walker.walk(module)
        for rule in rules:
            try:
                rule.finish()
            except Exception as error:  # noqa: BLE001
                errors.append(internal_error(item.path, rule.code, error, debug))
        facts = collector.facts()
    finally:
        walker.release()
        context.release()
    result.facts = facts
    result.diagnostics.extend(context.diagnostics)
    result.diagnostics.extend(errors)
