"""`inngest-lint server` driven by a real LSP client (pytest-lsp) over stdio, plus the pure
pieces (noqa edits, positions, the fix seam) tested directly.

One server process serves the whole module (starting one costs about a second, mostly importing
lsprotocol); each test works in its own project directory and closes what it opens. Tests wait
for the publishDiagnostics notification that carries the expected state, with a timeout that
only a failure reaches: nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("pytest_lsp", reason="the server tests need the lsp and test extras (pygls, pytest-lsp)")

import pytest_lsp  # noqa: E402
from lsprotocol import types  # noqa: E402
from pygls.workspace import PositionCodec  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

from inngest_lint.diagnostics import SAFE, UNSAFE, Diagnostic, Edit, Fix  # noqa: E402
from inngest_lint.server import (  # noqa: E402
    fix_actions,
    split_lines,
    suppress_edit,
    to_lsp_diagnostic,
)

# The protocol tests share the module's event loop, where the module-scoped client lives.
in_server = pytest.mark.asyncio(loop_scope="module")

WAIT_SECONDS = 30.0  # reached only when the expected notification never comes
DOCS_PREFIX = "https://github.com/inngest-lint/inngest-lint/blob/main/docs/rules.md#"

STEP_IN_LOOP = """\
import inngest

client = inngest.Inngest(app_id="app")

@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
async def handler(ctx: inngest.Context) -> None:
    for item in ctx.event.data["items"]:
        await ctx.step.run("process", process, item)
"""
STEP_IN_LOOP_FIXED = STEP_IN_LOOP.replace('"process", process', 'f"process-{item}", process')
FLAGGED_LINE = 7  # 0-based line of the step.run call

FUNCTIONS = """\
import inngest

client = inngest.Inngest(app_id="app")

@client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
async def a(ctx): ...

@client.create_function(fn_id="b", trigger=inngest.TriggerEvent(event="app/b"))
async def b(ctx): ...
"""
APP_SERVING_A = """\
import inngest.fast_api
from fastapi import FastAPI

from functions import a, b, client

app = FastAPI()
inngest.fast_api.serve(app, client, [a])
"""

INITIALIZE_RESULT: dict[str, types.InitializeResult] = {}


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "inngest_lint", "server"]),
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    INITIALIZE_RESULT["result"] = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities())
    )
    yield
    await lsp_client.shutdown_session()


def write_project(root: Path, files: dict[str, str]) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'sample'\n", encoding="utf-8")
    paths = {}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths


def open_document(client: LanguageClient, path: Path, text: str, language: str = "python") -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )
    return uri


def replace_text(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def close_documents(client: LanguageClient, *document_uris: str) -> None:
    for uri in document_uris:
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )


async def diagnostics_when(
    client: LanguageClient, uri: str, wanted: Callable[[Sequence[types.Diagnostic]], bool]
) -> Sequence[types.Diagnostic]:
    """The diagnostics published for `uri` once they satisfy `wanted`."""

    async def wait() -> Sequence[types.Diagnostic]:
        while True:
            if uri in client.diagnostics and wanted(client.diagnostics[uri]):
                return client.diagnostics[uri]
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), WAIT_SECONDS)


async def hover_at(client: LanguageClient, uri: str, position: types.Position) -> types.Hover | None:
    return await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )


def codes(diagnostics: Sequence[types.Diagnostic]) -> list[str]:
    return [str(diagnostic.code) for diagnostic in diagnostics]


def has(code: str) -> Callable[[Sequence[types.Diagnostic]], bool]:
    return lambda diagnostics: code in codes(diagnostics)


def is_empty(diagnostics: Sequence[types.Diagnostic]) -> bool:
    return len(diagnostics) == 0


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP edits (ASCII text: characters are code points) from last to first."""
    lines = split_lines(text)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


# --------------------------------------------------------------------------------------------
# Through the protocol.


