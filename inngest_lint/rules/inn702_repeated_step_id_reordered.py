"""INN702 repeated-step-id-reordered."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Severity
from inngest_lint.facts.index import PreviousVersion, ProjectIndex
from inngest_lint.facts.model import StepCall
from inngest_lint.rules._deploy import DeployRule, changed_pairs, literal_steps


class RepeatedStepIdReordered(DeployRule):
    """Calls that share a step ID were removed or reordered, so their `:N` suffixes shift.

    ## What it does
    With `--since REF`, compares each function with its deployed version. For every step ID
    that is called more than once (or in a loop) in either version, it lists that ID's calls in
    order (step method, other arguments as written, whether in a loop). Calls added after the deployed ones are
    safe; anything else (a call removed before others, two calls swapped, a new call before the
    deployed ones) is flagged at the first call whose place changed. Stays silent when a
    function's steps are not all visible (an ID that is not a literal string, the context handed
    to a helper), and when the calls cannot be told apart (the same arguments).

    ## Why is this bad?
    The SDK counts each ID's uses within a run (`StepIDCounter` in
    `inngest/_internal/step_lib/base.py`, a new counter per request in
    `inngest/_internal/comm_lib/handler.py`), and `StepBase._parse_step_id` hashes the n-th use
    of `"fetch"` as `"fetch:{n-1}"` (the first use as `"fetch"`). Memoized results are found by
    that hash (`report_step` in `inngest/_internal/execution_lib/v0.py`). Remove or reorder the
    calls and a run in flight hands each call the result another call memoized: the shipping
    label is returned where the invoice was expected, and no error says so.

    ## Use instead
    Keep the deployed calls in their order and add new calls after them; give calls that are
    different work IDs of their own in the next change that no run in flight can reach.
    """

    code = "INN702"
    name = "repeated-step-id-reordered"
    severity = Severity.ERROR

    VALID = (
        {
            "before/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="shop/sync"))
                async def sync(ctx: inngest.Context) -> None:
                    await ctx.step.run("fetch", fetch_invoice)
                    await ctx.step.run("fetch", fetch_label)

                async def fetch_invoice() -> None: ...
                async def fetch_label() -> None: ...
                """,
            "after/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="shop/sync"))
                async def sync(ctx: inngest.Context) -> None:
                    await ctx.step.run("fetch", fetch_invoice)
                    await ctx.step.run("fetch", fetch_label)
                    await ctx.step.run("fetch", fetch_receipt)

                async def fetch_invoice() -> None: ...
                async def fetch_label() -> None: ...
                async def fetch_receipt() -> None: ...
                """,
        },
    )
    INVALID = (
        {
            "before/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="shop/sync"))
                async def sync(ctx: inngest.Context) -> None:
                    await ctx.step.run("fetch", fetch_invoice)
                    await ctx.step.run("fetch", fetch_label)

                async def fetch_invoice() -> None: ...
                async def fetch_label() -> None: ...
                """,
            "after/app.py": """
                import inngest

                client = inngest.Inngest(app_id="shop")

                @client.create_function(fn_id="sync", trigger=inngest.TriggerEvent(event="shop/sync"))
                async def sync(ctx: inngest.Context) -> None:
                    await ctx.step.run("fetch", fetch_label)  # error: INN702

                async def fetch_invoice() -> None: ...
                async def fetch_label() -> None: ...
                """,
        },
    )

    def compare(self, previous: PreviousVersion, current: ProjectIndex) -> Iterator[Diagnostic]:
        for pair in changed_pairs(previous, current):
            old_steps, new_steps = literal_steps(pair.old), literal_steps(pair.new)
            if old_steps is None or new_steps is None:
                continue
            for step_id in dict.fromkeys(step.step_id for step in old_steps):
                moved = shifted_call(
                    [s for s in old_steps if s.step_id == step_id], [s for s in new_steps if s.step_id == step_id]
                )
                if moved is None:
                    continue
                yield self.diagnostic(
                    moved.location,
                    f"the calls with step ID {step_id!r} were removed or reordered since the deployed version: "
                    f"the SDK numbers repeated IDs by call order ({step_id!r}, '{step_id}:1', ...), so runs in "
                    "flight hand this call the memoized result of another; keep the deployed calls in their "
                    "order and add new ones after them",
                    context=step_id,
                )


def shifted_call(old: list[StepCall], new: list[StepCall]) -> StepCall | None:
    """The first new call of one ID whose place in that ID's sequence changed, or None when the
    change is safe or cannot be told (see the rule's docs)."""
    repeated = len(old) > 1 or len(new) > 1 or any(step.in_loop for step in (*old, *new))
    if not repeated or not new:
        return None
    old_work = {step.arguments for step in old}
    if len(old_work) == len(old) > 1 and {step.arguments for step in new} <= old_work:
        # The deployed calls differ in their arguments and no call is new work: they are told
        # apart by their arguments.
        first = _first_difference(
            [(s.method, s.arguments, s.in_loop) for s in old], [(s.method, s.arguments, s.in_loop) for s in new]
        )
    else:
        first = _first_difference([(s.method, "", s.in_loop) for s in old], [(s.method, "", s.in_loop) for s in new])
    return new[first] if first is not None and first < len(new) else None


def _first_difference(old: list[tuple[str, str, bool]], new: list[tuple[str, str, bool]]) -> int | None:
    """Where `new` stops agreeing with `old`, unless one is a prefix of the other (calls added
    after, or removed from the end: every remaining call keeps its number)."""
    for position, (before, after) in enumerate(zip(old, new)):
        if before != after:
            return position
    return None
