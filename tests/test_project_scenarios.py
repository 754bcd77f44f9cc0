"""Cross-file behaviour that fixtures alone cannot express: naming some files (pre-commit),
projects without serve(), serve lists we cannot resolve, and name resolution styles."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES, lint_project

JOBS = """
    import inngest
    from app.client import client

    @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
    def a(ctx): ...

    @client.create_function(fn_id="b", trigger=inngest.TriggerEvent(event="app/b"))
    def b(ctx): ...
"""
CLIENT = "import inngest\nclient = inngest.Inngest(app_id='app')\n"
MAIN = """
    import flask
    import inngest.flask
    from app.client import client
    from app.jobs import a

    app = flask.Flask(__name__)
    inngest.flask.serve(app, client, [a])
"""


def _codes(diagnostics: list) -> list[tuple[str, str, int]]:
    return [(Path(d.path).name, d.code, d.line) for d in diagnostics]


def test_naming_one_file_still_uses_the_whole_project(project) -> None:  # type: ignore[no-untyped-def]
    files = {"app/__init__.py": "", "app/client.py": CLIENT, "app/jobs.py": JOBS, "app/main.py": MAIN}
    assert _codes(project(files, paths=["app/jobs.py"])) == [("jobs.py", "INN201", 8)]
    # The serve module alone: its serve list is what leaves `b` out, so the finding is reported
    # at the serve call (tests/test_cross_file_cause.py has the details).
    assert _codes(project(files, paths=["app/main.py"])) == [("main.py", "INN201", 7)]


def test_pre_commit_run_on_the_events_fixture(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "projects" / "events", tmp_path / "events")
    root = tmp_path / "events"
    found = _codes(lint_project(root, paths=["app/web.py"]))
    # Its own INN301; and, at its sends, what their one send of an event causes in workflows.py:
    # the expressions that read fields it does not send, and the near-miss trigger.
    assert found == [
        ("web.py", "INN401", 16),
        ("web.py", "INN402", 16),
        ("web.py", "INN403", 16),
        ("web.py", "INN301", 18),
        ("web.py", "INN302", 18),
    ]


def test_library_without_serve_is_not_flagged(project) -> None:  # type: ignore[no-untyped-def]
    files = {"app/__init__.py": "", "app/client.py": CLIENT, "app/jobs.py": JOBS}
    assert project(files) == []


def test_unresolvable_serve_list_silences_not_served(project) -> None:  # type: ignore[no-untyped-def]
    main = MAIN.replace("[a]", "discover_functions()")
    files = {"app/__init__.py": "", "app/client.py": CLIENT, "app/jobs.py": JOBS, "app/main.py": main}
    assert project(files) == []


def test_comprehension_serve_list_is_unresolvable(project) -> None:  # type: ignore[no-untyped-def]
    main = MAIN.replace("[a]", "[f for f in (a,)]")
    files = {"app/__init__.py": "", "app/client.py": CLIENT, "app/jobs.py": JOBS, "app/main.py": main}
    assert project(files) == []


def test_connect_registers_functions(project) -> None:  # type: ignore[no-untyped-def]
    main = """
        import asyncio
        from inngest.connect import connect
        from app.client import client
        from app import jobs

        async def main() -> None:
            await connect([(client, [jobs.a])]).start()
    """
    files = {"app/__init__.py": "", "app/client.py": CLIENT, "app/jobs.py": JOBS, "app/main.py": main}
    assert _codes(project(files)) == [("jobs.py", "INN201", 8)]


def test_every_import_style_of_the_sdk(project) -> None:  # type: ignore[no-untyped-def]
    source = """
        import inngest as ig
        from inngest import Inngest, TriggerEvent as TE
        import inngest.fast_api as fa

        c1 = ig.Inngest(app_id="x")
        c2 = Inngest(app_id="x")

        @c1.create_function(fn_id="same", trigger=TE(event="x/a"))
        def first(ctx): ...

        @c2.create_function(fn_id="same", trigger=ig.TriggerEvent(event="x/b"))
        def second(ctx): ...

        fa.serve(None, c1, [first])
    """
    found = _codes(project({"app.py": source}))
    assert ("app.py", "INN203", 12) in found
    assert ("app.py", "INN201", 12) in found


def test_a_local_name_that_shadows_the_sdk_is_not_the_sdk(project) -> None:  # type: ignore[no-untyped-def]
    source = """
        import inngest

        def build(inngest):
            return inngest.Event(name="x/typo", data={})
    """
    # `inngest` here is a parameter, not the SDK: no event is recorded, nothing is reported.
    assert project({"app.py": source}, select=("ALL",)) == []


SENDER = """
    import inngest
    from app.client import client

    def on_signup(user_id: str) -> None:
        client.send_sync(inngest.Event(name="partner/user.created", data={"id": user_id}))
