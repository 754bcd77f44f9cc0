"""INN201 function-not-served."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from inngest_lint.diagnostics import UNSAFE, Diagnostic, Edit, Fix, Location
from inngest_lint.facts.index import ProjectIndex
from inngest_lint.facts.model import LIST_ITEM_PLACEHOLDER, FileFacts, FunctionList, InngestFunction, ServeCall
from inngest_lint.rules._project import function_label
from inngest_lint.rules.base import ProjectRule


@dataclass
class _Serve:
    call: ServeCall
    app: str | None  # the app its client belongs to, None when it cannot be told
    listed: set[str]
    known: bool


class FunctionNotServed(ProjectRule):
    """An Inngest function that no `serve()` or `connect()` in the project registers.

    ## What it does
    Flags an Inngest function that is not in the function list of any `serve(...)` call
    (`inngest.fast_api`, `flask`, `django`, `tornado`, `digital_ocean`) or
    `inngest.connect.connect(...)` of its own app in the project. Lists are followed through
    variables, concatenation, `*` unpacking, `append`/`extend`, and lists imported from other
    modules, each name resolved as the file that writes it imports it. A function's app is the
    `app_id` of its client (or the client itself); a repository holding several services checks
    each function against the serve calls of its own app only. The rule is silent for an app with
    no serve call in the project (a library, or served from elsewhere), for functions created
    inside a factory function, in test files, and whenever a serve list of the app cannot be fully
    resolved (built by a call, a comprehension, or a name from outside the project), or its
    client cannot be told.

    ## Why is this bad?
    Inngest only knows the functions an app registers when it syncs. An unregistered function
    never runs: its events arrive and nothing happens, with no error anywhere.

    ## Fix
    The function is added at the end of its app's serve list, when the app has one serve call
    and its list is written out as `[...]` (in the call, or as a module-level list the call
    names), with `from <module> import <name>` added to that file when the name does not
    already mean the function there (the import is checked to resolve to the function, and the name to be free
    in that file). One fix, possibly in two files. Unsafe: the next deploy registers the
    function, so it starts running on its events (including ones already waiting), which is a
    behaviour change to review; and an import can have side effects or create an import cycle.
    """

    code = "INN201"
    name = "function-not-served"
    fixable = "unsafe"

    FIXES = (
        (
            {
                "shop/client.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")
                """,
                "shop/main.py": """
                '''The web app.'''
                import fastapi
                import inngest.fast_api

                from shop.client import client
                from shop.orders import place_order

                app = fastapi.FastAPI()
                inngest.fast_api.serve(app, client, [place_order])
                """,
                "shop/orders.py": """
                import inngest

                from shop.client import client


                @client.create_function(fn_id="place-order", trigger=inngest.TriggerEvent(event="shop/order.placed"))
                async def place_order(ctx: inngest.Context) -> None: ...


                @client.create_function(fn_id="ship-order", trigger=inngest.TriggerEvent(event="shop/order.paid"))
                async def ship_order(ctx: inngest.Context) -> None: ...
                """,
            },
            {
                "shop/main.py": """
                '''The web app.'''
                import fastapi
                import inngest.fast_api

                from shop.client import client
                from shop.orders import place_order
                from shop.orders import ship_order

                app = fastapi.FastAPI()
                inngest.fast_api.serve(app, client, [place_order, ship_order])
                """,
            },
        ),
        (
            """
            import flask
            import inngest
            import inngest.flask

            client = inngest.Inngest(app_id="app")


            @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
            def a(ctx): ...


            @client.create_function(fn_id="b", trigger=inngest.TriggerEvent(event="app/b"))
            def b(ctx): ...


            FUNCTIONS = [
                a,
            ]
            inngest.flask.serve(flask.Flask(__name__), client, FUNCTIONS)
            """,
            """
            import flask
            import inngest
            import inngest.flask

            client = inngest.Inngest(app_id="app")


            @client.create_function(fn_id="a", trigger=inngest.TriggerEvent(event="app/a"))
            def a(ctx): ...


            @client.create_function(fn_id="b", trigger=inngest.TriggerEvent(event="app/b"))
            def b(ctx): ...


            FUNCTIONS = [
                a,
                b,
            ]
            inngest.flask.serve(flask.Flask(__name__), client, FUNCTIONS)
            """,
        ),
    )

    VALID = (
        """
        import inngest
        import inngest.fast_api
        from fastapi import FastAPI

        client = inngest.Inngest(app_id="crm")
        app = FastAPI()

        @client.create_function(fn_id="lead-workflow", trigger=inngest.TriggerEvent(event="app/lead.created"))
        async def lead_workflow(ctx: inngest.Context) -> None: ...

        @client.create_function(fn_id="follow-up", trigger=inngest.TriggerEvent(event="app/follow-up"))
        async def follow_up(ctx: inngest.Context) -> None: ...

        inngest.fast_api.serve(app, client, [lead_workflow, follow_up])
        """,
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
        },
    )
    INVALID = (
        """
        import inngest
        import inngest.fast_api
        from fastapi import FastAPI

        client = inngest.Inngest(app_id="crm")
        app = FastAPI()

        @client.create_function(fn_id="lead-workflow", trigger=inngest.TriggerEvent(event="app/lead.created"))
        async def lead_workflow(ctx: inngest.Context) -> None: ...

        @client.create_function(fn_id="follow-up", trigger=inngest.TriggerEvent(event="app/follow-up"))
        async def follow_up(ctx: inngest.Context) -> None: ...  # error: INN201

        inngest.fast_api.serve(app, client, [lead_workflow])
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        if not index.has_serve():
            return
        serves: list[_Serve] = []
        for _, call in index.serve_calls():
            listed, known = index.listed_keys(call)
            serves.append(_Serve(call, index.app_key(call.client), listed, known))
        served_anywhere = set().union(*(serve.listed for serve in serves))
        for function in index.functions:
            if function.key in served_anywhere or function.in_factory or not function.symbol:
                continue
            file_facts = index.file_by_path.get(function.path)
            if file_facts is not None and file_facts.is_test:
                continue
            # The serve calls that could register it: those of its own app, and any whose client
            # cannot be told. An app with no serve call here is served elsewhere, or a library.
            app = index.app_key(function.client)
            own = [serve for serve in serves if app is None or serve.app is None or serve.app == app]
            if not own or not all(serve.known for serve in own):
                continue
            where = self.shown(own[0].call.location) if len(own) == 1 else f"{len(own)} serve calls"
            label = function_label(function, index)
            yield self.diagnostic(
                function.location,
                f"Inngest function '{function.handler_name}' ({label}) is never passed to serve() or "
                f"connect() ({where}), so Inngest never runs it; add it to the functions list",
                context=label,
                caused_by=_serve_list_cause(index, own[0].call) if len(own) == 1 else None,
                fix=self._fix(function, own[0].call) if len(own) == 1 else None,
            )

    # ------------------------------------------------------------------ fix
    def _fix(self, function: InngestFunction, call: ServeCall) -> Fix | None:
        """Add the function to the one serve list of its app (see the docs' Fix section)."""
        index = self.index
        target = self._written_list(call)
        if target is None:
            return None
        listing, owner = target
        symbol = function.symbol
        edits: list[Edit] = []
        if not self._names(owner, symbol, function):
            if not function.module or not owner.import_line or not self._free(owner, symbol):
                return None
            resolved = index.resolve_name(f"{function.module}.{symbol}", owner.path)
            if resolved.kind != "function" or resolved.value.key != function.key:  # type: ignore[attr-defined]
                return None
            line = owner.import_line
            statement = f"from {function.module} import {symbol}{owner.newline}"
            edits.append(Edit(owner.path, line, 1, line, 1, "", statement))
        if listing.extended.count(LIST_ITEM_PLACEHOLDER) != 1:
            return None
        # The list as libcst wrote it in phase 1 with one more element (a warm run, phase 2 over
        # cached facts, never imports libcst); the name replaces the stand-in.
        extended = listing.extended.replace(LIST_ITEM_PLACEHOLDER, symbol)
        where = listing.location
        edits.append(
            Edit(owner.path, where.line, where.column, where.end_line, where.end_column, listing.code, extended)
        )
        return Fix(f"add {symbol} to the serve list", UNSAFE, tuple(edits))

    def _written_list(self, call: ServeCall) -> tuple[FunctionList, FileFacts] | None:
        """The `[...]` display that holds the serve call's functions, and its file."""
        listing = call.functions
        path = call.location.path
        if not listing.code and not listing.items and len(listing.spreads) == 1:  # `serve(..., FUNCTIONS)`
            resolved = self.index.resolve(listing.spreads[0])
            if resolved.kind != "list":
                return None
            listing, path = resolved.value, resolved.path  # type: ignore[assignment]
        if not listing.code or listing.spreads:
            return None
        owner = self.index.file_by_path.get(path)
        return (listing, owner) if owner is not None else None

    def _names(self, owner: FileFacts, symbol: str, function: InngestFunction) -> bool:
        """Whether `symbol` in `owner` already means `function` (defined or imported there)."""
        if not owner.module:
            return function.path == owner.path
        resolved = self.index.resolve_name(f"{owner.module}.{symbol}", owner.path)
        return resolved.kind == "function" and resolved.value.key == function.key  # type: ignore[attr-defined]

    @staticmethod
    def _free(owner: FileFacts, symbol: str) -> bool:
        """Whether nothing at the top of `owner` binds `symbol` (an import would rebind it)."""
        taken = {
            *owner.imports,
            *owner.other_names,
            *owner.constants,
            *(function.symbol for function in owner.functions),
            *(client.symbol for client in owner.clients),
            *(listing.symbol for listing in owner.lists),
            *(definition.symbol for definition in owner.definitions),
        }
        return symbol not in taken and not owner.star_imports


def _serve_list_cause(index: ProjectIndex, call: ServeCall) -> Location | None:
    """Where the one serve list of the function's app is written, when one file holds all of it:
    the serve call when that is its own file, else the list imported from the other file.

    A run given only that file (the list changed, the function did not: pre-commit staging
    `main.py`) reports the finding there. A list assembled from several files has no one cause.
    """
    lists: list[FunctionList] = []
    _collect_lists(index, call.functions, lists, set())
    files = {function_list.location.path for function_list in lists}
    if len(files) != 1:
        return None
    (path,) = files
    return call.location if path == call.location.path else lists[0].location


def _collect_lists(index: ProjectIndex, function_list: FunctionList, out: list[FunctionList], seen: set[int]) -> None:
    """The lists that `function_list` takes its items from (as `ProjectIndex.expand_list` follows
    them), each counted when it writes an item itself: `serve(app, client, FUNCTIONS)` holds no
    item of its own, and the list to edit is FUNCTIONS, wherever it is."""
    if id(function_list) in seen:
        return
    seen.add(id(function_list))
    writes_items = False
    for ref in (*function_list.items, *function_list.spreads):
        resolved = index.resolve(ref)
        if resolved.kind == "list":
            _collect_lists(index, resolved.value, out, seen)  # type: ignore[arg-type]
        else:
            writes_items = True
    if writes_items or not (function_list.items or function_list.spreads):
        out.append(function_list)
