"""INN900: the engine reports files that do not parse; this class documents and registers it."""

from __future__ import annotations

from inngest_lint.rules.base import Rule


class SyntaxErrorRule(Rule):
    """A file that does not parse as Python.

    ## What it does
    Reports a file that the running Python's `compile()` rejects, with Python's own message at
    Python's own position (`'(' was never closed` at the bracket), and lints the other files as
    usual. It is reported exactly when Python rejects the file: syntax newer than the running
    Python (`type X = ...` on 3.11), errors of the compiler (`return` outside a function), and a
    file nested too deeply for Python to compile. No `# noqa` comment suppresses it.

    ## Why is this bad?
    A file that does not parse cannot be checked, and it will not import: the Inngest app that
    serves it fails at start-up.
    """

    code = "INN900"
    name = "syntax-error"
    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="welcome", trigger=inngest.TriggerEvent(event="app/user.created"))
        async def welcome(ctx: inngest.Context) -> None:
            await ctx.step.run("send-email", send_welcome_email)
        """,
        "import inngest\n\nclient = inngest.Inngest(app_id='app')\n",
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="welcome", trigger=inngest.TriggerEvent(event="app/user.created"))
        async def welcome(ctx: inngest.Context) -> None  # error: INN900
            await ctx.step.run("send-email", send_welcome_email)
        """,
        "import inngest\n\nclient = inngest.Inngest(app_id='app'\n",
    )