@in_server
async def test_initialize_advertises_what_the_server_does(client: LanguageClient) -> None:
    capabilities = INITIALIZE_RESULT["result"].capabilities
    assert capabilities.hover_provider
    assert capabilities.code_action_provider
    sync = capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.open_close and sync.change == types.TextDocumentSyncKind.Incremental and sync.save
    assert INITIALIZE_RESULT["result"].server_info.name == "inngest-lint"


@in_server
async def test_open_reports_then_fixing_the_buffer_clears(client: LanguageClient, tmp_path: Path) -> None:
    paths = write_project(tmp_path, {"jobs.py": STEP_IN_LOOP})
    uri = open_document(client, paths["jobs.py"], STEP_IN_LOOP)

    diagnostics = await diagnostics_when(client, uri, has("INN101"))
    finding = next(d for d in diagnostics if d.code == "INN101")
    assert finding.source == "inngest-lint"
    assert finding.severity == types.DiagnosticSeverity.Error
    assert finding.code_description is not None
    assert finding.code_description.href == DOCS_PREFIX + "inn101-step-id-reused-in-loop"
    assert finding.data == {"rule": "step-id-reused-in-loop"}
    assert finding.range.start.line == FLAGGED_LINE  # 1-based line 8 -> 0-based 7
    assert finding.range.end.character > finding.range.start.character

    replace_text(client, uri, STEP_IN_LOOP_FIXED, version=2)  # unsaved: the disk still has the bug
    await diagnostics_when(client, uri, is_empty)
    close_documents(client, uri)


@in_server
async def test_editing_the_serve_module_clears_not_served_in_the_other_file(
    client: LanguageClient, tmp_path: Path
) -> None:
    paths = write_project(tmp_path, {"functions.py": FUNCTIONS, "app.py": APP_SERVING_A})
    functions_uri = open_document(client, paths["functions.py"], FUNCTIONS)
    app_uri = open_document(client, paths["app.py"], APP_SERVING_A)

    not_served = await diagnostics_when(client, functions_uri, has("INN201"))
    assert [d.range.start.line for d in not_served if d.code == "INN201"] == [8]  # `b`, not `a`

    replace_text(client, app_uri, APP_SERVING_A.replace("[a]", "[a, b]"), version=2)
    await diagnostics_when(client, functions_uri, is_empty)
    # Closing the edited buffer brings back the file on disk, which still serves only `a`.
    close_documents(client, app_uri)
    await diagnostics_when(client, functions_uri, has("INN201"))
    close_documents(client, functions_uri)


@in_server
async def test_hover_on_a_finding_shows_the_rule_docs(client: LanguageClient, tmp_path: Path) -> None:
    paths = write_project(tmp_path, {"jobs.py": STEP_IN_LOOP})
    uri = open_document(client, paths["jobs.py"], STEP_IN_LOOP)
    finding = next(d for d in await diagnostics_when(client, uri, has("INN101")) if d.code == "INN101")

    hover = await hover_at(client, uri, finding.range.start)
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "# INN101 step-id-reused-in-loop" in hover.contents.value
    assert "## What it does" in hover.contents.value

    assert await hover_at(client, uri, types.Position(line=0, character=0)) is None
    close_documents(client, uri)


@in_server
async def test_code_action_suppresses_with_noqa(client: LanguageClient, tmp_path: Path) -> None:
    paths = write_project(tmp_path, {"jobs.py": STEP_IN_LOOP})
    uri = open_document(client, paths["jobs.py"], STEP_IN_LOOP)
    diagnostics = await diagnostics_when(client, uri, has("INN101"))
    finding = next(d for d in diagnostics if d.code == "INN101")

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=finding.range,
            context=types.CodeActionContext(diagnostics=[finding]),
        )
    )
    assert actions is not None
    suppress = next(a for a in actions if isinstance(a, types.CodeAction) and a.title == "Suppress INN101 on this line")
    assert suppress.kind == types.CodeActionKind.QuickFix
    assert suppress.edit is not None and suppress.edit.changes is not None
    fixed = apply_edits(STEP_IN_LOOP, suppress.edit.changes[uri])
    assert fixed.splitlines()[FLAGGED_LINE].endswith("item)  # noqa: INN101")

    # The edited buffer really is suppressed.
    replace_text(client, uri, fixed, version=2)
    await diagnostics_when(client, uri, is_empty)

    # Asking only for other kinds offers nothing.
    only_source = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=finding.range,
            context=types.CodeActionContext(diagnostics=[finding], only=[types.CodeActionKind.Source]),
        )
    )
    assert not only_source
    close_documents(client, uri)