"""


def test_trigger_never_sent_is_silent_in_a_project_that_sends_nothing(project) -> None:  # type: ignore[no-untyped-def]
    files = {"app/__init__.py": "", "app/client.py": CLIENT, "app/jobs.py": JOBS}
    assert project(files, extend_select=("INN304",)) == []
    # Once the project sends any event, the triggers nothing sends are reported.
    files["app/web.py"] = SENDER
    found = _codes(project(files, extend_select=("INN303", "INN304")))
    assert sorted(found) == [("jobs.py", "INN304", 4), ("jobs.py", "INN304", 7), ("web.py", "INN303", 5)]


def test_event_sent_to_another_app_honours_external_events(project) -> None:  # type: ignore[no-untyped-def]
    files = {"app/__init__.py": "", "app/client.py": CLIENT, "app/jobs.py": JOBS, "app/web.py": SENDER}
    found = _codes(project(files, extend_select=("INN303",), external_events=("partner/*",)))
    assert found == []


def test_src_setting_adds_import_roots_nothing_can_infer(project) -> None:  # type: ignore[no-untyped-def]
    files = {
        "deploy/services/billing/client.py": "import inngest\nclient = inngest.Inngest(app_id='billing')\n",
        "deploy/services/billing/functions.py": """
            import inngest
            from billing.client import client

            @client.create_function(fn_id="charge", trigger=inngest.TriggerEvent(event="billing/charge"))
            def charge(ctx): ...

            @client.create_function(fn_id="refund", trigger=inngest.TriggerEvent(event="billing/refund"))
            def refund(ctx): ...
        """,
        "serve.py": """
            import flask
            import inngest.flask
            from billing.client import client
            from billing.functions import charge

            app = flask.Flask(__name__)
            inngest.flask.serve(app, client, [charge])
        """,
    }
    # `billing` is importable only from deploy/services, which nothing marks as a root: the serve
    # list cannot be resolved, so nothing is reported rather than a guess.
    assert project(files) == []
    assert _codes(project(files, src=("deploy/services",))) == [("functions.py", "INN201", 8)]


def test_events_sent_as_dicts_count_as_sent(project) -> None:  # type: ignore[no-untyped-def]
    files = {
        "app/__init__.py": "",
        "app/client.py": CLIENT,
        "app/jobs.py": """
            import inngest
            from app.client import client

            @client.create_function(fn_id="download", trigger=inngest.TriggerEvent(event="podcast/episode.requested"))
            async def download(ctx):
                await ctx.step.send_event("done", {"name": "podcast/episode.fetched", "data": {"id": 1}})

            @client.create_function(fn_id="transcribe", trigger=inngest.TriggerEvent(event="podcast/episode.fetched"))
            async def transcribe(ctx):
                await ctx.step.send_event("done", [{"name": "podcast/transcript.ready"}])

            @client.create_function(fn_id="diarize", trigger=inngest.TriggerEvent(event="podcast/episode.downloaded"))
            async def diarize(ctx): ...
        """,
    }
    found = _codes(project(files, extend_select=("INN304",)))
    # The request comes from outside (nothing sends it), the other two are sent as dicts, and
    # nothing sends episode.downloaded: the project does send events, so both are reported.
    # The SDK rejects dict events at run time (INN305), but their names still count as sent.
    assert sorted(found) == [
        ("jobs.py", "INN304", 4),
        ("jobs.py", "INN304", 12),
        ("jobs.py", "INN305", 6),
        ("jobs.py", "INN305", 10),
    ]
