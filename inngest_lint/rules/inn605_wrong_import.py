"""INN605 wrong-import."""

from __future__ import annotations

import difflib

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.names import dotted_name
from inngest_lint.semantic.traverse import children

#: Exceptions whose handler makes an import optional (`try: from inngest import X except ...`).
_IMPORT_GUARDS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


class WrongImport(Rule):
    """An import of a module or name the Inngest SDK does not have.

    ## What it does
    Flags `import inngest.<module>` and `from inngest.<module> import ...` for a module the SDK
    does not ship (`inngest.errors`, `inngest.digital_ocean_serve`, `inngest.fastapi`, any
    other unknown name), and `from inngest import X` for a name the package does not export.
    The message says what to write instead. The SDK's private `inngest._internal` modules exist
    and are not reported; neither are members of the public submodules, nor imports inside a
    `try` whose `except` catches `ImportError` (a deliberate optional import).

    ## Why is this bad?
    The import fails with `ModuleNotFoundError` or `ImportError` when the module loads, so the
    whole app (and every Inngest function in it) fails to start. `inngest.errors` is the most
    common case: the error classes are exported at the top level only.

    ## Fix
    Safe: `from inngest.errors import X` becomes `from inngest import X` when every name is a
    top-level export (`inngest/__init__.py` exports the error classes), and
    `from inngest.fastapi import ...` / `from inngest.digital_ocean_serve import ...` name the
    module the SDK ships (`inngest.fast_api`, `inngest.digital_ocean`, same members). The names
    the code uses stay bound to the same objects it meant. Unsafe: a misnamed class with one
    meaning (`Client`, `NonRetryableError`, `CronTrigger`...) is imported under the name the
    code uses (`from inngest import Inngest as Client`); the code written against the wrong
    name may still call it differently, so review it. `import inngest.fastapi` is not fixed:
    the code that uses it names the module again.
    """

    code = "INN605"
    name = "wrong-import"
    fixable = "safe"

    FIXES = (
        (
            """
            from inngest.errors import NonRetriableError, RetryAfterError
            from inngest.fastapi import serve
            """,
            """
            from inngest import NonRetriableError, RetryAfterError
            from inngest.fast_api import serve
            """,
        ),
        (
            """
            from inngest import Client, NonRetryableError
            """,
            """
            from inngest import Inngest as Client, NonRetriableError as NonRetryableError
            """,
        ),
    )

    VALID = (
        """
        from inngest import NonRetriableError
        """,
        """
        import inngest
        import inngest.fast_api
        from inngest import NonRetriableError, RetryAfterError, TriggerEvent
        from inngest.experimental import mocked

        client = inngest.Inngest(app_id="app")
        """,
        """
        try:
            from inngest import Singleton
        except ImportError:  # older SDK
            Singleton = None

        from inngest._internal.errors import SendEventsError
        """,
    )
    INVALID = (
        """
        from inngest.errors import NonRetriableError  # error: INN605
        """,
        """
        from inngest import Client, serve  # error: INN605
        import inngest.digital_ocean_serve  # error: INN605
        """,
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._guarded: set[int] = set()
        module = context.module or ""
        # Linting the SDK's own source: its imports are its own business.
        self._disabled = module == sdk.PACKAGE or module.startswith(sdk.PACKAGE + ".")

    # ------------------------------------------------------------------ optional imports
    def visit_Try(self, node: cst.Try) -> None:
        self._note_guarded(node)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._note_guarded(node)

    def _note_guarded(self, node: cst.Try | cst.TryStar) -> None:
        if not any(self._catches_import_error(handler) for handler in node.handlers):
            return
        stack: list[cst.CSTNode] = [node.body]
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.Import, cst.ImportFrom)):
                self._guarded.add(id(current))
                continue
            stack.extend(children(current))

    @staticmethod
    def _catches_import_error(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
        if handler.type is None:
            return True
        types = handler.type.elements if isinstance(handler.type, cst.Tuple) else None
        candidates = [element.value for element in types] if types is not None else [handler.type]
        for candidate in candidates:
            name = dotted_name(candidate)
            if name is not None and name.rsplit(".", 1)[-1] in _IMPORT_GUARDS:
                return True
        return False

    # ------------------------------------------------------------------ imports
    def visit_Import(self, node: cst.Import) -> None:
        if self._disabled or id(node) in self._guarded:
            return
        for alias in node.names:
            module = dotted_name(alias.name)
            if module is None:
                continue
            advice = self._module_problem(module)
            if advice is not None:
                self.report(alias, f"`import {module}` fails: {advice}", context=module)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self._disabled or id(node) in self._guarded or node.relative or node.module is None:
            return
        module = dotted_name(node.module)
        if module is None:
            return
        if module != sdk.PACKAGE:
            advice = self._module_problem(module)
            if advice is None:
                return
            names = self._imported_names(node)
            if module in sdk.WRONG_MODULES and names and all(name in sdk.TOP_LEVEL_EXPORTS for name in names):
                advice = f"write `from {sdk.PACKAGE} import {', '.join(names)}`"
                fix = self._module_fix(node, sdk.PACKAGE)
                self.report(node, f"`{module}` does not exist: {advice}", context=module, fix=fix)
                return
            renamed = sdk.MODULE_RENAMES.get(module)
            fix = self._module_fix(node, renamed) if renamed is not None else None
            self.report(node, f"`from {module} import ...` fails: {advice}", context=module, fix=fix)
            return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None or name in sdk.TOP_LEVEL_EXPORTS or name.startswith("_"):
                continue
            self.report(
                alias,
                f"`from inngest import {name}` fails: {self._name_advice(name)}",
                context=name,
                fix=self._name_fix(alias, name),
            )

    # ------------------------------------------------------------------ fixes
    def _module_fix(self, node: cst.ImportFrom, module: str) -> Fix | None:
        assert node.module is not None
        new_module = cst.parse_expression(module)
        assert isinstance(new_module, (cst.Name, cst.Attribute))
        return self.context.fix(f"import from `{module}`", [(node.module, new_module)])

    def _name_fix(self, alias: cst.ImportAlias, name: str) -> Fix | None:
        meant = sdk.TOP_LEVEL_RENAMES.get(name)
        if meant is None or meant not in sdk.TOP_LEVEL_EXPORTS:
            return None
        bound = alias.asname.name if alias.asname is not None else alias.name
        if not isinstance(bound, cst.Name):
            return None
        renamed = alias.with_changes(name=cst.Name(meant), asname=cst.AsName(name=cst.Name(bound.value)))
        return self.context.fix(f"import `{meant}` as `{bound.value}`", [(alias, renamed)], safe=False)

    @staticmethod
    def _imported_names(node: cst.ImportFrom) -> list[str]:
        if isinstance(node.names, cst.ImportStar):
            return []
        names: list[str] = []
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is not None:
                names.append(name)
        return names

    def _module_problem(self, module: str) -> str | None:
        """What is wrong with importing `module` (a dotted name), None when it exists or is unknown."""
        if module != sdk.PACKAGE and not module.startswith(sdk.PACKAGE + "."):
            return None
        if module == sdk.PACKAGE or module.startswith(sdk.PRIVATE_MODULE_PREFIX):
            return None
        parts = module.split(".")
        top = ".".join(parts[:2])
        if top in sdk.PUBLIC_SUBMODULES:
            return None
        if top in sdk.WRONG_MODULES:
            return sdk.WRONG_MODULES[top]
        submodule = parts[1]
        public = sorted(name.split(".", 1)[1] for name in sdk.PUBLIC_SUBMODULES)
        if submodule in sdk.TOP_LEVEL_EXPORTS:
            return f"`{submodule}` is a name exported by `inngest`, not a module: `from inngest import {submodule}`"
        guess = difflib.get_close_matches(submodule, public, n=1, cutoff=0.6)
        suggestion = f"did you mean `inngest.{guess[0]}`? " if guess else ""
        return f"`inngest` has no module `{submodule}`; {suggestion}its public modules are {', '.join(public)}"

    @staticmethod
    def _name_advice(name: str) -> str:
        if name in sdk.WRONG_TOP_LEVEL_NAMES:
            return sdk.WRONG_TOP_LEVEL_NAMES[name]
        if name in sdk.INTERNAL_ERROR_CLASSES:
            return (
                f"`{name}` is internal to the SDK and not exported (it lives in the private "
                "`inngest._internal.errors`); the exported errors are NonRetriableError, RetryAfterError "
                "and StepError"
            )
        exported = sorted(sdk.TOP_LEVEL_EXPORTS)
        folded = {candidate.lower(): candidate for candidate in exported}
        guess = folded.get(name.lower())
        if guess is None:
            matches = difflib.get_close_matches(name, exported, n=1, cutoff=0.6)
            guess = matches[0] if matches else None
        if guess is not None:
            return f"`inngest` does not export `{name}`; did you mean `{guess}`?"
        return f"`inngest` does not export `{name}`"
