"""INN201 function-not-served."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.rules._project import function_label, shown
from inngest_lint.rules.base import ProjectRule


def served_function_keys(index) -> tuple[set[str], bool]:  # type: ignore[no-untyped-def]
    """Keys of every function some serve()/connect() lists, and whether all lists are known."""
    served: set[str] = set()
    complete = True
    for _, serve in index.serve_calls():
        items, known = index.expand_list(serve.functions)
        complete = complete and known
        for resolved, _location in items:
            if resolved.kind == "function":
                served.add(resolved.value.key)
    return served, complete


class FunctionNotServed(ProjectRule):
    """An Inngest function that no `serve()` or `connect()` in the project registers.

    ## What it does
    Flags an Inngest function that is not in the function list of any `serve(...)` call
    (`inngest.fast_api`, `flask`, `django`, `tornado`, `digital_ocean`) or
    `inngest.connect.connect(...)` in the project. Lists are followed through variables,
    concatenation, `*` unpacking, `append`/`extend`, and lists imported from other modules.
    The rule is silent for projects with no serve call at all (a library), for functions created
    inside a factory function, in test files, and whenever a serve list cannot be fully resolved
    (built by a call, a comprehension, or a name from outside the project).

    ## Why is this bad?
    Inngest only knows the functions an app registers when it syncs. An unregistered function
    never runs: its events arrive and nothing happens, with no error anywhere.

    ## Example
    ```python
    inngest.fast_api.serve(app, client, [lead_workflow])

    @client.create_function(fn_id="follow-up", trigger=inngest.TriggerEvent(event="app/follow-up"))
    async def follow_up(ctx): ...
    ```

    ## Use instead
    ```python
    inngest.fast_api.serve(app, client, [lead_workflow, follow_up])
    ```
    """

    code = "INN201"
    name = "function-not-served"

    VALID = [
        {
            "app/jobs.py": """
                import inngest
                from app.client import client

                @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
                def a(ctx): ...

                @client.create_function(fn_id="b", trigger=inngest.TriggerEvent(event="app/b"))
                def b(ctx): ...

                functions = [a]
                functions.append(b)
            """,
            "app/client.py": "import inngest\nclient = inngest.Inngest(app_id='app')\n",
            "app/__init__.py": "",
            "app/main.py": """
                import flask
                import inngest.flask
                from app.client import client
                from app.jobs import functions

                app = flask.Flask(__name__)
                inngest.flask.serve(app, client, functions)
            """,
        }
    ]
    INVALID = [
        """
        import inngest
        import inngest.fast_api
        from fastapi import FastAPI

        client = inngest.Inngest(app_id="app")
        app = FastAPI()

        @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
        async def a(ctx): ...

        @client.create_function(fn_id="b", trigger=inngest.TriggerEvent(event="app/b"))
        async def b(ctx): ...  # error: INN201

        inngest.fast_api.serve(app, client, [a])
        """
    ]

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        if not index.has_serve():
            return
        served, complete = served_function_keys(index)
        if not complete:
            return
        serve_sites = [shown(serve.location) for _, serve in index.serve_calls()]
        where = serve_sites[0] if len(serve_sites) == 1 else f"{len(serve_sites)} serve calls"
        for function in index.functions:
            if function.key in served or function.in_factory or not function.symbol:
                continue
            file_facts = index.file_by_path.get(function.path)
            if file_facts is not None and file_facts.is_test:
                continue
            label = function_label(function, index)
            yield self.diagnostic(
                function.location,
                f"Inngest function '{function.handler_name}' ({label}) is never passed to serve() or "
                f"connect() ({where}), so Inngest never runs it; add it to the functions list",
                context=label,
            )
