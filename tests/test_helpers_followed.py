"""Following project helpers (INN104, INN109, INN117, INN118 across files): what fixtures cannot show.

The facts the collector records about helpers, that they survive the cache, that the collector
and the file rule INN117 agree on what swallows an exception (one implementation), that INN109
and INN118 follow chains of helpers as deep as `follow-depth` says (cycles cut), and that editing
a helper, even two calls away, updates the findings at its call sites.
"""

from __future__ import annotations

import os
import pickle
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import lint_project, write_project

from inngest_lint.api import RunOptions, lint_paths
from inngest_lint.config import load_settings
from inngest_lint.facts.model import Definition, FileFacts, InngestFunction
from inngest_lint.rules._project_helpers import effect_words


def _facts(root: Path) -> dict[str, FileFacts]:
    old = os.getcwd()
    os.chdir(root)
    try:
        result = lint_paths(["."], load_settings(root), RunOptions(use_cache=False))
    finally:
        os.chdir(old)
    assert not result.errors
    return {Path(f.path).relative_to(root.resolve()).as_posix(): f for f in result.index.files}


def _definition(facts: FileFacts, symbol: str) -> Definition:
    return next(d for d in facts.definitions if d.symbol == symbol)


def _function(facts: FileFacts, name: str) -> InngestFunction:
    return next(f for f in facts.functions if f.handler_name == name)


def _line(source: str, text: str, occurrence: int = 1) -> int:
    """The line (1-based, as written to disk) holding the `occurrence`-th `text` in `source`."""
    lines = textwrap.dedent(source).lstrip("\n").splitlines()
    return [number for number, line in enumerate(lines, start=1) if text in line][occurrence - 1]


HELPERS = """
    import functools
    import logging

    import httpx
    import inngest

    from app.client import client

    logger = logging.getLogger(__name__)


    def swallows(user_id: str) -> dict | None:
        try:
            return api.get(user_id)
        except Exception:
            logger.exception("failed")
            return None


    def reraises(user_id: str) -> dict:
        try:
            return api.get(user_id)
        except Exception:
            logger.exception("failed")
            raise


    def posts(order: dict) -> None:
        httpx.post("https://hooks.example.com", json=order)


    def sends(order: dict) -> None:
        client.send_sync(inngest.Event(name="app/sent", data=order))


    def alerts_on_error(order: dict) -> None:
        try:
            api.put(order)
        except Exception:
            httpx.post("https://alerts.example.com", json=order)
            raise


    @functools.lru_cache(maxsize=1)
    def cached() -> str:
        return httpx.post("https://auth.example.com").text


    def pages(url: str):
        yield httpx.get(url)


    def calls_posts(order: dict) -> None:
        posts(order)


    class Repo:
        @staticmethod
        def save(order: dict) -> None:
            httpx.put("https://store.example.com", json=order)
"""

JOBS = """
    import inngest

    from app import helpers
    from app.client import client
    from app.helpers import posts as post_it, swallows


    @client.create_function(fn_id="job", trigger=inngest.TriggerEvent(event="app/job"))
    async def job(ctx: inngest.Context) -> dict | None:
        order = await ctx.step.run("load", lambda: swallows("u"))
        post_it(order)

        async def handler() -> dict | None:
            return helpers.swallows("u")

        await ctx.step.run("handler", handler)
        helpers.Repo.save(order)
        await ctx.step.sleep("cool-down", 1000)
        post_it(order)  # no step call can follow it: runs once per attempt
        len(order)
        return await helpers.reraises("u")
"""


@pytest.fixture
def helper_project(tmp_path: Path) -> Path:
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/client.py": "import inngest\nclient = inngest.Inngest(app_id='app')\n",
            "app/helpers.py": HELPERS,
            "app/jobs.py": JOBS,
        },
    )
    return tmp_path


def test_definitions_record_what_a_helper_body_does(helper_project: Path) -> None:
    helpers = _facts(helper_project)["app/helpers.py"]
    swallows = _definition(helpers, "swallows")
    assert swallows.swallows is not None and swallows.swallows.line == _line(HELPERS, "except Exception:")
    assert swallows.swallows_as == "except Exception"
    assert _definition(helpers, "reraises").swallows is None
    # The facts say what the call is; the rule words it (effect_words).
    posts = _definition(helpers, "posts").effect
    assert posts is not None
    assert (posts.kind, posts.system, posts.action, posts.location.line) == (
        "http",
        "httpx",
        "post",
        _line(HELPERS, 'httpx.post("https://hooks.example.com"'),
    )
    assert effect_words(posts.kind, posts.system, posts.action, posts.label) == "an HTTP POST via httpx"
    # The client is imported: the helper's file cannot tell, phase 2 settles it.
    sends = _definition(helpers, "sends")
    assert sends.effect is None and sends.client_send is not None
    assert sends.client_send.client.value == "app.client.client"
    assert _definition(helpers, "alerts_on_error").effect is None  # only on the error path
    assert _definition(helpers, "cached").effect is None  # decorated
    assert _definition(helpers, "pages").effect is None  # a generator
    assert _definition(helpers, "calls_posts").effect is None  # not followed transitively
    save = _definition(helpers, "Repo.save").effect
    assert save is not None and (save.kind, save.system, save.action) == ("http", "httpx", "put")


