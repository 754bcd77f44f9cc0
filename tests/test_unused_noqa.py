"""unused-noqa (INN902): codes in noqa comments that name no rule or suppress nothing."""

from __future__ import annotations

import textwrap

from inngest_lint.suppression import noqa_comments

SOURCE = textwrap.dedent(
    """
    import inngest

    client = inngest.Inngest(app_id="app")


    @client.create_function(fn_id="f", trigger=inngest.TriggerEvent(event="app/items"))
    async def handler(ctx: inngest.Context) -> None:
        for item in ctx.event.data["items"]:
            await ctx.step.run("process", work, item)  # noqa: INN101, INN102
        await ctx.step.run("once", work)  # noqa: INN101
        await ctx.step.run("twice", work)  # noqa: INN999, E501, step-id-reused-in-loop
        await ctx.step.run("thrice", work)  # noqa
        await ctx.step.run("again", work)  # noqa: INN303
    """
).lstrip()


def _found(project, source: str = SOURCE, **settings: object) -> list[tuple[int, int, int, str]]:  # type: ignore[no-untyped-def]
    return [
        (d.line, d.column, d.end_column, d.message)
        for d in project({"app.py": source}, extend_select=("INN902",), **settings)
        if d.code == "INN902"
    ]


def test_unknown_and_unused_codes_are_reported_with_their_exact_span(project) -> None:  # type: ignore[no-untyped-def]
    found = _found(project)
    assert found == [
        (9, 68, 74, "`# noqa` for INN102 suppresses nothing on this line; remove it"),
        (10, 47, 53, "`# noqa` for INN101 suppresses nothing on this line; remove it"),
        (
            11,
            48,
            54,
            "unknown rule 'INN999' in `# noqa`: no inngest-lint rule has this code or name; remove it",
        ),
        (11, 62, 84, "`# noqa` for step-id-reused-in-loop suppresses nothing on this line; remove it"),
    ]
    lines = SOURCE.splitlines()
    assert lines[8][67:73] == "INN102" and lines[10][61:83] == "step-id-reused-in-loop"


def test_off_by_default_and_a_rule_not_checked_is_not_judged(project) -> None:  # type: ignore[no-untyped-def]
    assert not [d for d in project({"app.py": SOURCE}) if d.code == "INN902"]
    # INN303 is off by default: whether its noqa would hide something is unknown (line 13).
    assert all(line != 13 for line, *_ in _found(project))


def test_file_level_codes(project) -> None:  # type: ignore[no-untyped-def]
    source = "# inngest-lint: noqa: INN501, INN101\n" + SOURCE.replace("  # noqa: INN101, INN102", "")
    found = _found(project, source)
    assert (1, 23, 29, "`# inngest-lint: noqa` for INN501 suppresses nothing in this file; remove it") in found
    assert not [f for f in found if f[0] == 1 and f[1] == 31]  # INN101 hid the loop's finding


def test_noqa_on_a_cross_file_cause_counts_as_used(project) -> None:  # type: ignore[no-untyped-def]
    from test_cross_file_cause import DROPPED, _files

    main = DROPPED.replace("[pay])", "[pay])  # noqa: INN201")
    files = _files(**{"main.py": main})
    assert [d for d in project(files, extend_select=("INN902",)) if d.code == "INN902"] == []
    assert [d for d in project(files, paths=["main.py"], extend_select=("INN902",)) if d.code == "INN902"] == []


def test_noqa_comments_record_each_code() -> None:
    (comment,) = noqa_comments("x = 1  # NOQA:inn101,E501\n")
    assert [(c.code, c.column, c.end_column) for c in comment.codes] == [("INN101", 15, 21), ("e501", 22, 26)]
    assert (comment.column, comment.end_column) == (8, 26)
    assert noqa_comments("s = '# noqa: INN101'\n") == []
