"""INN611 request-signing-disabled-in-code."""

from __future__ import annotations

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Fix, Severity
from inngest_lint.rules._config import qualified_call
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.values import argument, keyword

#: Ways code sets an environment variable: `os.environ[...] = v`, and these calls (name, value).
_ENVIRONMENT_MAPPING = "os.environ"
_SETTER_CALLS = frozenset({"os.environ.setdefault", "os.putenv"})


class RequestSigningDisabledInCode(Rule):
    """`Inngest(is_production=False)` or `INNGEST_DEV` set in code, outside tests.

    ## What it does
    Flags the literal `is_production=False` on `inngest.Inngest(...)` and a truthy literal
    assigned to `INNGEST_DEV` in code (`os.environ["INNGEST_DEV"] = "1"`,
    `os.environ.setdefault(...)`, `os.putenv(...)`), in files that are not tests. A value read
    from the environment or settings (`is_production=os.getenv("ENV") == "production"`) is not
    flagged.

    Off by default: tutorials, examples and local-only apps write `is_production=False` on
    purpose. Turn it on (`extend-select = ["INN611"]`) for services that deploy.

    ## Why is this bad?
    The client's mode decides whether the serve endpoint checks that requests come from Inngest.
    `_get_mode` (`inngest/_internal/client_lib/client.py`) returns Dev Server mode for
    `is_production=False` whatever the environment says, and for a truthy `INNGEST_DEV`; in that
    mode `net.validate_request` and `_validate_sig` (`inngest/_internal/net.py`) return without
    checking the signature. Deployed like that, anyone who can reach the endpoint can run the
    app's functions with any payload. Leave the mode to the environment: set `INNGEST_DEV=1`
    where the Dev Server runs, and nothing in production.

    ## Fix
    Removes the `is_production=False` argument: `_get_mode` then reads `INNGEST_DEV`, and
    without it the client is in Cloud mode and verifies signatures. Unsafe: where the Dev Server
    runs, `INNGEST_DEV=1` must now be set in the environment, or the app asks for a signing key
    and stops talking to the Dev Server. An environment assignment in code gets no fix: whether
    to delete the line or move it to a local-only file is the author's choice.
    """

    code = "INN611"
    name = "request-signing-disabled-in-code"
    severity = Severity.WARNING
    default_enabled = False
    fixable = "unsafe"

    VALID = (
        """
        import os

        import inngest

        client = inngest.Inngest(app_id="shop", is_production=os.getenv("ENV") == "production")
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop", is_production=False)  # error: INN611
        """,
    )

    FIXES = (
        (
            """
            import inngest

            client = inngest.Inngest(app_id="shop", is_production=False)
            other = inngest.Inngest(
                is_production=False,
                app_id="billing",
            )
            """,
            """
            import inngest

            client = inngest.Inngest(app_id="shop")
            other = inngest.Inngest(
                app_id="billing",
            )
            """,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.is_test:
            return
        name = qualified_call(self.context, node)
        if name == sdk.CLIENT_CLASS:
            value = keyword(node, sdk.CLIENT_IS_PRODUCTION_KEYWORD)
            if isinstance(value, cst.Name) and value.value == "False":
                self.report(
                    value,
                    f"`{sdk.CLIENT_IS_PRODUCTION_KEYWORD}=False` puts the client in Dev Server mode wherever it "
                    f"runs, and in that mode the SDK does not verify request signatures: anyone who reaches the "
                    f"endpoint can run its functions; leave it out and set {sdk.DEV_ENVIRONMENT_VARIABLE}=1 in the "
                    f"local environment instead",
                    fix=self._drop_fix(node, value),
                )
            return
        if name in _SETTER_CALLS:
            variable = argument(node, 0, "key")
            value_node = argument(node, 1, "value")
            if variable is not None and value_node is not None:
                self._check_assignment(node, variable, value_node)

    def _drop_fix(self, call: cst.Call, value: cst.BaseExpression) -> Fix | None:
        """The call without its `is_production=False` argument (the one before it takes over the
        removed argument's comma, so a trailing comma stays or goes as it was)."""
        found = [index for index, arg in enumerate(call.args) if arg.value is value]
        if len(found) != 1:
            return None
        index = found[0]
        removed = call.args[index]
        args = [arg for arg in call.args if arg is not removed]
        if index == len(call.args) - 1 and args:
            args[-1] = args[-1].with_changes(comma=removed.comma)
        return self.context.fix(
            f"remove `{sdk.CLIENT_IS_PRODUCTION_KEYWORD}=False`", [(call, call.with_changes(args=args))], safe=False
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.context.is_test:
            return
        for target in node.targets:
            subscript = target.target
            if (
                isinstance(subscript, cst.Subscript)
                and isinstance(subscript.value, (cst.Name, cst.Attribute))
                and self.context.qualify(subscript.value) == _ENVIRONMENT_MAPPING
                and len(subscript.slice) == 1
                and isinstance(subscript.slice[0].slice, cst.Index)
            ):
                self._check_assignment(node, subscript.slice[0].slice.value, node.value)

    def _check_assignment(self, node: cst.CSTNode, variable: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if literal_string(variable) != sdk.DEV_ENVIRONMENT_VARIABLE:
            return
        text = literal_string(value)
        if text is None or text.strip().lower() in sdk.FALSY_ENVIRONMENT_VALUES:
            return
        self.report(
            node,
            f"{sdk.DEV_ENVIRONMENT_VARIABLE} set in code puts every client of the process in Dev Server mode, where "
            f"the SDK does not verify request signatures; set it in the local environment only",
        )
