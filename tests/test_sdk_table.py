"""`inngest_lint/sdk.py` against the installed Inngest SDK.

The linter never imports `inngest`; its knowledge of the SDK is the table in `sdk.py`, written
as the union over SDK 0.3 to 0.5. These tests import the installed SDK (a test dependency) and
check that the table covers it, so a new SDK release that adds an export, a keyword or a step
method fails here instead of producing false "unknown keyword" or "wrong import" findings.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
from pathlib import Path

import pytest

from inngest_lint import sdk

inngest = pytest.importorskip("inngest", reason="the Inngest SDK is a test dependency (pip install inngest)")

CONFIG_CLASSES = sorted(sdk.CONFIG_CLASS_KEYWORDS)


def _short(qualified: str) -> str:
    return qualified.rsplit(".", 1)[-1]


def _keyword_parameters(function: object) -> set[str]:
    """Parameters that can be passed by keyword (not self, not *args/**kwargs)."""
    parameters = inspect.signature(function).parameters.values()  # type: ignore[arg-type]
    return {
        parameter.name
        for parameter in parameters
        if parameter.name != "self"
        and parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }


def test_installed_top_level_exports_are_known() -> None:
    exported = set(getattr(inngest, "__all__", ()))
    assert exported, "the installed inngest has no __all__"
    assert exported <= sdk.TOP_LEVEL_EXPORTS, sorted(exported - sdk.TOP_LEVEL_EXPORTS)


def test_public_submodules_are_importable_names() -> None:
    for module in sdk.PUBLIC_SUBMODULES:
        assert importlib.util.find_spec(module) is not None, module
        assert module.split(".", 1)[1] in sdk.TOP_LEVEL_EXPORTS


def test_wrong_modules_do_not_exist() -> None:
    for module in sdk.WRONG_MODULES:
        assert importlib.util.find_spec(module) is None, module
    for name in sdk.WRONG_TOP_LEVEL_NAMES:
        assert not hasattr(inngest, name), name


def test_internal_errors_exist_but_are_not_exported() -> None:
    errors = importlib.import_module("inngest._internal.errors")
    for name in sdk.INTERNAL_ERROR_CLASSES:
        assert hasattr(errors, name), name
        assert name not in sdk.TOP_LEVEL_EXPORTS


@pytest.mark.parametrize("qualified", CONFIG_CLASSES, ids=_short)
def test_config_class_keywords_cover_model_fields(qualified: str) -> None:
    model = getattr(inngest, _short(qualified))
    fields = set(model.model_fields)
    assert fields <= sdk.CONFIG_CLASS_KEYWORDS[qualified], sorted(fields - sdk.CONFIG_CLASS_KEYWORDS[qualified])


def test_every_config_class_is_exported() -> None:
    for qualified in [*sdk.CONFIG_CLASS_KEYWORDS, sdk.CLIENT_CLASS, *sdk.TRIGGER_CLASSES]:
        assert qualified.startswith(sdk.PACKAGE + ".")
        assert hasattr(inngest, _short(qualified)), qualified


def test_create_function_keywords_cover_signature() -> None:
    parameters = _keyword_parameters(inngest.Inngest.create_function)
    assert parameters <= sdk.CREATE_FUNCTION_KEYWORDS, sorted(parameters - sdk.CREATE_FUNCTION_KEYWORDS)
    assert {sdk.CREATE_FUNCTION_ID_KEYWORD, sdk.CREATE_FUNCTION_TRIGGER_KEYWORD} <= parameters


def test_client_keywords_cover_signature() -> None:
    parameters = _keyword_parameters(inngest.Inngest.__init__)
    assert parameters <= sdk.CLIENT_KEYWORDS, sorted(parameters - sdk.CLIENT_KEYWORDS)
    assert sdk.CLIENT_SECRET_KEYWORDS <= parameters
    assert {sdk.CLIENT_SIGNING_KEY_KEYWORD, sdk.CLIENT_EVENT_KEY_KEYWORD} == sdk.CLIENT_SECRET_KEYWORDS


@pytest.mark.parametrize("step_class", ["Step", "StepSync"])
def test_step_methods_exist(step_class: str) -> None:
    cls = getattr(inngest, step_class)
    for method in sdk.STEP_METHODS:
        assert callable(getattr(cls, method, None)), f"{step_class}.{method}"
    for method in sdk.REMOVED_STEP_METHODS:
        assert not hasattr(cls, method), f"{step_class}.{method} is listed as removed"


@pytest.mark.parametrize("step_class", ["Step", "StepSync"])
@pytest.mark.parametrize("method", sorted(sdk.STEP_METHOD_KEYWORDS))
def test_step_method_keywords_cover_signature(step_class: str, method: str) -> None:
    parameters = _keyword_parameters(getattr(getattr(inngest, step_class), method))
    parameters.discard(sdk.STEP_ID_KEYWORD)
    known = sdk.STEP_METHOD_KEYWORDS[method]
    assert parameters <= known, sorted(parameters - known)


def test_duration_arguments_are_real_keywords() -> None:
    for owner, keywords in sdk.DURATION_ARGUMENTS.items():
        known = sdk.CONFIG_CLASS_KEYWORDS.get(owner) or sdk.STEP_METHOD_KEYWORDS.get(owner)
        assert known is not None, owner
        assert keywords <= known, owner


def test_keyword_corrections_point_at_real_keywords() -> None:
    for owner, corrections in sdk.KEYWORD_CORRECTIONS.items():
        known = (
            sdk.CONFIG_CLASS_KEYWORDS.get(owner)
            or sdk.STEP_METHOD_KEYWORDS.get(owner)
            or (sdk.CREATE_FUNCTION_KEYWORDS if owner == sdk.CREATE_FUNCTION_METHOD else None)
            or (sdk.CLIENT_KEYWORDS if owner == sdk.CLIENT_CLASS else None)
        )
        assert known is not None, owner
        for wrong, right in corrections.items():
            assert wrong not in known, f"{owner}: {wrong} is a real keyword"
            assert right in known, f"{owner}: {right} is not a keyword"


def test_filter_keywords_are_real_keywords() -> None:
    for owner, keyword in sdk.FILTER_KEYWORDS.items():
        known = sdk.CONFIG_CLASS_KEYWORDS.get(owner) or sdk.STEP_METHOD_KEYWORDS.get(owner)
        assert known is not None and keyword in known, owner


def test_retry_after_error_signature() -> None:
    parameters = list(inspect.signature(inngest.RetryAfterError.__init__).parameters)
    assert parameters[1:3] == [sdk.RETRY_AFTER_MESSAGE_KEYWORD, sdk.RETRY_AFTER_KEYWORD]
    assert sdk.RETRY_AFTER_ERROR == f"{sdk.PACKAGE}.{inngest.RetryAfterError.__name__}"
    private = importlib.import_module("inngest._internal.errors")
    assert private.RetryAfterError is inngest.RetryAfterError


def _defines_at_top_level(path: Path, name: str) -> bool:
    """Whether a module's source binds `name` at its top level (without importing it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names):
                return True
        if isinstance(node, ast.Assign):
            if any(isinstance(target, ast.Name) and target.id == name for target in node.targets):
                return True
    return False


@pytest.mark.parametrize("entry_point", sorted([*sdk.SERVE_ENTRY_POINTS, sdk.CONNECT_ENTRY_POINT]))
def test_serve_entry_points_exist(entry_point: str) -> None:
    module_name, _, attribute = entry_point.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        # The framework (fastapi, flask, tornado, protobuf for connect) is an optional
        # dependency of the SDK: read the module's source instead of importing it.
        spec = importlib.util.find_spec(module_name)
        assert spec is not None and spec.origin is not None, f"{module_name} is missing ({error})"
        assert _defines_at_top_level(Path(spec.origin), attribute), entry_point
        return
    assert callable(getattr(module, attribute, None)), entry_point


def test_serve_signatures_match_table() -> None:
    """Client and function-list positions, read from the sources (frameworks need not be installed)."""
    for entry in sdk.SERVE_ENTRY_POINTS.values():
        module_name, _, attribute = entry.qualified_name.rpartition(".")
        spec = importlib.util.find_spec(module_name)
        assert spec is not None and spec.origin is not None
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        function = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == attribute)
        names = [argument.arg for argument in function.args.posonlyargs + function.args.args]
        assert names[entry.client_index] == sdk.SERVE_CLIENT_KEYWORD, entry.qualified_name
        assert names[entry.functions_index] == sdk.SERVE_FUNCTIONS_KEYWORD, entry.qualified_name


def test_linter_never_imports_inngest() -> None:
    """The linter reads source only; importing it must not pull in the SDK."""
    import subprocess
    import sys

    code = (
        "import sys, inngest_lint.cli, inngest_lint.api, inngest_lint.registry\n"
        "inngest_lint.registry.all_rules()\n"
        "print(any(name == 'inngest' or name.startswith('inngest.') for name in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_filtered_logger_methods_match_the_sdk() -> None:
    log = importlib.import_module("inngest._internal.log")
    assert set(log.FilteredLogger._proxied_methods) == sdk.FILTERED_LOGGER_METHODS


_SERVE_SOURCES = {
    "inngest.connect.connect": "inngest/connect/_internal/connect.py",
}


@pytest.mark.parametrize("entry_point", sorted(sdk.SERVE_POSITIONAL_PARAMETERS))
def test_serve_signatures_are_covered(entry_point: str) -> None:
    """INN204's table against the installed SDK's source (read, not imported: the frameworks
    themselves are not test dependencies): parameters in order, and the keyword-only ones."""
    module_name, _, function_name = entry_point.rpartition(".")
    package_root = Path(inspect.getfile(inngest)).parent.parent
    relative = _SERVE_SOURCES.get(entry_point, module_name.replace(".", "/") + ".py")
    tree = ast.parse((package_root / relative).read_text(encoding="utf-8"))
    definition = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == function_name)
    positional = tuple(arg.arg for arg in definition.args.args)
    keyword_only = {arg.arg for arg in definition.args.kwonlyargs}
    assert positional == sdk.SERVE_POSITIONAL_PARAMETERS[entry_point]
    assert keyword_only <= sdk.SERVE_KEYWORD_ONLY_PARAMETERS[entry_point]


def test_async_middleware_hooks_are_coroutines() -> None:
    """INN206: every hook of `inngest.Middleware` is async, of `MiddlewareSync` plain."""
    hooks = [
        name
        for name in vars(inngest.MiddlewareSync)
        if not name.startswith("_") and callable(getattr(inngest.MiddlewareSync, name))
    ]
    assert hooks
    for hook in hooks:
        assert not inspect.iscoroutinefunction(getattr(inngest.MiddlewareSync, hook)), hook
        assert inspect.iscoroutinefunction(getattr(inngest.Middleware, hook)), hook
