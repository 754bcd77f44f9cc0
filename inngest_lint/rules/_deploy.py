"""What the deploy-safety rules (INN7xx) share: two versions of the project, and their functions
paired across them.

Runs of an Inngest function live across deploys: a run sleeping for three days wakes up on
whatever code is deployed then, and finds its finished steps' results by step ID. So a change is
judged against the version that is deployed (`--since REF`, see `inngest_lint/since.py`):
`DeployRule.check` hands each rule the index at the ref and the index of the work tree, and is
silent without a ref.

Functions are paired as Inngest identifies them: by app and `fn_id` (the SDK's function ID is
`f"{app_id}-{fn_id}"`, `Inngest.create_function` in `inngest/_internal/client_lib/client.py`),
falling back to the Python name when the `fn_id` changed. Anything less than certain (an ID the
index cannot settle, two functions with one ID, a factory) leaves the function unpaired and the
rules silent about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from inngest_lint.diagnostics import Diagnostic
from inngest_lint.facts.index import PreviousVersion, ProjectIndex
from inngest_lint.facts.model import Client, InngestFunction, StepCall
from inngest_lint.rules.base import ProjectRule

#: Step methods whose run is parked at the Inngest server (a sleep, a wait for an event).
PARKING_METHODS = frozenset({"sleep", "sleep_until", "wait_for_event"})


@dataclass(frozen=True)
class FunctionPair:
    """One function in both versions; `by` is "fn_id" or "name" (the `fn_id` changed)."""

    old: InngestFunction
    new: InngestFunction
    by: str


@dataclass(frozen=True)
class Pairing:
    pairs: tuple[FunctionPair, ...]
    # Deployed functions with no counterpart in the work tree, when the pairing is certain that
    # none exists (every function of the work tree has a known ID).
    removed: tuple[InngestFunction, ...]


def _identity(index: ProjectIndex, function: InngestFunction) -> tuple[str | None, str] | None:
    """(app key, fn_id) when the fn_id is one known string; the app may be unknown (None)."""
    values = index.strings(function.fn_id)
    if not values or len(values) != 1:
        return None
    return index.app_key(function.client), next(iter(values))


def _same_identity(previous: PreviousVersion, current: ProjectIndex, function: InngestFunction) -> bool:
    """For a function whose facts are the same object in both versions: whether its app and
    fn_id are certainly the same (a literal fn_id, a client with a literal app_id in a file that
    did not change)."""
    if function.fn_id.kind != "str" or function.path in previous.changed:
        return False
    resolved = current.resolve(function.client)
    return (
        resolved.kind == "client"
        and isinstance(resolved.value, Client)
        and resolved.value.app_id.kind == "str"
        and resolved.path not in previous.changed
        and (function.client.value.rsplit(".", 1)[0] == resolved.module or resolved.path == function.path)
    )


def _python_name(function: InngestFunction) -> str:
    return function.symbol or function.handler_name


def _candidates(index: ProjectIndex) -> list[InngestFunction]:
    """Functions that are deployed as written: not in tests, not made by a factory."""
    return [fn for fn in index.functions if not fn.in_factory and not index.file_by_path[fn.path].is_test]


def pair_functions(previous: PreviousVersion, current: ProjectIndex) -> Pairing:
    """Pair the deployed functions with the work tree's (computed once per run)."""
    memo = previous.memo.get("pairing")
    if isinstance(memo, Pairing):
        return memo
    old_index = previous.index
    new_functions = _candidates(current)
    new_by_identity: dict[tuple[str | None, str], list[InngestFunction]] = {}
    new_by_fn_id: dict[str, list[InngestFunction]] = {}
    uncertain = False
    for function in new_functions:
        identity = _identity(current, function)
        if identity is None:
            uncertain = True
            continue
        new_by_identity.setdefault(identity, []).append(function)
        new_by_fn_id.setdefault(identity[1], []).append(function)
    old_functions = _candidates(old_index)
    old_fn_ids = {fn_id for function in old_functions for fn_id in old_index.strings(function.fn_id) or ()}
    # A file with the same bytes at the ref gives the run's own facts objects: such a function is
    # itself, and its ID is the same when it is a literal and its client's file is unchanged too
    # (no resolution in the ref's index, whose caches are cold).
    same_objects = {id(function): function for function in new_functions}
    pairs: list[FunctionPair] = []
    unmatched: list[InngestFunction] = []
    used: set[str] = set()
    for function in old_functions:
        twin = same_objects.get(id(function))
        if twin is not None and _same_identity(previous, current, twin):
            pairs.append(FunctionPair(function, twin, "fn_id"))
            used.add(twin.key)
            continue
        identity = _identity(old_index, function)
        if identity is None:
            continue
        same = new_by_identity.get(identity, [])
        if not same and identity[0] is not None:
            # The app is known on one side only (a client the index could not settle).
            same = [fn for fn in new_by_fn_id.get(identity[1], []) if current.app_key(fn.client) is None]
        if len(same) == 1:
            pairs.append(FunctionPair(function, same[0], "fn_id"))
            used.add(same[0].key)
        elif not same:
            unmatched.append(function)
    removed: list[InngestFunction] = []
    for function in unmatched:
        name = _python_name(function)
        # The Python name, for a function whose fn_id is new in the work tree.
        renamed = [
            fn
            for fn in new_functions
            if fn.key not in used
            and _python_name(fn) == name
            and (identity := _identity(current, fn)) is not None
            and identity[1] not in old_fn_ids
        ]
        if len(renamed) == 1 and sum(1 for fn in old_functions if _python_name(fn) == name) == 1:
            pairs.append(FunctionPair(function, renamed[0], "name"))
            used.add(renamed[0].key)
        elif not renamed and not uncertain:
            removed.append(function)
    pairing = Pairing(tuple(pairs), tuple(removed))
    previous.memo["pairing"] = pairing
    return pairing


def changed_pairs(previous: PreviousVersion, current: ProjectIndex) -> list[FunctionPair]:
    """The pairs whose function's file changed (or that moved): in a file with the same bytes at
    the ref, a function has the same facts, and nothing of it can have changed."""
    changed = previous.changed
    return [
        pair
        for pair in pair_functions(previous, current).pairs
        if pair.old.path in changed or pair.new.path in changed or pair.old.path != pair.new.path
    ]


def full_id(index: ProjectIndex, function: InngestFunction) -> str:
    """The function's ID as Inngest knows it (`app_id-fn_id`), or its fn_id alone."""
    values = index.strings(function.fn_id)
    fn_id = next(iter(values)) if values and len(values) == 1 else "?"
    app_id = index.app_id_of(function)
    return f"{app_id}-{fn_id}" if app_id else fn_id


def literal_steps(function: InngestFunction) -> tuple[StepCall, ...] | None:
    """The function's steps when every one is known: all in its body (none handed to a
    helper) and every ID a literal string; None otherwise."""
    if not function.steps_complete or any(not step.step_id for step in function.steps):
        return None
    return function.steps


class DeployRule(ProjectRule):
    """A project rule over two versions: silent unless the run has a ref (`--since`)."""

    def check(self) -> Iterable[Diagnostic]:
        previous = self.index.previous
        if previous is None:
            return []
        return list(self.compare(previous, self.index))

    def compare(self, previous: PreviousVersion, current: ProjectIndex) -> Iterable[Diagnostic]:
        raise NotImplementedError
