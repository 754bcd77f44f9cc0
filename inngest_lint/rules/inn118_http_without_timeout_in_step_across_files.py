"""INN118, the cross-file half (a project rule sharing the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Location, Severity
from inngest_lint.facts.model import Definition
from inngest_lint.rules._project_helpers import CallGraph, Hop
from inngest_lint.rules.base import ProjectRule


def _no_timeout(definition: Definition) -> tuple[str, Location] | None:
    if definition.no_timeout and definition.no_timeout_location is not None:
        return f"calls `{definition.no_timeout}` without `timeout=`", definition.no_timeout_location
    return None


class HttpWithoutTimeoutInStepAcrossFiles(ProjectRule):
    """The project half of http-without-timeout-in-step: a step handler that reaches an HTTP
    call without a timeout through project helpers.

    Followed from the helpers a step handler defined in the function calls (`lambda:
    sync_all(order)`), and from a handler def passed by name (`step.run("sync", sync_all)`):
    through chains of project helpers, across modules, up to `follow-depth` calls deep, their
    `except` handlers included. Reported at the call in the handler, or at the `step.run` call
    for a handler passed by name, naming the chain. A handler def of the same file is the file
    rule's to judge in its own body; the helpers it calls are followed here.
    """

    half_of = "INN118"
    severity = Severity.WARNING

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        graph = CallGraph(index)
        advice = "can hang until the platform kills the step; pass `timeout=` (e.g. `timeout=30`) so it fails fast"
        for function in index.functions:
            for call in function.body_calls:
                if not call.in_step_handler:
                    continue
                target = graph.resolve(call.callee)
                if target is None:
                    continue
                definition, module, _ = target
                chain = graph.follow(Hop(call.label, definition, module), _no_timeout, "no-timeout", error_paths=True)
                if chain is None:
                    continue
                yield self.diagnostic(
                    call.location,
                    f"{chain.text(self.shown, call.label)}, in a step handler of Inngest function "
                    f"'{function.handler_name}': it {advice}",
                    context=call.label,
                    related=(chain.location,),
                )
            for step_run in function.step_runs:
                target = graph.resolve(step_run.handler)
                if target is None:
                    continue
                definition, module, path = target
                label = step_run.handler_label or definition.symbol
                chain = graph.follow(
                    Hop(label, definition, module),
                    _no_timeout,
                    "no-timeout",
                    error_paths=True,
                    skip_own_body=path == function.path,
                )
                if chain is None:
                    continue
                yield self.diagnostic(
                    step_run.location,
                    f"{chain.text(self.shown, label)}, in step '{step_run.step_id}' of Inngest function "
                    f"'{function.handler_name}': it {advice}",
                    context=f"{step_run.step_id}:{label}",
                    related=(chain.location,),
                )