@in_server
async def test_a_quick_fix_applied_through_the_server_clears_the_finding(
    client: LanguageClient, tmp_path: Path
) -> None:
    paths = write_project(tmp_path, {"jobs.py": STEP_IN_LOOP})
    uri = open_document(client, paths["jobs.py"], STEP_IN_LOOP)
    finding = next(d for d in await diagnostics_when(client, uri, has("INN101")) if d.code == "INN101")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=finding.range,
            context=types.CodeActionContext(diagnostics=[finding]),
        )
    )
    assert actions is not None
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and a.title.endswith("(INN101, unsafe)"))
    assert fix.kind == types.CodeActionKind.QuickFix and not fix.is_preferred  # unsafe: never auto-applied
    assert fix.edit is not None and fix.edit.changes is not None
    fixed = apply_edits(STEP_IN_LOOP, fix.edit.changes[uri])
    assert fixed == STEP_IN_LOOP_FIXED
    replace_text(client, uri, fixed, version=2)
    await diagnostics_when(client, uri, is_empty)
    close_documents(client, uri)


UNAWAITED = """\
import inngest

client = inngest.Inngest(app_id="app")

@client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
async def handler(ctx: inngest.Context) -> None:
    ctx.step.run("a", work)
    try:
        ctx.step.run("b", work)
    except:
        raise RuntimeError("b failed")
"""


@in_server
async def test_fix_all_applies_every_safe_fix_of_the_document(client: LanguageClient, tmp_path: Path) -> None:
    paths = write_project(tmp_path, {"jobs.py": UNAWAITED})
    uri = open_document(client, paths["jobs.py"], UNAWAITED)
    diagnostics = await diagnostics_when(client, uri, lambda found: codes(found).count("INN103") == 2)
    assert sorted(codes(diagnostics)) == ["INN103", "INN103", "INN111"]
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=11, character=0))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=whole,
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert actions is not None
    [fix_all] = actions
    assert isinstance(fix_all, types.CodeAction)
    assert fix_all.title == "Fix all inngest-lint findings" and fix_all.kind == "source.fixAll.inngest-lint"
    assert fix_all.edit is not None and fix_all.edit.changes is not None
    fixed = apply_edits(UNAWAITED, fix_all.edit.changes[uri])
    assert fixed == UNAWAITED.replace("    ctx.step.run", "    await ctx.step.run").replace(
        "except:", "except Exception:"
    )
    replace_text(client, uri, fixed, version=2)
    await diagnostics_when(client, uri, is_empty)
    close_documents(client, uri)


@in_server
async def test_a_cross_file_fix_edits_the_serve_module(client: LanguageClient, tmp_path: Path) -> None:
    paths = write_project(tmp_path, {"functions.py": FUNCTIONS, "app.py": APP_SERVING_A})
    functions_uri = open_document(client, paths["functions.py"], FUNCTIONS)
    finding = next(d for d in await diagnostics_when(client, functions_uri, has("INN201")) if d.code == "INN201")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=functions_uri),
            range=finding.range,
            context=types.CodeActionContext(diagnostics=[finding]),
        )
    )
    assert actions is not None
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and "(INN201, unsafe)" in a.title)
    assert fix.edit is not None and fix.edit.changes is not None
    app_uri = paths["app.py"].as_uri()
    assert list(fix.edit.changes) == [app_uri]  # `b` is imported there already: only the list changes
    served = apply_edits(APP_SERVING_A, fix.edit.changes[app_uri])
    assert served == APP_SERVING_A.replace("[a]", "[a, b]")
    close_documents(client, functions_uri)


