"""INN202 served-object-not-a-function."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.facts.model import Definition
from inngest_lint.rules.base import ProjectRule

_DESCRIPTIONS = {
    "definition": "a plain {kind}",
    "client": "an Inngest client",
    "constant": "a constant",
    "module": "a module",
}


class ServedObjectNotAFunction(ProjectRule):
    """A name in a serve list that is not an Inngest function.

    ## What it does
    Flags an item of a `serve(...)`/`connect(...)` function list that resolves, in the project,
    to something other than an Inngest function: an undecorated handler, a plain helper, a class,
    a client, a constant or a module.

    ## Why is this bad?
    The SDK expects `inngest.Function` objects (what `@client.create_function(...)` returns).
    Anything else fails when the app starts or syncs, or, for the undecorated handler of a
    `client.create_function(...)(handler)` call, registers nothing.

    ## Use instead
    Serve what `create_function` returned.
    """

    code = "INN202"
    name = "served-object-not-a-function"

    VALID = (
        """
        import flask
        import inngest
        import inngest.flask

        client = inngest.Inngest(app_id="app")
        app = flask.Flask(__name__)

        def process_handler(ctx: inngest.ContextSync) -> None: ...

        process = client.create_function(fn_id="process", trigger=inngest.TriggerEvent(event="app/process"))(process_handler)
        inngest.flask.serve(app, client, [process])
        """,
    )
    INVALID = (
        """
        import flask
        import inngest
        import inngest.flask

        client = inngest.Inngest(app_id="app")
        app = flask.Flask(__name__)

        def process_handler(ctx: inngest.ContextSync) -> None: ...

        process = client.create_function(fn_id="process", trigger=inngest.TriggerEvent(event="app/process"))(process_handler)
        inngest.flask.serve(app, client, [process_handler])  # error: INN202
        """,
        """
        import flask
        import inngest
        import inngest.flask

        client = inngest.Inngest(app_id="app")
        app = flask.Flask(__name__)

        def handle(ctx): ...

        def helper(): ...

        process = client.create_function(fn_id="p", trigger=inngest.TriggerEvent(event="app/p"))(handle)
        inngest.flask.serve(app, client, [process, handle, helper])  # error: INN202
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        for _, serve in self.index.serve_calls():
            items, _complete = self.index.expand_list(serve.functions)
            for resolved, location in items:
                if resolved.kind == "definition" and isinstance(resolved.value, Definition):
                    definition = resolved.value
                    if definition.kind == "inngest-handler":
                        what = (
                            f"'{definition.symbol}' is the undecorated handler of a "
                            f"create_function(...)(handler) call; serve the Function that call returns"
                        )
                    else:
                        kind = "class" if definition.kind == "class" else "function"
                        what = (
                            f"'{definition.symbol}' is a plain {kind}, not an Inngest function; "
                            f"decorate it with @client.create_function(...) or remove it"
                        )
                elif resolved.kind in ("client", "constant", "module"):
                    what = f"this item is {_DESCRIPTIONS[resolved.kind]}, not an Inngest function"
                else:
                    continue
                # A definition that stopped being an Inngest function (its decorator removed) is
                # the cause; a client, constant or module listed by mistake is the list's own.
                cause = resolved.value.location if isinstance(resolved.value, Definition) else None
                yield self.diagnostic(location, f"served object is not an Inngest function: {what}", caused_by=cause)
