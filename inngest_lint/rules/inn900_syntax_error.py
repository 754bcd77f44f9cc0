"""INN900: the engine reports files that do not parse; this class documents and registers it."""

from __future__ import annotations

from inngest_lint.rules.base import Rule


class SyntaxErrorRule(Rule):
    """A file that does not parse as Python.

    ## What it does
    Reports a file that libcst cannot parse, at the line of the error, and lints the other
    files as usual. A file nested so deeply that the parser runs out of recursion is reported
    the same way.

    ## Why is this bad?
    A file that does not parse cannot be checked, and it will not import: the Inngest app that
    serves it fails at start-up.

    ## Example
    ```python
    @client.create_function(fn_id="x", trigger=inngest.TriggerEvent(event="a/b")
    def handler(ctx): ...
    ```

    ## Use instead
    ```python
    @client.create_function(fn_id="x", trigger=inngest.TriggerEvent(event="a/b"))
    def handler(ctx): ...
    ```
    """

    code = "INN900"
    name = "syntax-error"
    VALID = ["import inngest\n\nclient = inngest.Inngest(app_id='app')\n"]
    INVALID = ["import inngest\n\nclient = inngest.Inngest(app_id='app'\n"]
