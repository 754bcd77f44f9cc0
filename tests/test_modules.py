"""The import resolver: which file a dotted name means for the file that imports it."""

from __future__ import annotations

from pathlib import Path

import pytest

from inngest_lint.modules import AMBIGUOUS, ImportResolver


def tree(root: Path, files: list[str]) -> ImportResolver:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text("", encoding="utf-8")
    resolver = ImportResolver(str(root))
    resolver.add_files(str(root / name) for name in files if name.endswith((".py", ".pyi")))
    return resolver


def target(resolver: ImportResolver, dotted: str, origin: Path) -> tuple[str, tuple[str, ...]] | None | str:
    found = resolver.find(dotted, str(origin))
    if found is None:
        return None
    if found is AMBIGUOUS:
        return "ambiguous"
    return Path(found.path).relative_to(resolver.root).as_posix(), found.rest  # type: ignore[arg-type]


def test_two_services_each_get_their_own_top_level_package(tmp_path: Path) -> None:
    resolver = tree(
        tmp_path,
        [
            "api/app/__init__.py",
            "api/app/client.py",
            "api/app/main.py",
            "worker/app/__init__.py",
            "worker/app/client.py",
            "worker/app/main.py",
        ],
    )
    assert target(resolver, "app.client.client", tmp_path / "api/app/main.py") == ("api/app/client.py", ("client",))
    assert target(resolver, "app.client.client", tmp_path / "worker/app/main.py") == (
        "worker/app/client.py",
        ("client",),
    )
    # From outside both services, `app` could be either: ambiguous, never a guess.
    assert target(resolver, "app.client", tmp_path / "scripts/deploy.py") == "ambiguous"


def test_namespace_folders_resolve_relative_imports_by_path(tmp_path: Path) -> None:
    resolver = tree(
        tmp_path,
        [
            "examples/fastapi_app/client.py",
            "examples/fastapi_app/functions.py",
            "examples/flask_app/client.py",
            "examples/flask_app/functions.py",
            "examples/shared/util.py",
        ],
    )
    for app in ("fastapi_app", "flask_app"):
        origin = tmp_path / "examples" / app / "functions.py"
        name, is_package = resolver.module_name(str(origin))
        assert (name, is_package) == (f"examples.{app}.functions", False)
        # `from .client import inngest_client`, made absolute with the file's own name.
        assert target(resolver, f"examples.{app}.client.inngest_client", origin) == (
            f"examples/{app}/client.py",
            ("inngest_client",),
        )
        # `from ..shared.util import x` climbs the namespace folders too.
        assert target(resolver, "examples.shared.util.x", origin) == ("examples/shared/util.py", ("x",))
        # A script-style import of a sibling module (`python functions.py`).
        assert target(resolver, "client.inngest_client", origin) == (f"examples/{app}/client.py", ("inngest_client",))


def test_app_rooted_in_a_subfolder_and_a_namespace_app_folder(tmp_path: Path) -> None:
    resolver = tree(
        tmp_path,
        [
            "server/app/main.py",
            "server/app/core/client.py",
            "server/app/jobs/orders.py",
            "server/tests/test_jobs.py",
        ],
    )
    origin = tmp_path / "server/app/jobs/orders.py"
    assert target(resolver, "app.core.client.inngest_client", origin) == (
        "server/app/core/client.py",
        ("inngest_client",),
    )
    assert target(resolver, "app.jobs.orders", tmp_path / "server/tests/test_jobs.py") == (
        "server/app/jobs/orders.py",
        (),
    )


def test_src_layout_and_tests_beside_it(tmp_path: Path) -> None:
    resolver = tree(
        tmp_path,
        [
            "search/pyproject.toml",
            "search/src/search_svc/__init__.py",
            "search/src/search_svc/client.py",
            "search/src/search_svc/app.py",
            "search/tests/test_app.py",
        ],
    )
    assert resolver.module_name(str(tmp_path / "search/src/search_svc/app.py")) == ("search_svc.app", False)
    assert target(resolver, "search_svc.client.c", tmp_path / "search/src/search_svc/app.py") == (
        "search/src/search_svc/client.py",
        ("c",),
    )
    # The tests folder is no package: `search_svc` is found under the project's `src` root.
    assert target(resolver, "search_svc.app", tmp_path / "search/tests/test_app.py") == (
        "search/src/search_svc/app.py",
        (),
    )


def test_configured_src_roots_for_layouts_nothing_can_infer(tmp_path: Path) -> None:
    files = ["deploy/services/billing/handlers.py", "deploy/services/billing/client.py", "scripts/replay.py"]
    resolver = tree(tmp_path, files)
    assert target(resolver, "billing.client", tmp_path / "scripts/replay.py") is None
    configured = ImportResolver(str(tmp_path), [str(tmp_path / "deploy/services")])
    configured.add_files(str(tmp_path / name) for name in files)
    assert target(configured, "billing.client", tmp_path / "scripts/replay.py") == (
        "deploy/services/billing/client.py",
        (),
    )


