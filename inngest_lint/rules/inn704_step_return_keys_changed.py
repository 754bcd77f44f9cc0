"""INN704 step-return-keys-changed."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.facts.index import PreviousVersion, ProjectIndex
from inngest_lint.facts.model import InngestFunction, StepCall
from inngest_lint.rules._deploy import DeployRule, pair_functions


class StepReturnKeysChanged(DeployRule):
    """Code reads a key from a step's result that the deployed version of the step did not return.

    ## What it does
    With `--since REF`, compares each `step.run` with the same ID (used once in each version)
    of a function and its deployed version. When both handlers return literal dicts (a lambda,
    a def in the function, or a module-level def; every `return` a dict with literal keys) and
    the function reads `result["key"]` from the variable holding the step's result, flags the
    read of a key that the handler returns now and did not return at the ref. Reads with
    `.get()` are not flagged; nor are variables bound more than once, or handlers whose returns
    are not all literal dicts.

    ## Why is this bad?
    A finished step is not run again: on every later request of the run, the SDK hands back its
    memoized output instead of calling the handler (`Step.run` returns
    `self._client._deserialize(step.output, ...)` in `inngest/_internal/step_lib/step_async.py`,
    the output found by `report_step` in `inngest/_internal/execution_lib/v0.py`). A run that
    finished the step before the deploy gets the old dict, without the new key, and
    `result["key"]` raises `KeyError` on every retry until the run fails.

    ## Use instead
    Read the new key with `.get()` and a default (old results lack it), or return the new data
    from a new step, whose result no old run has memoized.
    """

    code = "INN704"
    name = "step-return-keys-changed"
    severity = Severity.ERROR

    VALID = (
        {
            "before/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="bill", trigger=inngest.TriggerEvent(event="shop/signup"))
                async def bill(ctx: inngest.Context) -> None:
                    user = await ctx.step.run("load-user", lambda: {"id": 1})
                    await ctx.step.run("log", lambda: print(user["id"]))
                """,
            "after/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="bill", trigger=inngest.TriggerEvent(event="shop/signup"))
                async def bill(ctx: inngest.Context) -> None:
                    user = await ctx.step.run("load-user", lambda: {"id": 1, "plan": "pro"})
                    await ctx.step.run("log", lambda: print(user["id"], user.get("plan", "free")))
                """,
        },
    )
    INVALID = (
        {
            "before/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="bill", trigger=inngest.TriggerEvent(event="shop/signup"))
                async def bill(ctx: inngest.Context) -> None:
                    user = await ctx.step.run("load-user", lambda: {"id": 1})
                    await ctx.step.run("log", lambda: print(user["id"]))
                """,
            "after/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="bill", trigger=inngest.TriggerEvent(event="shop/signup"))
                async def bill(ctx: inngest.Context) -> None:
                    user = await ctx.step.run("load-user", lambda: {"id": 1, "plan": "pro"})
                    await ctx.step.run("log", lambda: print(user["id"], user["plan"]))  # error: INN704
                """,
        },
    )

    def compare(self, previous: PreviousVersion, current: ProjectIndex) -> Iterator[Diagnostic]:
        old_index = previous.index
        for pair in pair_functions(previous, current).pairs:
            function_changed = pair.old.path in previous.changed or pair.new.path in previous.changed
            old_steps = _single_runs(pair.old)
            for step_id, new_step in _single_runs(pair.new).items():
                old_step = old_steps.get(step_id)
                if old_step is None or not new_step.result_reads:
                    continue
                if not function_changed and not _handler_changed(current, previous, new_step):
                    continue
                old_keys = returned_keys(old_index, old_step)
                new_keys = returned_keys(current, new_step)
                if old_keys is None or new_keys is None or old_keys == new_keys:
                    continue
                reported: set[str] = set()
                for read in new_step.result_reads:
                    if read.key in old_keys or read.key not in new_keys or read.key in reported:
                        continue
                    reported.add(read.key)
                    yield self.diagnostic(
                        read.location,
                        f"step {step_id!r} now returns {read.key!r}, which the deployed version did not: runs "
                        f"that finished the step before this deploy get its old result, and [{read.key!r}] "
                        f"raises KeyError; use .get({read.key!r}) or return the new data from a new step",
                        context=f"{step_id}[{read.key}]",
                    )


def _single_runs(function: InngestFunction) -> dict[str, StepCall]:
    """`step.run` calls by ID, for IDs used once in the function (not in a loop)."""
    counts: dict[str, int] = {}
    for step in function.steps:
        if step.step_id:
            counts[step.step_id] = counts.get(step.step_id, 0) + (2 if step.in_loop else 1)
    return {
        step.step_id: step
        for step in function.steps
        if step.method == "run" and step.step_id and counts[step.step_id] == 1
    }


def _handler_changed(current: ProjectIndex, previous: PreviousVersion, step: StepCall) -> bool:
    """Whether the module-level handler of a step lives in a file this change touches."""
    if step.handler.kind != "symbol":
        return False
    resolved = current.resolve(step.handler)
    return resolved.kind != "definition" or resolved.path in previous.changed


def returned_keys(index: ProjectIndex, step: StepCall) -> frozenset[str] | None:
    """The keys a step's handler returns: recorded with the step (a lambda, a def in the
    function), or the resolved module-level handler's."""
    if step.returned_keys is not None:
        return frozenset(step.returned_keys)
    if step.handler.kind != "symbol":
        return None
    definition = index.definition_for(step.handler)
    if definition is None or definition.returned_keys is None:
        return None
    return frozenset(definition.returned_keys)