@in_server
async def test_a_syntax_error_buffer_is_reported_and_the_server_goes_on(client: LanguageClient, tmp_path: Path) -> None:
    paths = write_project(tmp_path, {"jobs.py": STEP_IN_LOOP})
    uri = open_document(client, paths["jobs.py"], STEP_IN_LOOP)
    await diagnostics_when(client, uri, has("INN101"))

    broken = STEP_IN_LOOP.replace('event="app/items"))', 'event="app/items")')
    replace_text(client, uri, broken, version=2)
    diagnostics = await diagnostics_when(client, uri, has("INN900"))
    assert codes(diagnostics) == ["INN900"]

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=list(diagnostics)),
        )
    )
    assert not actions  # noqa does not silence a syntax error: nothing to offer

    replace_text(client, uri, STEP_IN_LOOP, version=3)
    assert codes(await diagnostics_when(client, uri, has("INN101"))) == ["INN101"]
    close_documents(client, uri)


@in_server
async def test_a_buffer_that_crashed_the_parser_leaves_the_server_alive(client: LanguageClient, tmp_path: Path) -> None:
    """A 16,000-term chain in one pair of brackets segfaulted libcst in the server's lint
    thread, killing the server; it is parsed in a child process now, and linted."""
    paths = write_project(tmp_path, {"jobs.py": STEP_IN_LOOP})
    uri = open_document(client, paths["jobs.py"], STEP_IN_LOOP)
    await diagnostics_when(client, uri, has("INN101"))
    # Fixed and deep: the findings go away only once the server has linted this buffer.
    deep = STEP_IN_LOOP_FIXED + "x = (a\n" + " and a\n" * 16000 + ")\n"
    replace_text(client, uri, deep, version=2)
    assert codes(await diagnostics_when(client, uri, is_empty)) == []
    replace_text(client, uri, STEP_IN_LOOP.replace('"process"', '"process" +'), version=3)
    assert codes(await diagnostics_when(client, uri, has("INN900"))) == ["INN900"]
    close_documents(client, uri)


@in_server
async def test_a_non_python_document_is_left_alone(client: LanguageClient, tmp_path: Path) -> None:
    paths = write_project(tmp_path, {"jobs.py": STEP_IN_LOOP})
    readme = tmp_path / "README.md"
    readme.write_text("# inngest step.run\n", encoding="utf-8")
    readme_uri = open_document(client, readme, "# inngest step.run\n", language="markdown")
    replace_text(client, readme_uri, "# inngest ctx.step.run('x')\n", version=2)
    assert await hover_at(client, readme_uri, types.Position(line=0, character=3)) is None

    # The server still works, and never published for the Markdown file.
    uri = open_document(client, paths["jobs.py"], STEP_IN_LOOP)
    await diagnostics_when(client, uri, has("INN101"))
    assert readme_uri not in client.diagnostics
    close_documents(client, readme_uri, uri)


@in_server
async def test_an_unsaved_new_file_is_linted(client: LanguageClient, tmp_path: Path) -> None:
    write_project(tmp_path, {})
    uri = open_document(client, tmp_path / "not_saved_yet.py", STEP_IN_LOOP)
    await diagnostics_when(client, uri, has("INN101"))
    close_documents(client, uri)


@in_server
async def test_excluded_files_show_nothing_and_folders_above_the_root_do_not_count(
    client: LanguageClient, tmp_path: Path
) -> None:
    root = tmp_path / "build" / "shop"  # `build` is a default exclude, but above the root
    paths = write_project(root, {"jobs.py": STEP_IN_LOOP, ".venv/lib/vendored.py": STEP_IN_LOOP})
    uri = open_document(client, paths["jobs.py"], STEP_IN_LOOP)
    vendored_uri = open_document(client, paths[".venv/lib/vendored.py"], STEP_IN_LOOP)
    await diagnostics_when(client, uri, has("INN101"))
    assert list(await diagnostics_when(client, vendored_uri, lambda diagnostics: True)) == []
    close_documents(client, uri, vendored_uri)