def test_package_before_module_and_attributes_of_a_package(tmp_path: Path) -> None:
    resolver = tree(tmp_path, ["pkg/__init__.py", "pkg/jobs/__init__.py", "pkg/jobs/billing.py", "pkg/main.py"])
    origin = tmp_path / "pkg/main.py"
    assert target(resolver, "pkg.jobs.billing.invoice", origin) == ("pkg/jobs/billing.py", ("invoice",))
    # A name the package's __init__ defines (or re-exports).
    assert target(resolver, "pkg.jobs.functions", origin) == ("pkg/jobs/__init__.py", ("functions",))
    # A package's own name resolves to submodules, not to its own attributes.
    assert target(resolver, "pkg.jobs.billing", tmp_path / "pkg/jobs/__init__.py") == ("pkg/jobs/billing.py", ())


def test_standard_library_and_sdk_names_are_not_project_files(tmp_path: Path) -> None:
    resolver = tree(tmp_path, ["app/core/inngest.py", "app/core/logging.py", "app/core/functions.py", "tools/json.py"])
    origin = tmp_path / "app/core/functions.py"
    assert target(resolver, "inngest.Inngest", origin) is None
    assert target(resolver, "logging.getLogger", origin) is None
    assert target(resolver, "json.dumps", tmp_path / "app/core/functions.py") is None
    # The project's own module of that name, imported by its full name, is found.
    assert target(resolver, "app.core.inngest.client", origin) == ("app/core/inngest.py", ("client",))


def test_nearest_root_wins_over_farther_ones(tmp_path: Path) -> None:
    resolver = tree(tmp_path, ["orders/app/client.py", "orders/app/jobs/fulfil.py", "app/client.py"])
    assert target(resolver, "app.client", tmp_path / "orders/app/jobs/fulfil.py") == ("orders/app/client.py", ())
    assert target(resolver, "app.client", tmp_path / "main.py") == ("app/client.py", ())


def test_a_namespace_folder_lets_the_search_go_on_but_a_package_does_not(tmp_path: Path) -> None:
    resolver = tree(tmp_path, ["libs/common/src/common/events.py", "service/common/README.md", "service/main.py"])
    # service/common is no Python folder: `common.events` comes from the library's src root.
    assert target(resolver, "common.events.NAME", tmp_path / "service/main.py") == (
        "libs/common/src/common/events.py",
        ("NAME",),
    )
    packaged = tree(tmp_path / "two", ["service/common/__init__.py", "service/main.py", "libs/src/common/events.py"])
    # A regular package `common` beside the importer shadows every other root, as in Python.
    assert target(packaged, "common.events", tmp_path / "two/service/main.py") == (
        "service/common/__init__.py",
        ("events",),
    )


@pytest.mark.parametrize(
    "files, path, expected",
    [
        (["app/__init__.py", "app/jobs.py"], "app/jobs.py", "app.jobs"),
        (["app/jobs.py"], "app/jobs.py", "app.jobs"),
        (["svc/pyproject.toml", "svc/app/jobs.py"], "svc/app/jobs.py", "app.jobs"),
        (["my-service/app/jobs.py"], "my-service/app/jobs.py", "app.jobs"),
        (["pkg/__init__.py", "pkg/scripts/run.py"], "pkg/scripts/run.py", "pkg.scripts.run"),
        (["outer/pkg/__init__.py", "outer/pkg/mod.py"], "outer/pkg/mod.py", "pkg.mod"),
    ],
)
def test_module_names(tmp_path: Path, files: list[str], path: str, expected: str) -> None:
    resolver = tree(tmp_path, files)
    assert resolver.module_name(str(tmp_path / path))[0] == expected


def test_a_package_named_like_the_sdk_finds_its_own_modules(tmp_path: Path) -> None:
    resolver = tree(
        tmp_path, ["src/inngest/__init__.py", "src/inngest/client.py", "src/inngest/functions.py", "main.py"]
    )
    functions = tmp_path / "src/inngest/functions.py"
    assert resolver.module_name(str(functions)) == ("inngest.functions", False)
    # `from .client import inngest_client` in functions.py
    assert target(resolver, "inngest.client.inngest_client", functions) == (
        "src/inngest/client.py",
        ("inngest_client",),
    )
    # `from .client import inngest_client` in the package's __init__, and its own names
    init = tmp_path / "src/inngest/__init__.py"
    assert target(resolver, "inngest.client.inngest_client", init) == ("src/inngest/client.py", ("inngest_client",))
    assert target(resolver, "inngest.functions_list", init) == ("src/inngest/__init__.py", ("functions_list",))
    # The package as the app imports it.
    assert target(resolver, "src.inngest.inngest_client", tmp_path / "main.py") == (
        "src/inngest/__init__.py",
        ("inngest_client",),
    )
