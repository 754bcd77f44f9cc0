"""PHASE 1: one file, parsed once, walked once by every enabled file rule plus the collector.

The walker is a libcst visitor that dispatches each node to the `visit_<Type>`/`leave_<Type>`
methods of the rules (like libcst's batched visitor), with one difference that matters here:
the shared semantic model is updated before any rule sees a node and after every rule has left
it. A rule that raises is disabled for the rest of the file and reported as an internal error.
"""

from __future__ import annotations

import gc
import traceback
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from inngest_lint.config import Settings
from inngest_lint.diagnostics import Diagnostic
from inngest_lint.engine import parse as parsing
from inngest_lint.facts.model import FileFacts
from inngest_lint.suppression import NoqaMap, parse_noqa


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
    module_aliases: tuple[str, ...]
    is_package: bool
    is_test: bool
    text: str | None = None  # given for stdin; otherwise read from path


def _walker_class() -> Any:
    import libcst as cst

    class Walker(cst.CSTVisitor):
        def __init__(self, context: Any, visitors: Sequence[Any], on_error: Callable[[Any, BaseException], None]):
            super().__init__()
            self.context = context
            self.on_error = on_error
            self.visit_table: dict[str, list[tuple[Any, Callable[[Any], Any]]]] = defaultdict(list)
            self.leave_table: dict[str, list[tuple[Any, Callable[[Any], Any]]]] = defaultdict(list)
            self.disabled: set[int] = set()
            for visitor in visitors:
                for attribute in dir(type(visitor)):
                    if attribute.startswith("visit_") and attribute[6:7].isupper():
                        self.visit_table[attribute[6:]].append((visitor, getattr(visitor, attribute)))
                    elif attribute.startswith("leave_") and attribute[6:7].isupper():
                        self.leave_table[attribute[6:]].append((visitor, getattr(visitor, attribute)))

        def _dispatch(self, table: dict[str, list[tuple[Any, Callable[[Any], Any]]]], node: Any) -> None:
            for visitor, method in table.get(type(node).__name__, ()):
                if id(visitor) in self.disabled:
                    continue
                try:
                    method(node)
                except RecursionError:
                    raise
                except Exception as error:  # noqa: BLE001 - one rule's bug must not stop the run
                    self.disabled.add(id(visitor))
                    self.on_error(visitor, error)

        # libcst looks up visit_<Node>_<field> methods for every field of every node; we have none.
        def on_visit_attribute(self, node: Any, attribute: str) -> None:
            return None

        def on_leave_attribute(self, original_node: Any, attribute: str) -> None:
            return None

        def on_visit(self, node: Any) -> bool:
            self.context.enter(node)
            self._dispatch(self.visit_table, node)
            return True

        def on_leave(self, original_node: Any) -> None:
            self._dispatch(self.leave_table, original_node)
            self.context.leave(original_node)

    return Walker


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
) -> FileResult:
    """Read, parse and walk one file; never raises."""
    result = FileResult(item.path)
    text = item.text
    if text is None:
        data, problem = parsing.read_bytes(item.path)
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
        return _parse_and_walk(item, text, settings, enabled_codes, result, debug)
    finally:
        if collecting:
            gc.enable()


def _parse_and_walk(
    item: FileInput, text: str, settings: Settings, enabled_codes: frozenset[str], result: FileResult, debug: bool
) -> FileResult:
    module, syntax_error = parsing.parse(item.path, text)
    if syntax_error is not None:
        result.diagnostics.append(syntax_error)
        return result
    result.parsed = True
    try:
        _walk(item, text, module, settings, enabled_codes, result, debug)
    except RecursionError:
        result.diagnostics = [
            Diagnostic(item.path, 1, 1, parsing.SYNTAX_ERROR, "file is nested too deeply to analyse; not linted")
        ]
        result.facts = None
    except Exception as error:  # noqa: BLE001 - a collector bug becomes a reported internal error
        result.diagnostics.append(internal_error(item.path, "INN000", error, debug))
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
    from libcst.metadata import MetadataWrapper

    from inngest_lint.engine.context import FileContext
    from inngest_lint.facts.collector import FactCollector
    from inngest_lint.registry import all_rules
    from inngest_lint.rules.base import Rule

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    context = FileContext(
        path=item.path,
        display_path=item.path,
        module=item.module,
        is_package=item.is_package,
        is_test=item.is_test,
        source=text,
        wrapper=wrapper,
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

    walker = _walker_class()(context, [collector, *rules], on_error)
    try:
        wrapper.module.visit(walker)
        for rule in rules:
            try:
                rule.finish()
            except Exception as error:  # noqa: BLE001
                errors.append(internal_error(item.path, rule.code, error, debug))
        facts = collector.facts()
    finally:
        walker.visit_table.clear()
        walker.leave_table.clear()
        context.release()
    result.facts = FileFacts(
        **{**facts.__dict__, "module_aliases": item.module_aliases}  # type: ignore[arg-type]
    )
    result.diagnostics.extend(context.diagnostics)
    result.diagnostics.extend(errors)
