"""INN203 duplicate-function-id."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.facts.model import InngestFunction
from inngest_lint.rules.base import ProjectRule


class DuplicateFunctionId(ProjectRule):
    """Two Inngest functions of the same app with the same `fn_id`.

    ## What it does
    Flags the second of two Inngest functions whose clients have the same `app_id` (or are the
    same client) and whose `fn_id` is the same string, pointing to the first. Clients are
    resolved as each file imports them, so two services that each have an `app/client.py` are
    two apps. Functions in test files, functions created in factories, and functions whose
    client cannot be resolved to one project client are not compared.

    ## Why is this bad?
    A function's full ID is `"{app_id}-{fn_id}"`. The SDK keys served functions by that ID, so
    the later one silently replaces the earlier one: one of the two handlers never runs.
    """

    code = "INN203"
    name = "duplicate-function-id"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="sync-crm", trigger=inngest.TriggerEvent(event="crm/sync"))
        def sync_crm(ctx): ...

        @client.create_function(fn_id="sync-erp", trigger=inngest.TriggerEvent(event="erp/sync"))
        def sync_erp(ctx): ...
        """,
        """
        import inngest

        crm = inngest.Inngest(app_id="crm")
        erp = inngest.Inngest(app_id="erp")

        @crm.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="crm/sync"))
        def sync_crm(ctx): ...

        @erp.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="erp/sync"))
        def sync_erp(ctx): ...
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="app")

        @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="crm/sync"))
        def sync_crm(ctx): ...

        @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="erp/sync"))
        def sync_erp(ctx): ...  # error: INN203
        """,
    )

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        seen: dict[tuple[str, str], InngestFunction] = {}
        ordered = sorted(index.functions, key=lambda f: (f.path, f.location.line))
        for function in ordered:
            if function.in_factory:
                continue
            file_facts = index.file_by_path.get(function.path)
            if file_facts is not None and file_facts.is_test:
                continue
            ids = index.strings(function.fn_id)
            if not ids or len(ids) != 1:
                continue
            fn_id = next(iter(ids))
            app_key = index.app_key(function.client)
            if app_key is None:
                continue  # a client we cannot tell apart from another app's
            app_id = index.app_id_of(function)
            first = seen.setdefault((app_key, fn_id), function)
            if first is function:
                continue
            app = f" in app '{app_id}'" if app_id else ""
            yield self.diagnostic(
                function.location,
                f"function ID '{fn_id}'{app} is already used by '{first.handler_name}' at "
                f"{self.shown(first.location)}; the later function silently replaces the earlier one, "
                f"so give each a unique fn_id",
                context=fn_id,
                related=(first.location,),
                caused_by=first.location,
            )
