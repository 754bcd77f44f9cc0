"""A named file that causes a cross-file finding elsewhere gets the finding, at the line that
causes it (pre-commit passes only the staged files: staging `main.py` after dropping a function
from its serve list must fail the hook, though the unserved function is in `functions.py`).

The rules say what causes each finding only when one place does (`Diagnostic.caused_by`); the
report stage keeps a finding outside the named files when its cause is in one of them.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from inngest_lint.cli import main

CLIENT = "import inngest\n\nclient = inngest.Inngest(app_id='shop')\n"
FUNCTIONS = textwrap.dedent(
    """
    import inngest

    from client import client


    @client.create_function(fn_id="pay", trigger=inngest.TriggerEvent(event="shop/order.placed"))
    async def pay(ctx: inngest.Context) -> None:
        return None


    @client.create_function(fn_id="ship", trigger=inngest.TriggerEvent(event="shop/order.paid"))
    async def ship(ctx: inngest.Context) -> None:
        return None
    """
).lstrip()
MAIN = textwrap.dedent(
    """
    import inngest
    import inngest.fast_api
    from fastapi import FastAPI

    from client import client
    from functions import pay, ship

    app = FastAPI()
    inngest.fast_api.serve(app, client, [pay, ship])


    @app.post("/orders")
    async def place(order: dict) -> None:
        await client.send(inngest.Event(name="shop/order.placed", data={"id": order["id"]}))
        await client.send(inngest.Event(name="shop/order.paid", data={"id": order["id"]}))
    """
).lstrip()
SERVE_LINE = 9  # inngest.fast_api.serve(...) in MAIN
SHIP_LINE = 12  # `async def ship` in FUNCTIONS


def _files(**changes: str) -> dict[str, str]:
    files = {
        "pyproject.toml": "[project]\nname = 'shop'\n",
        "client.py": CLIENT,
        "functions.py": FUNCTIONS,
        "main.py": MAIN,
    }
    files.update(changes)
    return files


def _found(diagnostics: list) -> list[tuple[str, int, str]]:  # type: ignore[type-arg]
    return [(Path(d.path).name, d.line, d.code) for d in diagnostics]


DROPPED = MAIN.replace("[pay, ship]", "[pay]")


def test_a_serve_list_that_drops_a_function_is_reported_at_the_serve_call(project) -> None:  # type: ignore[no-untyped-def]
    found = project(_files(**{"main.py": DROPPED}), paths=["main.py"])
    assert _found(found) == [("main.py", SERVE_LINE, "INN201")]
    (diagnostic,) = found
    assert diagnostic.message.endswith("(affected code: functions.py:12)")
    assert diagnostic.affected is not None and Path(diagnostic.affected.path).name == "functions.py"
    assert diagnostic.affected.line == SHIP_LINE
    assert diagnostic.related[0] == diagnostic.affected


def test_the_finding_stays_at_its_own_place_when_that_file_is_named(project) -> None:  # type: ignore[no-untyped-def]
    files = _files(**{"main.py": DROPPED})
    assert _found(project(files, paths=["functions.py"])) == [("functions.py", SHIP_LINE, "INN201")]
    # Both named: once, where the function is.
    assert _found(project(files, paths=["functions.py", "main.py"])) == [("functions.py", SHIP_LINE, "INN201")]
    found = project(files)
    assert _found(found) == [("functions.py", SHIP_LINE, "INN201")] and found[0].affected is None


def test_an_unrelated_named_file_gets_nothing(project) -> None:  # type: ignore[no-untyped-def]
    files = _files(**{"main.py": DROPPED, "other.py": "import inngest\n\nX = 1\n"})
    assert project(files, paths=["other.py", "client.py"]) == []


def test_noqa_at_the_cause_or_at_the_affected_line_hides_it(project) -> None:  # type: ignore[no-untyped-def]
    at_cause = DROPPED.replace("[pay])", "[pay])  # noqa: INN201")
    assert project(_files(**{"main.py": at_cause}), paths=["main.py"]) == []
    at_function = FUNCTIONS.replace(
        "async def ship(ctx: inngest.Context) -> None:", "async def ship(ctx: inngest.Context) -> None:  # noqa: INN201"
    )
    assert project(_files(**{"main.py": DROPPED, "functions.py": at_function}), paths=["main.py"]) == []


def test_a_serve_list_assembled_in_two_files_has_no_one_cause(project) -> None:  # type: ignore[no-untyped-def]
    lists = "from functions import pay\n\nMORE = [pay]\n"
    main = DROPPED.replace("from functions import pay, ship", "from functions import pay, ship\nfrom lists import MORE")
    main = main.replace("[pay])", "[*MORE])")
    files = _files(**{"main.py": main, "lists.py": lists})
    assert _found(project(files)) == [("functions.py", SHIP_LINE, "INN201")]
    assert project(files, paths=["main.py"]) == []
    assert project(files, paths=["lists.py"]) == []


def test_a_serve_list_in_another_module_is_the_cause(project) -> None:  # type: ignore[no-untyped-def]
    # (A named file must mention Inngest to be read at all: a run naming only files that do not
    # never parses anything, see engine.parse.PREFILTER_MARKERS.)
    lists = "from functions import pay, ship\n\n# The Inngest functions we serve.\nFUNCTIONS = [pay]\n"
    main = MAIN.replace("from functions import pay, ship", "from lists import FUNCTIONS").replace(
        "[pay, ship]", "FUNCTIONS"
    )
    files = _files(**{"main.py": main, "lists.py": lists})
    assert _found(project(files, paths=["lists.py"])) == [("lists.py", 4, "INN201")]


def test_a_renamed_trigger_reports_the_orphaned_send_at_the_trigger(project) -> None:  # type: ignore[no-untyped-def]
    renamed = FUNCTIONS.replace('event="shop/order.paid"', 'event="shop/order.payed"')
    found = project(_files(**{"functions.py": renamed}), paths=["functions.py"])
    # INN302 (the trigger nothing sends) is the file's own; INN301 (the send nobody hears) is
    # main.py's, caused by the renamed trigger it nearly matches.
    assert sorted(_found(found)) == [("functions.py", 11, "INN301"), ("functions.py", 11, "INN302")]
    moved = next(d for d in found if d.code == "INN301")
    assert "(affected code: main.py:15)" in moved.message


def test_a_renamed_send_reports_the_orphaned_trigger_at_the_send(project) -> None:  # type: ignore[no-untyped-def]
    renamed = MAIN.replace('name="shop/order.paid"', 'name="shop/order.payed"')
    found = project(_files(**{"main.py": renamed}), paths=["main.py"])
    assert sorted(_found(found)) == [("main.py", 15, "INN301"), ("main.py", 15, "INN302")]


def test_a_duplicate_function_id_is_reported_in_the_file_that_holds_the_first(project) -> None:  # type: ignore[no-untyped-def]
    later = 'import inngest\n\nfrom client import client\n\n\n@client.create_function(fn_id="pay", trigger=inngest.TriggerEvent(event="shop/order.placed"))\nasync def pay_again(ctx: inngest.Context) -> None:\n    return None\n'
    main = MAIN.replace(
        "from functions import pay, ship", "from functions import pay, ship\nfrom later import pay_again"
    ).replace("[pay, ship]", "[pay, ship, pay_again]")
    files = _files(**{"main.py": main, "later.py": later})
    assert _found(project(files, paths=["functions.py"])) == [("functions.py", 7, "INN203")]
    assert _found(project(files, paths=["later.py"])) == [("later.py", 7, "INN203")]


def test_an_expression_field_renamed_by_the_one_send(project) -> None:  # type: ignore[no-untyped-def]
    waits = FUNCTIONS.replace(
        '    return None\n\n\n@client.create_function(fn_id="ship"',
        '    await ctx.step.wait_for_event("paid", event="shop/order.paid", if_exp="async.data.id == event.data.id", timeout=60000)\n\n\n@client.create_function(fn_id="ship"',
        1,
    )
    renamed = MAIN.replace('name="shop/order.paid", data={"id"', 'name="shop/order.paid", data={"ID"')
    found = project(_files(**{"functions.py": waits, "main.py": renamed}), paths=["main.py"])
    assert ("main.py", 15, "INN401") in _found(found)


@pytest.fixture
def dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in _files(**{"main.py": DROPPED}).items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_format_shows_the_finding_at_the_cause(dropped: Path) -> None:
    def run(output_format: str) -> str:
        result = CliRunner().invoke(main, ["--no-cache", "--output-format", output_format, "main.py"])
        assert result.exit_code == 1, result.output
        return result.stdout

    assert run("text").startswith(f"main.py:{SERVE_LINE}:1: INN201 ")
    record = json.loads(run("json"))[0]
    assert (record["path"], record["line"]) == ("main.py", SERVE_LINE)
    assert record["affected"]["path"] == "functions.py" and record["affected"]["line"] == SHIP_LINE
    assert json.loads(run("json-lines"))["affected"]["line"] == SHIP_LINE
    result = json.loads(run("sarif"))["runs"][0]["results"][0]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "main.py" and location["region"]["startLine"] == SERVE_LINE
    related = result["relatedLocations"][0]
    assert related["message"]["text"] == "affected code"
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "functions.py"
    assert f"file=main.py,line={SERVE_LINE}" in run("github")
    assert json.loads(run("gitlab"))[0]["location"]["path"] == "main.py"
    junit = run("junit")
    assert 'file="main.py"' in junit and "affected code: functions.py:12" in junit
