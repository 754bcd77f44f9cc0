"""`inngest-lint graph`: the event graph built from the facts, in four formats.

Golden files (tests/golden/graph/) pin mermaid, dot and json on tests/fixtures/graph_project/;
after an intended change regenerate them with `UPDATE_GOLDEN=1 python -m pytest tests/test_graph.py`
and review the diff. The HTML page is checked in a real headless chromium (skipped, with the
reason, where chromium is not installed): every node drawn, the `#filter=` hash hiding nodes,
hostile event names shown as text.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from inngest_lint.cli import main
from inngest_lint.graph import mermaid
from inngest_lint.graph.html import script_json
from inngest_lint.graph.json_format import JSON_SCHEMA

FIXTURE = Path(__file__).parent / "fixtures" / "graph_project"
GOLDEN = Path(__file__).parent / "golden" / "graph"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="the HTML viewer is checked in headless chromium: apt-get install -y chromium"
)


@pytest.fixture
def graph_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture project as the cwd (the linter's cache never lands in the repo)."""
    root = tmp_path / "graph_project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".inngest_lint_cache", "__pycache__"))
    monkeypatch.chdir(root)
    return root


def graph(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["graph", "--no-cache", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def graph_json(*args: str) -> dict:
    code, out, err = graph("--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def edges_of(data: dict) -> set[tuple[str, str, str]]:
    return {(edge["source"], edge["target"], edge["kind"]) for edge in data["edges"]}


def nodes_of(data: dict) -> dict[str, dict]:
    return {node["id"]: node for node in data["nodes"]}


def write(root: Path, files: dict[str, str]) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'sample'\n", encoding="utf-8")
    for relative, source in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def small_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def make(files: dict[str, str]) -> Path:
        write(tmp_path, files)
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


# ---------------------------------------------------------------------------------- golden files
GOLDEN_CASES = {
    "graph.mmd": ("--format", "mermaid"),
    "graph-cluster-tb.mmd": ("--cluster", "--direction", "TB"),
    "graph.dot": ("--format", "dot"),
    "graph-cluster.dot": ("--format", "dot", "--cluster"),
    "graph.json": ("--format", "json"),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_output_matches_golden_file(name: str, graph_project: Path) -> None:
    code, output, err = graph(*GOLDEN_CASES[name])
    assert code == 0, err
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(output, encoding="utf-8", newline="\n")
    assert golden.exists(), f"{golden} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert output == golden.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------- the model
def test_every_edge_kind_and_node_kind_of_the_fixture(graph_project: Path) -> None:
    data = graph_json()
    edges = edges_of(data)
    expected = {
        ("sender:crm.web:create_contact", "event:crm/contact.created", "sends"),
        ("event:crm/contact.created", "function:sync-contact", "triggers"),
        ("event:crm/contact.verified", "function:sync-contact", "waits"),
        ("event:crm/contact.deleted", "function:sync-contact", "cancels"),
        ("function:sync-contact", "function:enrich-contact", "invokes"),
        # step.send_event inside a function: the function is the sender.
        ("function:sync-contact", "event:audit/contact.synced", "sends"),
        ("function:nightly-enrich", "event:crm/contact.enrich", "sends"),
        ("cron:0 3 * * *", "function:nightly-enrich", "triggers"),
        # A module-level step handler that sends: function -> handler -> event.
        ("function:score-lead", "sender:crm.steps:notify_sales", "runs"),
        ("sender:crm.steps:notify_sales", "event:crm/lead.scored", "sends"),
        ("event:audit/contact.synced", "event:audit/*", "matches"),
        ("event:crm/lead.imported", "event:crm/lead.import", "did_you_mean"),
    }
    assert expected <= edges
    nodes = nodes_of(data)
    assert {node["kind"] for node in nodes.values()} == {"function", "event", "cron", "sender"}
    for source, target, _ in edges:
        assert source in nodes and target in nodes
    assert nodes["function:sync-contact"]["location"] == {"path": "crm/functions.py", "line": 22, "column": 11}
    assert nodes["function:sync-contact"]["handler"] == "sync_contact"
    assert nodes["function:sync-contact"]["app_id"] == "crm"
    assert nodes["sender:crm.web:create_contact"]["location"]["path"] == "crm/web.py"
    assert nodes["event:stripe/charge.succeeded"]["external"] is True
    assert nodes["event:audit/*"]["wildcard"] is True


def test_edge_locations_point_at_the_code_that_makes_them(graph_project: Path) -> None:
    data = graph_json()
    constants = {
        "CONTACT_CREATED": "crm/contact.created",
        "CONTACT_DELETED": "crm/contact.deleted",
        "CONTACT_VERIFIED": "crm/contact.verified",
        "CONTACT_ENRICH": "crm/contact.enrich",
        "LEAD_SCORED": "crm/lead.scored",
    }
    checked = 0
    for edge in data["edges"]:
        event = next((end for end in (edge["source"], edge["target"]) if end.startswith("event:")), None)
        if event is None or edge["kind"] in ("matches", "did_you_mean"):
            continue
        name = event.split(":", 1)[1]
        for location in edge["locations"]:
            line = Path(location["path"]).read_text(encoding="utf-8").splitlines()[location["line"] - 1]
            written = line[location["column"] - 1 :]
            assert written.startswith(f'"{name}"') or any(
                written.startswith(constant) and value == name for constant, value in constants.items()
            ), (edge, line)
            checked += 1
    assert checked >= 12


def test_findings_are_drawn_on_their_nodes(graph_project: Path) -> None:
    nodes = nodes_of(graph_json())
    digest = nodes["function:weekly-digest"]
    assert digest["served"] is False and [f["code"] for f in digest["findings"]] == ["INN201"]
    assert nodes["function:sync-contact"]["served"] is True
    assert [f["code"] for f in nodes["event:billing/invoice.paid"]["findings"]] == ["INN303"]
    assert [f["code"] for f in nodes["event:crm/lead.imported"]["findings"]] == ["INN301"]
    assert [f["code"] for f in nodes["event:crm/lead.import"]["findings"]] == ["INN302"]
    assert [f["code"] for f in nodes["event:crm/contact.verified"]["findings"]] == ["INN304"]
    # The node whose code is at the finding's location carries it too.
    assert [f["code"] for f in nodes["sender:crm.web:record_invoice"]["findings"]] == ["INN303"]
    assert [f["code"] for f in nodes["function:score-lead"]["findings"]] == ["INN302"]
    assert nodes["event:crm/contact.created"]["findings"] == []


def test_json_follows_its_schema(graph_project: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = graph_json()
    jsonschema.validate(data, JSON_SCHEMA)
    broken = json.loads(json.dumps(data))
    broken["nodes"][0]["kind"] = "queue"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, JSON_SCHEMA)


def test_findings_follow_the_users_settings(small_project) -> None:  # type: ignore[no-untyped-def]
    root = small_project(
        {
            "app/__init__.py": "",
            "app/jobs.py": """
            import inngest
            import inngest.flask

            client = inngest.Inngest(app_id="app")

            @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
            def a(ctx): ...

            @client.create_function(fn_id="b", trigger=inngest.TriggerEvent(event="app/b"))
            def b(ctx): ...

            def on_signup() -> None:
                client.send_sync(inngest.Event(name="app/a", data={}))
                client.send_sync(inngest.Event(name="app/unheard", data={}))  # noqa: INN303

            inngest.flask.serve(None, client, [a])
        """,
        }
    )
    nodes = nodes_of(graph_json())
    assert nodes["event:app/unheard"]["findings"] == []  # noqa on the send
    # The trigger nothing sends (INN304) is in `b`'s code too.
    assert sorted(f["code"] for f in nodes["function:b"]["findings"]) == ["INN201", "INN304"]
    assert nodes["function:b"]["served"] is False
    assert [f["code"] for f in nodes["event:app/b"]["findings"]] == ["INN304"]
    (root / "pyproject.toml").write_text(
        "[project]\nname = 'sample'\n[tool.inngest-lint]\nignore = ['INN201']\nexternal-events = ['app/b']\n"
    )
    nodes = nodes_of(graph_json())
    assert nodes["function:b"]["findings"] == [] and nodes["function:b"]["served"] is None
    assert nodes["event:app/b"]["findings"] == [] and nodes["event:app/b"]["external"] is True


def test_dynamic_names_unresolved_invokes_and_orphans(small_project) -> None:  # type: ignore[no-untyped-def]
    small_project(
        {
            "jobs.py": """
            import inngest

            client = inngest.Inngest(app_id="app")

            def make_trigger():
                return inngest.TriggerEvent(event="app/x")

            @client.create_function(fn_id="odd", trigger=make_trigger())
            def odd(ctx): ...

            @client.create_function(fn_id="kinds", trigger=inngest.TriggerEvent(event="app/kind"))
            def kinds(ctx):
                kind = ctx.event.data["kind"]
                ctx.step.send_event("fan-out", inngest.Event(name=f"app/{kind}.changed", data={}))
                ctx.step.invoke("other", function=somewhere_else(), data={})
        """,
        }
    )
    data = graph_json()
    nodes = nodes_of(data)
    dynamic = [node for node in nodes.values() if node["kind"] == "event" and node["dynamic"]]
    assert len(dynamic) == 1 and dynamic[0]["name"] is None
    assert dynamic[0]["location"]["path"] == "jobs.py"
    assert ("function:kinds", dynamic[0]["id"], "sends") in edges_of(data)
    assert not any(edge["kind"] == "invokes" for edge in data["edges"])  # unresolved: not guessed
    assert "function:odd" in nodes  # its trigger is unknown: a node with no edge
    pruned = nodes_of(graph_json("--no-orphans"))
    assert "function:odd" not in pruned and "function:kinds" in pruned


def test_shared_and_dynamic_function_ids_get_distinct_node_ids(small_project) -> None:  # type: ignore[no-untyped-def]
    small_project(
        {
            "one.py": """
            import inngest
            client = inngest.Inngest(app_id="one")

            @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="one/sync"))
            def sync(ctx): ...
        """,
            "two.py": """
            import inngest
            import os
            client = inngest.Inngest(app_id="two")

            @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="two/sync"))
            def sync(ctx): ...

            @client.create_function(fn_id=os.environ["FN"], trigger=inngest.TriggerEvent(event="two/env"))
            def from_env(ctx): ...
        """,
        }
    )
    nodes = nodes_of(graph_json())
    functions = {node_id for node_id, node in nodes.items() if node["kind"] == "function"}
    assert functions == {"function:one.sync", "function:two.sync", "function:two.from_env"}
    assert nodes["function:two.from_env"]["fn_id"] is None
    assert nodes["function:two.from_env"]["label"] == "from_env"


def test_paths_narrow_the_drawing_not_the_knowledge(graph_project: Path) -> None:
    nodes = nodes_of(graph_json("crm/web.py"))
    assert {"sender:crm.web:create_contact", "event:crm/contact.created", "function:sync-contact"} <= set(nodes)
    # The near miss's listener, through the "did you mean?" edge.
    assert "function:score-lead" in nodes
    assert not {"function:weekly-digest", "cron:0 3 * * *", "function:stripe-charge"} & set(nodes)
    # Findings still come from the whole project.
    assert [f["code"] for f in nodes["event:crm/lead.import"]["findings"]] == ["INN302"]
    assert set(nodes_of(graph_json("."))) == set(nodes_of(graph_json()))


def test_output_is_stable_across_runs(graph_project: Path) -> None:
    first = graph("--format", "json")[1]
    assert graph("--format", "json")[1] == first


# ---------------------------------------------------------------------------------- formats
HOSTILE = 'evil/"</script><img src=x onerror=alert(1)>#1&amp;\\n`end`'


@pytest.fixture
def hostile_project(small_project):  # type: ignore[no-untyped-def]
    return small_project(
        {
            "app.py": f"""
            import inngest

            client = inngest.Inngest(app_id="app")
            EVIL = {HOSTILE!r}

            @client.create_function(fn_id="end", trigger=inngest.TriggerEvent(event=EVIL))
            def end(ctx): ...

            def route() -> None:
                client.send_sync(inngest.Event(name=EVIL, data={{}}))
        """,
        }
    )


def test_mermaid_ids_are_safe_and_labels_escaped(hostile_project: Path) -> None:
    code, out, _ = graph()
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "flowchart LR"
    node_lines = [line.strip() for line in lines if ":::" in line]
    assert len(node_lines) == 3
    for line in node_lines:
        node_id = line.split("[", 1)[0].split("(", 1)[0]
        assert node_id.isidentifier() and node_id.split("_")[0] in ("fn", "ev", "snd", "cron")
        label = line[len(node_id) :].rsplit(":::", 1)[0].strip('[]()/{}"')
        assert '"' not in label and "<" not in label.replace("<br/>", "") and ">" not in label.replace("<br/>", "")
    assert "fn_end[" in out  # `end` is a Mermaid keyword; the prefix keeps it an id
    assert mermaid.escape_label('a"b#c<d>&`\\n') == "a#quot;b#35;c#lt;d#gt;#amp;#96;#92;n"


def test_dot_output_is_valid_graphviz(graph_project: Path, tmp_path: Path) -> None:
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz `dot` is not installed: apt-get install -y graphviz")
    for args in (("--format", "dot"), ("--format", "dot", "--cluster", "--direction", "TB")):
        source = graph(*args)[1]
        completed = subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stderr
        assert "<svg" in completed.stdout and "nightly_enrich" in completed.stdout


def test_dot_quotes_hostile_names(hostile_project: Path) -> None:
    out = graph("--format", "dot")[1]
    assert '"event:evil/\\"</script><img src=x onerror=alert(1)>#1&amp;\\\\n`end`"' in out
    dot = shutil.which("dot")
    if dot is not None:
        completed = subprocess.run([dot, "-Tsvg"], input=out, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stderr


def test_html_is_self_contained_and_its_data_cannot_close_the_script(hostile_project: Path) -> None:
    page = graph("--format", "html")[1]
    assert page.startswith("<!DOCTYPE html>")
    lowered = page.lower()
    assert "<link" not in lowered and "<script src" not in lowered and "@import" not in lowered
    assert "url(http" not in lowered and 'src="http' not in lowered and 'href="http' not in lowered
    assert "default-src 'none'" in page
    data = page.split('<script type="application/json" id="graph-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data
    assert HOSTILE in {node["label"] for node in json.loads(data)["nodes"]}
    assert json.loads(script_json({"x": "</script><!--\u2028"})) == {"x": "</script><!--\u2028"}


# ---------------------------------------------------------------------------------- the browser
class _DomNodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[str, dict[str, str | None]] = {}
        self.body: dict[str, str | None] = {}
        self.tags: list[str] = []
        self.texts: list[str] = []
        self.viewport: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if tag == "body":
            self.body = values
        if "data-node-id" in values:
            self.nodes[str(values["data-node-id"])] = values
        if values.get("id") == "viewport":
            self.viewport = values

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def render_in_chromium(page: Path, fragment: str, profile: Path) -> _DomNodes:
    """The page's DOM after its script ran, as headless chromium leaves it."""
    assert CHROMIUM is not None
    completed = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            "--window-size=1400,900",
            "--dump-dom",
            page.resolve().as_uri() + fragment,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    parser = _DomNodes()
    parser.feed(completed.stdout)
    assert parser.body.get("data-ready") == "true", completed.stdout[:2000]
    assert "data-error" not in parser.body, parser.body.get("data-error")
    return parser


@needs_chromium
def test_html_draws_every_node_and_the_hash_filter_hides_others(graph_project: Path, tmp_path: Path) -> None:
    page = tmp_path / "graph.html"
    code, _, err = graph("--format", "html", "-o", str(page))
    assert code == 0 and "Wrote" in err
    data = graph_json()
    expected = {node["id"] for node in data["nodes"] if node["kind"] in ("function", "event")}
    everything = render_in_chromium(page, "", tmp_path / "profile-all")
    assert expected <= set(everything.nodes)
    assert set(everything.nodes) == {node["id"] for node in data["nodes"]}
    assert all(attrs.get("data-visible") == "true" for attrs in everything.nodes.values())

    filtered = render_in_chromium(page, "#filter=crm/", tmp_path / "profile-filter")
    visible = {node_id for node_id, attrs in filtered.nodes.items() if attrs.get("data-visible") == "true"}
    hidden = set(filtered.nodes) - visible
    crm_events = {node_id for node_id in expected if node_id.startswith("event:crm/")}
    assert crm_events <= visible
    # Who sends and who listens to a matching event stays in view...
    assert {"sender:crm.web:create_contact", "function:sync-contact", "function:score-lead"} <= visible
    # ...and the rest of the project steps aside.
    assert {
        "event:stripe/charge.succeeded",
        "function:stripe-charge",
        "cron:0 9 * * MON",
        "event:billing/invoice.paid",
        "event:audit/*",
    } <= hidden
    assert all("display: none" in str(filtered.nodes[node_id].get("style")) for node_id in hidden)


@needs_chromium
def test_html_shows_hostile_names_as_text(hostile_project: Path, tmp_path: Path) -> None:
    page = tmp_path / "graph.html"
    assert graph("--format", "html", "-o", str(page))[0] == 0
    # Selected through the hash, so the details panel renders the name as well.
    dom = render_in_chromium(page, "#node=" + quote(f"event:{HOSTILE}", safe=""), tmp_path / "profile")
    assert "img" not in dom.tags  # the name's <img ...> stayed text
    assert f"event:{HOSTILE}" in dom.nodes
    assert dom.nodes[f"event:{HOSTILE}"].get("class", "").split().count("selected") == 1
    assert HOSTILE in dom.texts


# ---------------------------------------------------------------------------------- the command
def test_usage_errors_exit_2_without_traceback(graph_project: Path, tmp_path: Path) -> None:
    code, out, err = graph("missing/")
    assert code == 2 and "missing/: no such file or directory" in err and out == ""
    code, _, err = graph("-")
    assert code == 2 and "stdin" in err
    code, _, err = graph("-o", str(tmp_path))  # a directory: click refuses it
    assert code == 2
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "graph.mmd").mkdir()
    code, _, err = graph("-o", str(blocked / "graph.mmd" / "x" / "y.mmd"))
    assert code == 2 and "cannot write" in err and "Traceback" not in err
    (graph_project / "pyproject.toml").write_text("[tool.inngest-lint]\nignroe = ['INN201']\n")
    code, _, err = graph()
    assert code == 2 and "did you mean 'ignore'" in err


def test_unparsable_file_is_reported_and_left_out(graph_project: Path) -> None:
    (graph_project / "crm" / "broken.py").write_text("import inngest\ndef (:\n")
    code, out, err = graph()
    assert code == 0
    assert "crm/broken.py" in err and "missing from the graph" in err
    assert "fn_sync_contact" in out


def test_output_file_and_direction(graph_project: Path) -> None:
    code, out, err = graph("-o", "events.mmd", "--direction", "tb")
    assert code == 0 and out == ""
    assert "Wrote events.mmd (8 functions, 11 events" in err
    assert (graph_project / "events.mmd").read_text(encoding="utf-8").startswith("flowchart TB\n")


def test_docs_name_every_node_and_edge_kind() -> None:
    from inngest_lint.graph.model import EDGE_KINDS, NODE_KINDS

    docs = (Path(__file__).parent.parent / "docs" / "graph.md").read_text(encoding="utf-8")
    for kind in (*NODE_KINDS, *EDGE_KINDS):
        assert f"| {kind}" in docs or f"| `{kind}`" in docs, kind


def test_a_crashing_rule_still_draws_the_graph_and_exits_2(
    graph_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inngest_lint.rules.inn201_function_not_served import FunctionNotServed

    def crash(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(FunctionNotServed, "check", crash)
    code, out, err = graph()
    assert code == 2 and "boom" in err and "Traceback" not in err
    assert "fn_sync_contact" in out and "not served" not in out


def test_an_internal_error_is_one_line(graph_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import inngest_lint.graph.command as command

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyError("unexpected")

    monkeypatch.setattr(command, "build_graph", broken)
    code, out, err = graph()
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "inngest-lint: error: internal error: KeyError: 'unexpected' (run with --debug for details)"
    ]


def _chain_project(root: Path, length: int) -> None:
    """Functions in a line: each triggers on the event the one before it sends."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'chain'\n", encoding="utf-8")
    parts = ["import inngest\n\nclient = inngest.Inngest(app_id='chain')\n"]
    for number in range(length):
        parts.append(
            f"\n\n@client.create_function(fn_id='step-{number}', trigger=inngest.TriggerEvent(event='chain/e{number}'))\n"
            f"async def step_{number}(ctx: inngest.Context) -> None:\n"
            f"    await ctx.step.send_event('next', inngest.Event(name='chain/e{number + 1}', data={{}}))\n"
        )
    parts.append("\n\nasync def start() -> None:\n    await client.send(inngest.Event(name='chain/e0', data={}))\n")
    (root / "chain.py").write_text("".join(parts), encoding="utf-8")


def _scale(dom: _DomNodes) -> float:
    transform = str(dom.viewport.get("transform"))
    return float(transform.split("scale(")[1].rstrip(")"))


@needs_chromium
def test_html_default_view_of_a_long_chain_stays_readable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chain deeper than wide is laid out top to bottom and shown at a readable scale (from its
    start), not shrunk to fit; --direction still decides when given."""
    _chain_project(tmp_path / "chain", 14)
    monkeypatch.chdir(tmp_path / "chain")
    page = tmp_path / "chain.html"
    assert graph("--format", "html", "-o", str(page))[0] == 0
    dom = render_in_chromium(page, "", tmp_path / "profile-auto")
    assert dom.body.get("data-direction") == "TB"
    assert _scale(dom) >= 0.6, dom.viewport
    assert graph("--format", "html", "--direction", "LR", "-o", str(page))[0] == 0
    forced = render_in_chromium(page, "", tmp_path / "profile-lr")
    assert forced.body.get("data-direction") == "LR"
    assert _scale(forced) >= 0.6, forced.viewport  # fitted by height, from the chain's start
    # Mermaid and dot keep left to right by default.
    assert graph()[1].startswith("flowchart LR")
