"""INN703 parked-function-removed."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Location, Severity
from inngest_lint.facts.index import PreviousVersion, ProjectIndex
from inngest_lint.facts.model import InngestFunction
from inngest_lint.rules._deploy import PARKING_METHODS, DeployRule, full_id, pair_functions


class ParkedFunctionRemoved(DeployRule):
    """A function that sleeps or waits for events was removed, or its `fn_id` changed.

    ## What it does
    With `--since REF`, flags a deployed function that calls `step.sleep`, `step.sleep_until`
    or `step.wait_for_event` when the work tree no longer has it: its `fn_id` changed (the
    function is found again by its Python name; the finding is on the new function), or it is
    gone (the finding is on the serve call of its app, else on the file that defined it). Stays
    silent when the function was not served at the ref, when some function of the work tree has
    an ID the linter cannot settle, and when a file of the work tree does not parse.

    ## Why is this bad?
    A run that sleeps or waits is parked at the Inngest server under the function's ID, which
    the SDK builds as `f"{app_id}-{fn_id}"` (`Inngest.create_function` in
    `inngest/_internal/client_lib/client.py`). When it wakes up, Inngest calls the app for that
    ID. Once the ID is gone from the app, parked runs have no code to resume: they fail, and the
    work after the sleep (the reminder email, the follow-up charge) never happens.

    ## Use instead
    Keep the deployed `fn_id` (a function's display name can change with `name=`), or keep the
    old function served until its runs have finished.
    """

    code = "INN703"
    name = "parked-function-removed"
    severity = Severity.ERROR

    VALID = (
        {
            "before/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="trial-reminder", trigger=inngest.TriggerEvent(event="shop/trial"))
                async def trial_reminder(ctx: inngest.Context) -> None:
                    await ctx.step.sleep("wait", 1_209_600_000)

                app = inngest.fast_api.serve(None, client, [trial_reminder])
                """,
            "after/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="trial-reminder", trigger=inngest.TriggerEvent(event="shop/trial"))
                async def remind_trial_users(ctx: inngest.Context) -> None:
                    await ctx.step.sleep("wait", 1_209_600_000)

                app = inngest.fast_api.serve(None, client, [remind_trial_users])
                """,
        },
    )
    INVALID = (
        {
            "before/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="trial-reminder", trigger=inngest.TriggerEvent(event="shop/trial"))
                async def trial_reminder(ctx: inngest.Context) -> None:
                    await ctx.step.sleep("wait", 1_209_600_000)

                app = inngest.fast_api.serve(None, client, [trial_reminder])
                """,
            "after/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="trial-reminder-v2", trigger=inngest.TriggerEvent(event="shop/trial"))
                async def trial_reminder(ctx: inngest.Context) -> None:  # error: INN703
                    await ctx.step.sleep("wait", 1_209_600_000)

                app = inngest.fast_api.serve(None, client, [trial_reminder])
                """,
        },
    )

    def compare(self, previous: PreviousVersion, current: ProjectIndex) -> Iterator[Diagnostic]:
        old_index = previous.index
        pairing = pair_functions(previous, current)
        for pair in pairing.pairs:
            if pair.by != "name" or not _parks(pair.old):
                continue
            yield self.diagnostic(
                pair.new.location,
                f"function ID {full_id(current, pair.new)!r} replaces the deployed {full_id(old_index, pair.old)!r}, "
                f"which sleeps or waits: runs parked in it cannot resume; keep the fn_id "
                f"{_fn_id(old_index, pair.old)!r}",
                context=full_id(old_index, pair.old),
            )
        if not pairing.removed or _broken_files(current):
            return
        served, served_known = old_index.served_function_keys()
        for function in pairing.removed:
            if not _parks(function) or (served_known and function.key not in served):
                continue
            where = _where_removed(current, old_index, function)
            if where is None:
                continue
            yield self.diagnostic(
                where,
                f"the deployed function {full_id(old_index, function)!r} ({function.handler_name}, "
                f"{self.shown(function.location)} at {previous.ref}) sleeps or waits and is gone: runs parked "
                "in it cannot resume; keep it served until they have finished",
                context=full_id(old_index, function),
            )


def _parks(function: InngestFunction) -> bool:
    return bool(function.waits) or any(step.method in PARKING_METHODS for step in function.steps)


def _fn_id(index: ProjectIndex, function: InngestFunction) -> str:
    values = index.strings(function.fn_id)
    return next(iter(values)) if values and len(values) == 1 else "?"


def _broken_files(index: ProjectIndex) -> bool:
    """Whether some file of the work tree could not be parsed (its functions are unknown)."""
    previous = index.previous
    return previous is not None and bool(previous.unparsed)


def _where_removed(current: ProjectIndex, old_index: ProjectIndex, function: InngestFunction) -> Location | None:
    """Where to report a removed function in the work tree: the serve call of its app, else
    the file that defined it (if it is still there), else nowhere."""
    app = old_index.app_key(function.client)
    if app is not None:
        for _, serve in current.serve_calls():
            if current.app_key(serve.client) == app:
                return serve.location
    facts = current.file_by_path.get(function.path)
    if facts is not None:
        return Location(function.path, 1, 1)
    return None
