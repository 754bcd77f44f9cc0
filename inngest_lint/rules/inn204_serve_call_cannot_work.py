"""INN204 serve-call-cannot-work."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix
from inngest_lint.rules._config import closest, has_spread, only_close_match, positional_args, qualified_call
from inngest_lint.rules.base import Rule


class ServeCallCannotWork(Rule):
    """A `serve()` or `connect()` call with arguments its framework's signature rejects.

    ## What it does
    Flags calls of `inngest.fast_api.serve`, `flask.serve`, `tornado.serve` (which take
    `app, client, functions`), `django.serve`, `digital_ocean.serve` (`client, functions`) and
    `inngest.connect.connect` (`apps`) that pass too many or too few positional arguments, leave
    a required parameter out, or use a keyword none of SDK 0.3 to 0.5 has (with the closest
    real one); and an `inngest.django.serve(...)` whose result is thrown away (a bare
    statement). Calls with `*args` or `**kwargs` are not checked.

    ## Why is this bad?
    The serve functions are plain Python functions (`inngest/fast_api.py`, `flask.py`,
    `tornado.py`, `django.py`, `digital_ocean.py`; `connect` in
    `inngest/connect/_internal/connect.py`): a wrong call is a `TypeError` when the module
    loads, so the app does not start. `fast_api.serve(client, functions)` (the client where the
    app goes) is the usual slip when moving from Django, whose `serve` has no `app`.
    `django.serve` registers nothing itself: it returns the URL pattern (`django.urls.path`) of
    the Inngest endpoint, which Django routes only once it is in `urlpatterns`.

    ## Fix
    A keyword the function does not take is renamed to the one keyword it nearly matches
    (`function=` -> `functions=`), when exactly one does and the call does not already give that
    parameter. Safe: `serve` and `connect` are plain functions, so the call as written can only
    raise `TypeError` when the app starts, and the renamed call passes the value where its
    spelling says. No fix for a missing app or a thrown-away Django pattern: which app, and
    which `urlpatterns`, is the author's.
    """

    code = "INN204"
    name = "serve-call-cannot-work"
    fixable = "safe"

    VALID = (
        """
        import inngest
        import inngest.fast_api
        from fastapi import FastAPI

        client = inngest.Inngest(app_id="shop")
        app = FastAPI()
        inngest.fast_api.serve(app, client, [], serve_path="/api/inngest")
        """,
    )
    INVALID = (
        """
        import inngest
        import inngest.fast_api

        client = inngest.Inngest(app_id="shop")
        inngest.fast_api.serve(client, [])  # error: INN204
        """,
    )

    FIXES = (
        (
            """
            import fastapi
            import inngest
            import inngest.fast_api

            app = fastapi.FastAPI()
            client = inngest.Inngest(app_id="shop")
            inngest.fast_api.serve(app, client, function=[])
            """,
            """
            import fastapi
            import inngest
            import inngest.fast_api

            app = fastapi.FastAPI()
            client = inngest.Inngest(app_id="shop")
            inngest.fast_api.serve(app, client, functions=[])
            """,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = qualified_call(self.context, node)
        if name not in sdk.SERVE_POSITIONAL_PARAMETERS:
            return
        if has_spread(node):
            return
        short = name.removeprefix(f"{sdk.PACKAGE}.")
        parameters = sdk.SERVE_POSITIONAL_PARAMETERS[name]
        keyword_only = sdk.SERVE_KEYWORD_ONLY_PARAMETERS[name]
        signature = f"{short}({', '.join(parameters)}, *, ...)"
        positional = positional_args(node)
        keywords = {arg.keyword.value: arg for arg in node.args if arg.keyword is not None}
        if len(positional) > len(parameters):
            self.report(
                positional[len(parameters)],
                f"`{short}()` takes {len(parameters)} positional arguments ({signature}) but is given "
                f"{len(positional)}: the app fails to start with a TypeError",
            )
            return
        for keyword, arg in keywords.items():
            if keyword in parameters or keyword in keyword_only:
                continue
            suggestion = closest(keyword, set(parameters) | keyword_only)
            hint = f"; did you mean `{suggestion}=`?" if suggestion else ""
            given = set(keywords) | set(parameters[: len(positional)])
            meant = only_close_match(keyword, set(parameters) | keyword_only)
            self.report(
                arg.keyword or arg,
                f"`{short}()` has no keyword `{keyword}` ({signature}): the app fails to start with a TypeError{hint}",
                fix=self._rename_fix(arg, meant) if meant is not None and meant not in given else None,
            )
        missing = [
            parameter
            for index, parameter in enumerate(parameters)
            if index >= len(positional) and parameter not in keywords
        ]
        if missing:
            hint = (
                f"; the {parameters[0]} comes first"
                if parameters[0] == "app" and len(positional) == len(parameters) - 1 and missing == [parameters[-1]]
                else ""
            )
            self.report(
                node,
                f"`{short}()` is missing {', '.join(f'`{item}`' for item in missing)} ({signature}): the app fails "
                f"to start with a TypeError{hint}",
            )
            return
        if name == sdk.DJANGO_SERVE:
            self._check_django_result(node, short)

    def _rename_fix(self, arg: cst.Arg, meant: str) -> Fix | None:
        if arg.keyword is None:
            return None
        return self.context.fix(f"rename `{arg.keyword.value}=` to `{meant}=`", [(arg.keyword, cst.Name(meant))])

    def _check_django_result(self, node: cst.Call, short: str) -> None:
        frame_body = _bare_statement_calls(self.context.frame.node)
        if id(node) in frame_body:
            self.report(
                node,
                f"the result of `{short}()` is thrown away: it returns the Inngest endpoint's URL pattern, which "
                f"Django routes only once it is in `urlpatterns` (e.g. `urlpatterns = [..., {short.rsplit('.', 1)[0]}"
                f".serve(client, functions)]`)",
            )


def _bare_statement_calls(scope: cst.CSTNode) -> set[int]:
    """ids of calls that are whole expression statements directly in `scope`'s body."""
    body = scope.body if isinstance(scope, cst.Module) else getattr(getattr(scope, "body", None), "body", ())
    found: set[int] = set()
    for statement in body if isinstance(body, (list, tuple)) else ():
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    found.add(id(small.value))
    return found