@in_server
async def test_a_configuration_error_becomes_a_log_message(client: LanguageClient, tmp_path: Path) -> None:
    paths = write_project(tmp_path, {"jobs.py": STEP_IN_LOOP})
    (tmp_path / "inngest-lint.toml").write_text("ignroe = ['INN101']\n", encoding="utf-8")
    uri = open_document(client, paths["jobs.py"], STEP_IN_LOOP)

    async def logged() -> types.LogMessageParams:
        while True:
            for message in client.log_messages:
                if "unknown key 'ignroe'" in message.message:
                    return message
            await client.wait_for_notification(types.WINDOW_LOG_MESSAGE)

    message = await asyncio.wait_for(logged(), WAIT_SECONDS)
    assert message.type == types.MessageType.Error
    assert "did you mean 'ignore'" in message.message

    # Fixing the configuration and saving it (as an editor would) lints again with it.
    config = tmp_path / "inngest-lint.toml"
    config.write_text("ignore = ['INN101']\n", encoding="utf-8")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config.as_uri()))
    )
    await diagnostics_when(client, uri, is_empty)
    close_documents(client, uri)


# --------------------------------------------------------------------------------------------
# The pure pieces.

UTF16 = PositionCodec()


def suppressed(source: str, line_index: int, code: str = "INN101") -> str | None:
    edit = suppress_edit(source, line_index, code, UTF16)
    return None if edit is None else apply_edits(source, [edit])


def test_noqa_goes_at_the_end_of_the_line() -> None:
    assert suppressed("x = step()   \ny = 2\n", 0) == "x = step()  # noqa: INN101\ny = 2\n"
    assert suppressed("x = step()", 0) == "x = step()  # noqa: INN101"
    assert suppressed("x = step()\r\ny = 2\r\n", 0) == "x = step()  # noqa: INN101\r\ny = 2\r\n"


def test_noqa_merges_into_an_existing_noqa_comment() -> None:
    assert suppressed("x = step()  # noqa: INN102\n", 0) == "x = step()  # noqa: INN102, INN101\n"
    assert suppressed("x = step()  # why  # noqa:INN102\n", 0) == "x = step()  # why  # noqa:INN102, INN101\n"
    assert suppressed("x = step()  # explained\n", 0) == "x = step()  # explained  # noqa: INN101\n"


def test_noqa_is_not_offered_where_it_would_break_the_code_or_change_nothing() -> None:
    assert suppressed('x = step("""\nstill a string\n""")\n', 0) is None  # would land in the string
    assert suppressed('x = step(f"""{a}\n{b}\n""")\n', 1) is None
    assert suppressed("x = step() + \\\n    1\n", 0) is None  # a comment after `\` is a syntax error
    assert suppressed("x = step()  # noqa\n", 0) is None  # already suppressed
    assert suppressed("x = step()  # noqa: INN101\n", 0) is None
    assert suppressed("x = step()  # inngest-lint: noqa: INN501\n", 0) is None
    assert suppressed("def broken(:\n    x = step()\n", 1) is None  # does not tokenize
    # Inside brackets a comment is fine.
    assert suppressed("x = step(\n    a,\n)\n", 0) == "x = step(  # noqa: INN101\n    a,\n)\n"


def test_positions_are_zero_based_in_utf16_units() -> None:
    text = 'label = "😀"; run("x")\n'
    assert text[13:16] == "run"
    diagnostic = Diagnostic("/p/a.py", 1, 14, "INN101", "m", end_line=1, end_column=17)
    converted = to_lsp_diagnostic(diagnostic, split_lines(text), UTF16)
    # `run` is at code point 13, after the emoji, which is two UTF-16 units.
    assert (converted.range.start.line, converted.range.start.character) == (0, 14)
    assert (converted.range.end.line, converted.range.end.character) == (0, 17)
    assert split_lines("a\u2028b\x0cc\nd") == ["a\u2028b\x0cc\n", "d"]


