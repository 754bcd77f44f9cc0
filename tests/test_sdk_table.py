"""`inngest_lint/sdk.py` against the installed Inngest SDK, and against the oldest and newest.

The linter never imports `inngest`; its knowledge of the SDK is the table in `sdk.py`, written
as the union over SDK 0.3 to 0.5.20a0. These tests import the installed SDK (a test dependency)
and check that the table covers it, so a new SDK release that adds an export, a keyword or a step
method fails here instead of producing false "unknown keyword" or "wrong import" findings.

`test_table_against_release` runs this module again in a subprocess against the oldest supported
release and the newest one (pre-releases included), unzipped from their wheels into a cache by
`tests/sdk_versions.py`. Every version must be covered (what the SDK has, the table knows); the
table's names must exist in the 0.5 API it spells (not in 0.3/0.4, which only need covering), and
names added after the installed release are not asked of it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sdk_versions

from inngest_lint import sdk

inngest = pytest.importorskip("inngest", reason="the Inngest SDK is a test dependency (pip install inngest)")

#: Set in the subprocess that checks another release (see `test_table_against_release`).
RELEASE_VARIABLE = "INNGEST_LINT_SDK_RELEASE"


def _version_tuple(text: str) -> tuple[int, ...]:
    """`0.5.20a0` -> (0, 5, 20): the release numbers, pre-release tags dropped."""
    return tuple(int(part) for part in re.findall(r"\d+", text.split("a")[0].split("b")[0].split("rc")[0])[:3])


INSTALLED = _version_tuple(importlib.metadata.version("inngest"))
#: The table spells the 0.5 API; 0.3 and 0.4 are only checked for coverage.
current_api = pytest.mark.skipif(
    INSTALLED < (0, 5), reason="the table's names are the 0.5 API; older releases are checked for coverage only"
)
#: Names that only the newest release has are not asked of an older one.
newest_api = pytest.mark.skipif(
    INSTALLED < sdk.NEWEST_VERSION, reason="names added after the installed release are checked against the newest"
)

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


@current_api
def test_public_submodules_are_importable_names() -> None:
    for module in sdk.PUBLIC_SUBMODULES:
        assert importlib.util.find_spec(module) is not None, module
        assert module.split(".", 1)[1] in sdk.TOP_LEVEL_EXPORTS


def test_wrong_modules_do_not_exist() -> None:
    for module in sdk.WRONG_MODULES:
        assert importlib.util.find_spec(module) is None, module
    for name in sdk.WRONG_TOP_LEVEL_NAMES:
        assert not hasattr(inngest, name), name


@current_api
def test_internal_errors_exist_but_are_not_exported() -> None:
    errors = importlib.import_module("inngest._internal.errors")
    for name in sdk.INTERNAL_ERROR_CLASSES:
        assert hasattr(errors, name), name
        assert name not in sdk.TOP_LEVEL_EXPORTS


@pytest.mark.parametrize("qualified", CONFIG_CLASSES, ids=_short)
def test_config_class_keywords_cover_model_fields(qualified: str) -> None:
    model = getattr(inngest, _short(qualified), None)
    if model is None:
        assert INSTALLED < (0, 5), f"{qualified} is missing"
        pytest.skip(f"{qualified} is newer than the installed release")
    fields = set(model.model_fields)
    assert fields <= sdk.CONFIG_CLASS_KEYWORDS[qualified], sorted(fields - sdk.CONFIG_CLASS_KEYWORDS[qualified])


@current_api
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


@current_api
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
    function = _step_callable(step_class, method)
    if function is None:
        assert INSTALLED < sdk.NEWEST_VERSION, f"{step_class}: {method} is missing"
        pytest.skip(f"{method} is newer than the installed release")
    parameters = _keyword_parameters(function)
    parameters.discard(sdk.STEP_ID_KEYWORD)
    known = sdk.STEP_METHOD_KEYWORDS[method]
    assert parameters <= known, sorted(parameters - known)


def _step_callable(step_class: str, method: str) -> object | None:
    """The SDK method a `step_method` name stands for: `run` on `Step`, `ai.infer` on the `AI`
    tool beside it (`step.ai` is set in `Step.__init__`), `group.experiment` on `Group`."""
    cls = getattr(inngest, step_class)
    if "." not in method:
        return getattr(cls, method, None)
    owner, name = method.split(".", 1)
    module = sys.modules[cls.__module__]
    if owner == sdk.CONTEXT_GROUP_ATTRIBUTE:
        group = _group_module()
        holder = getattr(group, "GroupSync" if step_class.endswith("Sync") else "Group", None) if group else None
    else:
        holder = next((value for key, value in vars(module).items() if key.lower() == owner), None)
    return getattr(holder, name, None) if holder is not None else None


def _group_module() -> object | None:
    """`inngest._internal.step_lib.group` (`ctx.group`, 0.4 on), or None before it existed."""
    name = "inngest._internal.step_lib.group"
    return importlib.import_module(name) if importlib.util.find_spec(name) is not None else None


def test_step_tools_and_group_steps_exist() -> None:
    """Each "tool.method" the table names exists (on the newest: `group.experiment` is 0.5.20)."""
    for step_class in ("Step", "StepSync"):
        for tool, methods in sdk.STEP_TOOL_METHODS.items():
            for method in methods:
                if INSTALLED >= (0, 5):
                    assert _step_callable(step_class, f"{tool}.{method}") is not None, f"{tool}.{method}"
        if INSTALLED >= sdk.NEWEST_VERSION:
            for method in sdk.GROUP_STEP_METHODS:
                assert _step_callable(step_class, f"{sdk.CONTEXT_GROUP_ATTRIBUTE}.{method}") is not None, method


@pytest.mark.parametrize("group_class", ["Group", "GroupSync"])
def test_group_parallel_keywords_cover_signature(group_class: str) -> None:
    group = _group_module()
    if group is None:
        pytest.skip("no `ctx.group` before 0.4 (0.3 has `step.parallel`)")
    parameters = _keyword_parameters(getattr(group, group_class).parallel)
    assert parameters <= sdk.GROUP_PARALLEL_KEYWORDS, sorted(parameters - sdk.GROUP_PARALLEL_KEYWORDS)


@newest_api
def test_newest_release_names_exist() -> None:
    """0.5.20: `EventMeta`, `meta=` on `Event` and invoke, `ctx.defer`, `create_defer`, scores."""
    assert sdk.EVENT_META_CLASS == f"{sdk.PACKAGE}.{inngest.EventMeta.__name__}"
    assert "meta" in inngest.Event.model_fields
    for step_class in ("Step", "StepSync"):
        for method in (sdk.STEP_INVOKE, sdk.STEP_INVOKE_BY_ID):
            assert "meta" in _keyword_parameters(getattr(getattr(inngest, step_class), method))
    for context_class in sdk.CONTEXT_CLASSES:
        defer = getattr(getattr(inngest, _short(context_class)), sdk.CONTEXT_DEFER_METHOD)
        parameters = _keyword_parameters(defer)
        assert parameters == sdk.CONTEXT_DEFER_KEYWORDS, sorted(parameters ^ sdk.CONTEXT_DEFER_KEYWORDS)
    module_name, _, attribute = sdk.CREATE_DEFER_FUNCTION.rpartition(".")
    assert callable(getattr(importlib.import_module(module_name), attribute))
    for method in sdk.CLIENT_IO_METHODS:
        assert callable(getattr(inngest.Inngest, method)), method


@current_api
def test_io_functions_and_step_decorator_exist() -> None:
    for qualified in sorted(sdk.IO_FUNCTIONS | {sdk.EXPERIMENTAL_STEP_DECORATOR}):
        module_name, _, attribute = qualified.rpartition(".")
        spec = importlib.util.find_spec(module_name)
        assert spec is not None and spec.origin is not None, qualified
        source = Path(spec.origin).read_text(encoding="utf-8")
        # Read, not imported: `realtime` imports optional dependencies.
        assert re.search(rf"\b{attribute}\b", source), qualified


def test_handler_calling_convention() -> None:
    """0.3/0.4 call `handler(ctx=..., step=...)`; 0.5 calls `handler(ctx)` (see sdk.py)."""
    root = Path(inngest.__file__).parent / "_internal"
    sources = [root / "function.py", *sorted((root / "execution_lib").glob("*.py"))]
    text = "\n".join(path.read_text(encoding="utf-8") for path in sources if path.is_file())
    keyword_call = re.search(r"handler\(\s*ctx=ctx,\s*step=", text) is not None
    assert keyword_call == (INSTALLED[:2] in sdk.HANDLER_KEYWORD_CALL_VERSIONS), INSTALLED
    if not keyword_call:
        assert re.search(r"handler\(ctx\)", text), "0.5 calls handler(ctx)"


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


@current_api
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


@current_api
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


@current_api
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


@pytest.mark.skipif(bool(os.environ.get(RELEASE_VARIABLE)), reason="already checking another release")
@pytest.mark.parametrize("release", sdk_versions.VERSIONS)
def test_table_against_release(release: str) -> None:
    """This module, run against another release unzipped from its wheel (see tests/sdk_versions.py)."""
    if not sdk_versions.is_prepared(release):
        pytest.skip(
            f"inngest {release} is not in {sdk_versions.cache_dir()}: run `python tests/sdk_versions.py` "
            "once (it downloads the wheels; .ci/run does)"
        )
    root = Path(__file__).resolve().parent.parent
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(sdk_versions.release_dir(release)), str(root)])
    environment[RELEASE_VARIABLE] = release
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", __file__],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_release_under_test_is_the_one_imported() -> None:
    """In the subprocess: the release's own `inngest`, not the installed one, is checked."""
    release = os.environ.get(RELEASE_VARIABLE)
    if not release:
        pytest.skip("only in the subprocess of test_table_against_release")
    assert importlib.metadata.version("inngest") == release
    assert Path(inngest.__file__).is_relative_to(sdk_versions.release_dir(release))


