"""INN701 step-renamed."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.facts.index import PreviousVersion, ProjectIndex
from inngest_lint.facts.model import StepCall
from inngest_lint.rules._deploy import DeployRule, changed_pairs, literal_steps


class StepRenamed(DeployRule):
    """A step ID that the deployed version has is gone, and a new ID stands in its place.

    ## What it does
    With `--since REF`, compares each function with its deployed version (paired by app and
    `fn_id`, or by Python name when the `fn_id` changed). Flags a step call whose ID is new
    when, at the same place among the steps both versions share (between the same unchanged
    step IDs, with the same step method and the same other arguments as written: the same
    handler, lambda, duration or event), exactly one deployed ID disappeared: a rename. Stays
    silent when a function's steps are not all visible (an ID that is not a literal string, the
    context handed to a helper), and for new steps that replace nothing (added at the end, or
    before other steps with an ID of their own).

    ## Why is this bad?
    Inngest finds a finished step's result by its ID: the SDK hashes the ID
    (`StepBase._parse_step_id` in `inngest/_internal/step_lib/base.py`, SHA-1 by
    `transforms.hash_step_id`) and the executor looks the hash up among the run's memoized
    results (`report_step` in `inngest/_internal/execution_lib/v0.py`). A run that started on
    the deployed version and resumes on this one finds no result under the new ID, so the step
    runs again: a card is charged twice, an email sent twice.

    ## Use instead
    Keep the deployed ID: the code around it can change freely, and a new step gets an ID of its
    own.
    """

    code = "INN701"
    name = "step-renamed"
    severity = Severity.ERROR

    VALID = (
        {
            "before/app.py": """
            import inngest

            client = inngest.Inngest(app_id="shop")

            @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/order"))
            async def checkout(ctx: inngest.Context) -> None:
                await ctx.step.run("charge", lambda: None)
                await ctx.step.sleep("wait-a-day", 86_400_000)
            """,
            "after/app.py": """
            import inngest

            client = inngest.Inngest(app_id="shop")

            @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/order"))
            async def checkout(ctx: inngest.Context) -> None:
                await ctx.step.run("charge", lambda: None)  # the deployed ID, kept
                await ctx.step.sleep("wait-a-day", 86_400_000)
                await ctx.step.run("send-receipt", lambda: None)
            """,
        },
        {
            "before/app.py": """
            import inngest

            client = inngest.Inngest(app_id="shop")

            @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/order"))
            async def checkout(ctx: inngest.Context) -> None:
                await ctx.step.run("charge", lambda: None)
            """,
            "after/app.py": """
            import inngest

            client = inngest.Inngest(app_id="shop")

            @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/order"))
            async def checkout(ctx: inngest.Context) -> None:
                await ctx.step.run("reserve", lambda: None)
                await ctx.step.run("charge", lambda: None)
                await ctx.step.run("email", lambda: None)
            """,
        },
    )
    INVALID = (
        {
            "before/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/order"))
                async def checkout(ctx: inngest.Context) -> None:
                    await ctx.step.run("charge", lambda: None)
                    await ctx.step.sleep("wait-a-day", 86_400_000)
                """,
            "after/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="checkout", trigger=inngest.TriggerEvent(event="shop/order"))
                async def checkout(ctx: inngest.Context) -> None:
                    await ctx.step.run("charge-card", lambda: None)  # error: INN701
                    await ctx.step.sleep("wait-a-day", 86_400_000)
                """,
        },
    )

    def compare(self, previous: PreviousVersion, current: ProjectIndex) -> Iterator[Diagnostic]:
        for pair in changed_pairs(previous, current):
            old_steps, new_steps = literal_steps(pair.old), literal_steps(pair.new)
            if old_steps is None or new_steps is None:
                continue
            for old_step, new_step in renames(old_steps, new_steps):
                yield self.diagnostic(
                    new_step.location,
                    f"step ID {old_step.step_id!r} of the deployed version is now {new_step.step_id!r}: "
                    f"runs in flight find no memoized result for {new_step.step_id!r} and run this step "
                    f"again; keep the ID {old_step.step_id!r}",
                    context=f"{old_step.step_id} -> {new_step.step_id}",
                )


def renames(old: tuple[StepCall, ...], new: tuple[StepCall, ...]) -> list[tuple[StepCall, StepCall]]:
    """(deployed step, new step) pairs where one ID took another's place: the only ID gone and
    the only ID added between the same two shared IDs, with the same step method."""
    old_ids = {step.step_id for step in old}
    new_ids = {step.step_id for step in new}
    shared = old_ids & new_ids
    gone = _by_gap(old, shared, old_ids - new_ids)
    added = _by_gap(new, shared, new_ids - old_ids)
    found: list[tuple[StepCall, StepCall]] = []
    for gap, old_steps in gone.items():
        new_steps = added.get(gap, [])
        if len(old_steps) == 1 and len(new_steps) == 1 and _same_work(old_steps[0], new_steps[0]):
            found.append((old_steps[0], new_steps[0]))
    return found


def _same_work(old: StepCall, new: StepCall) -> bool:
    """Whether two calls are one step renamed: the same method given the same arguments (the
    same handler, lambda, duration or event, as written). Another handler is another step."""
    return old.method == new.method and old.arguments == new.arguments


def _by_gap(steps: tuple[StepCall, ...], shared: set[str], wanted: set[str]) -> dict[tuple[str, str], list[StepCall]]:
    """The first call of each wanted ID, grouped by the shared IDs just before and after it."""
    groups: dict[tuple[str, str], list[StepCall]] = {}
    seen: set[str] = set()
    for position, step in enumerate(steps):
        if step.step_id not in wanted or step.step_id in seen:
            continue
        seen.add(step.step_id)
        before = next((s.step_id for s in reversed(steps[:position]) if s.step_id in shared), "")
        after = next((s.step_id for s in steps[position + 1 :] if s.step_id in shared), "")
        groups.setdefault((before, after), []).append(step)
    return groups
