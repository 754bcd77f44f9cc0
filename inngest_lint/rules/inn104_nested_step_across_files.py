"""INN104, the cross-file half (a project rule under the file rule's code and docs).

Kept in its own module, free of libcst, so that a warm run whose every file comes from the cache
runs phase 2 without importing libcst.
"""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint.diagnostics import Diagnostic, Location
from inngest_lint.facts.model import Definition
from inngest_lint.rules._project_helpers import (
    CallGraph,
    Hop,
    called_helpers,
    helper_named,
    imported_step_handlers,
)
from inngest_lint.rules.base import ProjectRule


def _steps(definition: Definition) -> tuple[str, Location] | None:
    return ("makes a step call", definition.step_call) if definition.step_call is not None else None


class NestedStepAcrossFiles(ProjectRule):
    """The cross-file half of INN104 (`NestedStep`, whose docs and examples cover both halves):
    the project helpers that its docs say are followed, read from the project index.

    Split with the file rule so that no call is reported twice: an imported `step.run` handler
    is this half's (at the `step.run`), and so is a helper called from a step handler unless the
    handler is a lambda calling a def of the same file that makes the step call itself, which the
    file rule follows. Helpers are followed through the project call graph, up to `follow-depth`
    calls deep.
    """

    half_of = "INN104"

    def check(self) -> Iterator[Diagnostic]:
        index = self.index
        graph = CallGraph(index)
        advice = (
            "nested steps are not supported and fail the run with a non-retriable error; call that step from "
            "the function body instead"
        )
        for function in index.functions:
            for step_run, definition in imported_step_handlers(index, function):
                module = index.resolve(step_run.handler).module
                chain = graph.follow(Hop(definition.symbol, definition, module), _steps, "step")
                if chain is None:
                    continue
                if len(chain.hops) == 1:
                    text = (
                        f"step '{step_run.step_id}' runs '{definition.symbol}', which makes a step call itself "
                        f"({self.shown(chain.location)})"
                    )
                else:
                    text = f"step '{step_run.step_id}' runs {chain.text(self.shown, definition.symbol)}"
                yield Diagnostic.at(
                    step_run.location,
                    self.code,
                    f"{text}: {advice}",
                    context=step_run.step_id,
                    related=(chain.location,),
                    caused_by=chain.location,
                )
            for helper in called_helpers(index, function):
                call, definition = helper.call, helper.definition
                if not call.in_step_handler:
                    continue
                chain = graph.follow(Hop(call.label, definition, helper.module), _steps, "step")
                if chain is None:
                    continue
                if len(chain.hops) == 1:
                    if call.lambda_body and helper.module == function.module and "." not in call.label:
                        continue  # `lambda: helper(ctx)` with a def of the same file: the file rule's
                    text = (
                        f"calls {helper_named(call, definition, self.shown(definition.location))}, which makes a "
                        f"step call ({self.shown(chain.location)})"
                    )
                else:
                    text = f"calls '{call.label}', and {chain.text(self.shown, call.label)}"
                yield Diagnostic.at(
                    call.location,
                    self.code,
                    f"a step handler in Inngest function '{function.handler_name}' {text}: {advice}",
                    context=call.label,
                    related=(chain.location,),
                    caused_by=chain.location,
                )