def test_a_fix_carried_by_a_diagnostic_becomes_a_code_action() -> None:
    text = textwrap.dedent("""\
        async def f(ctx):
            ctx.step.run("a", g)
    """)
    lines = split_lines(text)
    plain = Diagnostic("/p/a.py", 2, 5, "INN103", "not awaited", end_line=2, end_column=25)
    lsp = to_lsp_diagnostic(plain, lines, UTF16)
    assert fix_actions(plain, lsp, "file:///p/a.py", lines, UTF16) == []

    fixable = replace(
        plain,
        fix=Fix(
            "add `await`", SAFE, (Edit("/p/a.py", 2, 5, 2, 25, 'ctx.step.run("a", g)', 'await ctx.step.run("a", g)'),)
        ),
    )
    [action] = fix_actions(fixable, lsp, "file:///p/a.py", lines, UTF16)
    assert action.title == "Add `await` (INN103)" and action.is_preferred
    assert action.edit is not None and action.edit.changes is not None
    assert apply_edits(text, action.edit.changes["file:///p/a.py"]).splitlines()[1] == '    await ctx.step.run("a", g)'

    # An unsafe fix is offered, titled so, and never preferred; a stale one is not offered.
    unsafe = replace(fixable, fix=replace(fixable.fix, applicability=UNSAFE))
    [action] = fix_actions(unsafe, lsp, "file:///p/a.py", lines, UTF16)
    assert action.title == "Add `await` (INN103, unsafe)" and not action.is_preferred
    stale = split_lines(text.replace('"a"', '"b"'))
    assert fix_actions(fixable, lsp, "file:///p/a.py", stale, UTF16) == []


def test_a_lint_that_raises_becomes_a_problem_not_a_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import inngest_lint.server as server

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("engine bug")

    paths = write_project(tmp_path, {"jobs.py": STEP_IN_LOOP})
    job = server.LintJob(
        server.ProjectKey(tmp_path),
        (server.DocumentSnapshot(paths["jobs.py"].as_uri(), paths["jobs.py"], STEP_IN_LOOP, 1),),
    )
    assert [d.code for d in server.run_lint_job(job).by_path[paths["jobs.py"]]] == ["INN101"]
    monkeypatch.setattr(server, "lint_paths", broken)
    outcome = server.run_lint_job(job)
    assert outcome.linted == set()  # nothing recomputed: the findings shown stay
    assert "internal error while linting" in outcome.problems[0] and "RuntimeError: engine bug" in outcome.problems[0]


def test_server_without_pygls_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from inngest_lint.cli import main

    monkeypatch.delitem(sys.modules, "inngest_lint.server", raising=False)
    monkeypatch.setitem(sys.modules, "pygls", None)  # makes `import pygls...` fail as if not installed
    result = CliRunner().invoke(main, ["server"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "inngest-lint: error: the language server needs pygls: pip install 'pygls>=2.0,<3' "
        "(or install the lsp extra: '.[lsp]' from a clone)"
    ]


def test_a_finding_caused_by_the_open_file_shows_there_with_the_affected_code(tmp_path: Path) -> None:
    """Only main.py is open, and its serve list drops `ship`: INN201 shows on the serve call,
    with relatedInformation pointing at the unserved function in functions.py."""
    from test_cross_file_cause import DROPPED, SERVE_LINE, SHIP_LINE, _files

    import inngest_lint.server as server

    paths = write_project(tmp_path, _files(**{"main.py": DROPPED}))
    job = server.LintJob(
        server.ProjectKey(tmp_path),
        (server.DocumentSnapshot(paths["main.py"].as_uri(), paths["main.py"], DROPPED, 1),),
    )
    [found] = server.run_lint_job(job).by_path[paths["main.py"]]
    lsp = to_lsp_diagnostic(found, DROPPED.splitlines(), UTF16)
    assert (lsp.code, lsp.range.start.line) == ("INN201", SERVE_LINE - 1)
    assert lsp.code_description is not None and lsp.code_description.href.endswith("#inn201-function-not-served")
    [related] = lsp.related_information or []
    assert related.message == "affected code" and related.location.uri.endswith("/functions.py")
    assert related.location.range.start.line == SHIP_LINE - 1