def test_functions_record_their_body_calls(helper_project: Path) -> None:
    job = _function(_facts(helper_project)["app/jobs.py"], "job")
    assert job.makes_step_call
    calls = {(call.label, call.in_step_handler, call.returned, call.lambda_body) for call in job.body_calls}
    assert calls == {
        ("swallows", True, True, True),
        ("post_it", False, False, False),
        ("helpers.swallows", True, True, False),
        ("helpers.Repo.save", False, False, False),
        ("helpers.reraises", False, True, False),
    }
    # `len` is a builtin, SDK calls and step calls are not helpers.
    assert all(call.callee.kind == "symbol" for call in job.body_calls)
    # Whether a step call can still follow each call of the re-run body.
    precedes = [(call.label, call.precedes_step) for call in job.body_calls if not call.in_step_handler]
    assert precedes == [
        ("post_it", True),
        ("helpers.Repo.save", True),
        ("post_it", False),
        ("helpers.reraises", False),
    ]


def test_helper_facts_survive_pickling(helper_project: Path) -> None:
    facts = _facts(helper_project)
    assert _function(facts["app/jobs.py"], "job").body_calls
    for file_facts in facts.values():
        assert pickle.loads(pickle.dumps(file_facts)) == file_facts


def test_findings_at_the_call_sites(helper_project: Path) -> None:
    found = sorted((Path(d.path).name, d.line, d.code) for d in lint_project(helper_project))
    assert found == [
        ("jobs.py", _line(JOBS, 'lambda: swallows("u")'), "INN117"),
        ("jobs.py", _line(JOBS, "post_it(order)"), "INN109"),
        ("jobs.py", _line(JOBS, 'return helpers.swallows("u")'), "INN117"),
        ("jobs.py", _line(JOBS, "helpers.Repo.save(order)"), "INN109"),
    ]


@pytest.mark.parametrize(
    ("body", "swallows"),
    [
        # returns
        (
            """
            try:
                return api.get(user_id)
            except Exception:
                return None
            """,
            True,
        ),
        # falls off the end
        (
            """
            try:
                api.get(user_id)
            except BaseException:
                logger.warning("failed")
            """,
            True,
        ),
        # a tuple holding Exception
        (
            """
            try:
                return api.get(user_id)
            except (KeyError, Exception):
                return {}
            """,
            True,
        ),
        # per-item handler in a loop that returns
        (
            """
            for item in user_id:
                try:
                    return api.get(item)
                except:
                    return None
            """,
            True,
        ),
        # narrow: not swallowing
        (
            """
            try:
                return api.get(user_id)
            except KeyError:
                return None
            """,
            False,
        ),
        # re-raises: not swallowing
        (
            """
            try:
                return api.get(user_id)
            except Exception:
                if retryable():
                    raise
                return None
            """,
            False,
        ),
        # per-item handler that moves on: not swallowing
        (
            """
            for item in user_id:
                try:
                    api.get(item)
                except Exception:
                    continue
            """,
            False,
        ),
        # falls through to more code: not swallowing
        (
            """
            try:
                data = api.get(user_id)
            except Exception:
                data = None
            return data
            """,
            False,
        ),
        # `Exception` rebound in the function: not the builtin
        (
            """
            Exception = KeyError
            try:
                return api.get(user_id)
            except Exception:
                return None
            """,
            False,
        ),
    ],
)
def test_collector_and_file_rule_agree_on_swallowing(tmp_path: Path, body: str, swallows: bool) -> None:
    """A module-level def given to `step.run` in its own file: the file rule INN117 reports its
    handler exactly where the collector records `swallows` (one implementation)."""
    indented = textwrap.indent(textwrap.dedent(body).strip(), "    ")
    source = (
        "import logging\n\nimport inngest\n\nclient = inngest.Inngest(app_id='app')\n"
        "logger = logging.getLogger(__name__)\n\n\n"
        f"def fetch(user_id):\n{indented}\n\n\n"
        "@client.create_function(fn_id='f', trigger=inngest.TriggerEvent(event='app/f'))\n"
        "def f(ctx: inngest.ContextSync) -> None:\n"
        "    ctx.step.run('fetch', fetch, ctx.event.data['user_id'])\n"
    )
    write_project(tmp_path, {"app.py": source})
    reported = {d.line for d in lint_project(tmp_path) if d.code == "INN117"}
    recorded = _definition(_facts(tmp_path)["app.py"], "fetch").swallows
    assert (recorded is not None) is swallows
    assert reported == ({recorded.line} if recorded is not None else set())