def test_filtered_logger_methods_match_the_sdk() -> None:
    if os.environ.get(RELEASE_VARIABLE):
        pytest.skip("the installed release's tables only (INN121/INN204/INN206 read it), not each release's")
    log = importlib.import_module("inngest._internal.log")
    assert set(log.FilteredLogger._proxied_methods) == sdk.FILTERED_LOGGER_METHODS


_SERVE_SOURCES = {
    "inngest.connect.connect": "inngest/connect/_internal/connect.py",
}


@pytest.mark.parametrize("entry_point", sorted(sdk.SERVE_POSITIONAL_PARAMETERS))
def test_serve_signatures_are_covered(entry_point: str) -> None:
    """INN204's table against the installed SDK's source (read, not imported: the frameworks
    themselves are not test dependencies): parameters in order, and the keyword-only ones."""
    if os.environ.get(RELEASE_VARIABLE):
        pytest.skip("the installed release's tables only (INN121/INN204/INN206 read it), not each release's")
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
    if os.environ.get(RELEASE_VARIABLE):
        pytest.skip("the installed release's tables only (INN121/INN204/INN206 read it), not each release's")
    hooks = [
        name
        for name in vars(inngest.MiddlewareSync)
        if not name.startswith("_") and callable(getattr(inngest.MiddlewareSync, name))
    ]
    assert hooks
    for hook in hooks:
        assert not inspect.iscoroutinefunction(getattr(inngest.MiddlewareSync, hook)), hook
        assert inspect.iscoroutinefunction(getattr(inngest.Middleware, hook)), hook
