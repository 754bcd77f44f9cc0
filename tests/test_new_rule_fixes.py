"""Which findings of the rules from real bugs (issue 14) carry a fix, and whether it is safe: the
split each rule's "Fix" section describes, where the FIXES examples (which apply unsafe fixes too)
cannot tell. A case gives the code flagged, the one rule selected, and the applicability of the
fix of each finding in line order (None: the finding has no fix)."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import lint_project, write_project

from inngest_lint.config import load_settings
from inngest_lint.diagnostics import SAFE, UNSAFE

_HEAD = """
import datetime
import logging

import inngest
import structlog

client = inngest.Inngest(app_id="app")
log = logging.getLogger(__name__)
slog = structlog.get_logger()
"""

CASES = {
    "INN125 written in the call: safe; through a name: unsafe; naive wall time: unsafe": (
        "INN125",
        """
        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/remind"))
        async def remind(ctx: inngest.Context) -> None:
            await ctx.step.sleep_until("a", datetime.datetime.utcnow() + datetime.timedelta(hours=1))
            later = datetime.datetime.utcnow()
            await ctx.step.sleep_until("b", later)
            await ctx.step.sleep_until("c", datetime.datetime(2027, 1, 1))
        """,
        [SAFE, UNSAFE, UNSAFE],
    ),
    "INN125 no fix when the names a fix would write are taken": (
        "INN125",
        """
        from datetime import datetime as dt

        timezone = "Europe/Paris"
        datetime = None


        @client.create_function(fn_id="remind", trigger=inngest.TriggerEvent(event="app/remind"))
        async def remind(ctx: inngest.Context) -> None:
            await ctx.step.sleep_until("a", dt.utcnow())
        """,
        [None],
    ),
    "INN305 written in the call: safe; through a name: unsafe; a key Event lacks: none": (
        "INN305",
        """
        async def place(order_id: str) -> None:
            await client.send({"name": "app/placed", "data": {"order_id": order_id}})
            payload = {"name": "app/placed"}
            await client.send(payload)
            await client.send({"name": "app/placed", "user": {"id": order_id}})
            await client.send({"data": {}})
        """,
        [SAFE, UNSAFE, None, None],
    ),
    "INN121 standard logging and print: unsafe; structlog: none; a shadowed context: none": (
        "INN121",
        """
        @client.create_function(fn_id="run", trigger=inngest.TriggerEvent(event="app/run"))
        async def run(ctx: inngest.Context) -> None:
            log.info("starting")
            print("starting", ctx.event.name)
            print("no", "newline", end="")
            slog.info("starting", user=ctx.event.data["user"])
            await ctx.group.parallel((lambda ctx=None: print("a") or ctx.step.run("a", work),))
            await ctx.step.run("work", work)
        """,
        [UNSAFE, UNSAFE, None, None, None],
    ),
    "INN120 comprehension and loop target: safe; a name the loop body assigns: none": (
        "INN120",
        """
        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="app/ship"))
        async def ship(ctx: inngest.Context) -> None:
            orders = ctx.event.data["orders"]
            await ctx.group.parallel(tuple(lambda: ctx.step.run(f"s-{o}", work, o) for o in orders))
            calls = []
            for order in orders:
                calls.append(lambda: ctx.step.run(f"b-{order}", work, order))
            await ctx.group.parallel(tuple(calls))
            notes = []
            for order in orders:
                customer = order["customer"]
                notes.append(lambda: ctx.step.run(f"n-{customer}", work, customer))
            await ctx.group.parallel(tuple(notes))
        """,
        [SAFE, SAFE, None],
    ),
    "INN307 one shared identifier: unsafe; two: none (which one the match is on is a choice)": (
        "INN307",
        """
        async def place(order_id: str, user_id: str) -> None:
            await client.send(inngest.Event(name="app/placed", data={"order_id": order_id}))
            await client.send(inngest.Event(name="app/paid", data={"order_id": order_id}))
            await client.send(inngest.Event(name="app/signed-up", data={"order_id": order_id, "user_id": user_id}))
            await client.send(inngest.Event(name="app/left", data={"order_id": order_id, "user_id": user_id}))


        @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="app/placed"))
        async def ship(ctx: inngest.Context) -> None:
            await ctx.step.wait_for_event("paid", event="app/paid", timeout=datetime.timedelta(days=1))


        @client.create_function(
            fn_id="welcome",
            trigger=inngest.TriggerEvent(event="app/signed-up"),
            cancel=[inngest.Cancel(event="app/left")],
        )
        async def welcome(ctx: inngest.Context) -> None:
            await ctx.step.run("mail", work)
        """,
        [UNSAFE, None],
    ),
}


@pytest.mark.parametrize(("code", "body", "expected"), CASES.values(), ids=list(CASES))
def test_fix_applicability(tmp_path: Path, code: str, body: str, expected: list[str | None]) -> None:
    write_project(tmp_path, {"app.py": textwrap.dedent(_HEAD).lstrip("\n") + textwrap.dedent(body)})
    settings = replace(load_settings(tmp_path), select=(code,), root=str(tmp_path))
    found = sorted((d for d in lint_project(tmp_path, settings=settings) if d.code == code), key=lambda d: d.line)
    got = [d.fix.applicability if d.fix is not None else None for d in found]
    assert got == expected, [f"{d.line}: {d.message}" for d in found]