def test_editing_a_helper_updates_findings_at_its_call_site(helper_project: Path) -> None:
    def codes() -> list[tuple[int, str]]:
        old = os.getcwd()
        os.chdir(helper_project)
        try:
            result = lint_paths(["app/jobs.py"], load_settings(helper_project), RunOptions())
        finally:
            os.chdir(old)
        return sorted((d.line, d.code) for d in result.diagnostics)

    call_line = _line(JOBS, "post_it(order)")
    assert (call_line, "INN109") in codes()
    helpers = helper_project / "app" / "helpers.py"
    helpers.write_text(
        helpers.read_text().replace('httpx.post("https://hooks.example.com", json=order)', "return None"),
        encoding="utf-8",
    )
    assert (call_line, "INN109") not in codes()  # the cached jobs.py facts are reused; the helper's are new


CHAIN_HTTP = """
    import requests


    def fetch(url: str) -> dict:
        return requests.get(url).json()
"""

CHAIN_SYNC = """
    from app import http


    def sync_all(order: dict) -> dict:
        return http.fetch("https://erp.example.com")


    def sync_everything(orders: list) -> None:
        for order in orders:
            sync_all(order)


    def first(order: dict) -> None:
        second(order)


    def second(order: dict) -> None:
        first(order)
        sync_all(order)
"""

CHAIN_JOBS = """
    import inngest

    from app.client import client
    from app.sync import first, sync_all, sync_everything


    @client.create_function(fn_id="job", trigger=inngest.TriggerEvent(event="app/job"))
    async def job(ctx: inngest.Context) -> None:
        order = await ctx.step.run("load", lambda: ctx.event.data)
        sync_all(order)
        sync_everything([order])
        first(order)
        await ctx.step.run("sync", lambda: sync_everything([order]))
        await ctx.step.sleep("wait", 1000)
"""


@pytest.fixture
def chain_project(tmp_path: Path) -> Path:
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/client.py": "import inngest\nclient = inngest.Inngest(app_id='app')\n",
            "app/http.py": CHAIN_HTTP,
            "app/sync.py": CHAIN_SYNC,
            "app/jobs.py": CHAIN_JOBS,
        },
    )
    return tmp_path


def test_definitions_record_their_calls_and_http_without_timeout(chain_project: Path) -> None:
    facts = _facts(chain_project)
    fetch = _definition(facts["app/http.py"], "fetch")
    assert fetch.no_timeout == "requests.get()" and fetch.no_timeout_location is not None
    sync_all = _definition(facts["app/sync.py"], "sync_all")
    assert [(call.label, call.callee.value) for call in sync_all.calls] == [("http.fetch", "app.http.fetch")]
    assert pickle.loads(pickle.dumps(sync_all)) == sync_all


def test_chains_are_followed_as_deep_as_the_setting_says(chain_project: Path) -> None:
    jobs = CHAIN_JOBS
    by_depth: dict[int, list[tuple[int, str]]] = {}
    for depth in (1, 2, 3, 4, 8):
        settings = replace(load_settings(chain_project), follow_depth=depth)
        found = lint_project(chain_project, settings=settings)
        by_depth[depth] = sorted((d.line, d.code) for d in found if Path(d.path).name == "jobs.py")
    sync_all = _line(jobs, "    sync_all(order)")
    sync_everything = _line(jobs, "    sync_everything([order])")
    first = _line(jobs, "    first(order)")
    in_step = _line(jobs, "lambda: sync_everything([order])")
    assert by_depth[1] == []
    assert by_depth[2] == [(sync_all, "INN109")]
    assert by_depth[3] == [(sync_all, "INN109"), (sync_everything, "INN109"), (in_step, "INN118")]
    # first -> second -> sync_all -> http.fetch: four calls; the cycle first -> second -> first is cut.
    assert by_depth[4] == sorted([*by_depth[3], (first, "INN109")])
    assert by_depth[8] == by_depth[4]


def test_chain_messages_name_every_call(chain_project: Path) -> None:
    found = {d.line: d.message for d in lint_project(chain_project) if Path(d.path).name == "jobs.py"}
    message = found[_line(CHAIN_JOBS, "    sync_everything([order])")]
    assert message.startswith(
        "'sync_everything' (app/sync.py:8) calls 'sync_all' (app/sync.py:4), which calls 'http.fetch' "
        "(app/http.py:4), which makes an HTTP GET via requests (app/http.py:5), and Inngest function 'job'"
    ), message
    message = found[_line(CHAIN_JOBS, "lambda: sync_everything([order])")]
    assert "which calls `requests.get()` without `timeout=` (app/http.py:5)" in message, message


def test_editing_a_helper_two_calls_away_updates_the_call_site(chain_project: Path) -> None:
    def codes() -> list[tuple[int, str]]:
        old = os.getcwd()
        os.chdir(chain_project)
        try:
            result = lint_paths(["app/jobs.py"], load_settings(chain_project), RunOptions())
        finally:
            os.chdir(old)
        return sorted((d.line, d.code) for d in result.diagnostics)

    in_step = (_line(CHAIN_JOBS, "lambda: sync_everything([order])"), "INN118")
    assert in_step in codes()
    http = chain_project / "app" / "http.py"
    http.write_text(http.read_text().replace("requests.get(url)", "requests.get(url, timeout=10)"), encoding="utf-8")
    assert in_step not in codes()  # jobs.py and sync.py come from the cache; http.py's facts are new
