"""INN615 handler-signature-for-other-sdk."""

from __future__ import annotations

from collections.abc import Iterator

from inngest_lint import sdk
from inngest_lint.diagnostics import Diagnostic
from inngest_lint.facts.model import HandlerSignature, InngestFunction
from inngest_lint.facts.sdk_version import SdkVersion
from inngest_lint.rules.base import ProjectRule


class HandlerSignatureForOtherSdk(ProjectRule):
    """A handler written for another SDK version than the project uses: every run fails.

    ## What it does
    Finds the Inngest SDK version the project uses and checks each Inngest function's handler
    (and its `on_failure=` handler, when that is a def of the same file) against the way that
    version calls it:
    - SDK 0.3 and 0.4 call `handler(ctx=ctx, step=step)`, by keyword: the handler needs
      parameters named exactly `ctx` and `step` (or `**kwargs`) and no other required one;
    - SDK 0.5 calls `handler(ctx)`: the handler needs one positional parameter and no other
      required one (`step` is `ctx.step`).

    The version comes from, nearest folder first from the handler's file up to the repository
    root: a `uv.lock`, `poetry.lock` or `pdm.lock` entry; an `inngest==X` pin in a
    `requirements*.txt`; a constraint in `pyproject.toml` (`[project].dependencies`, Poetry's
    dependencies) or a requirements file, read as the newest series it allows (`>=0.4,<0.5` is
    0.4, `^0.4` is 0.4, `>=0.4` is the newest); else the `sdk-version` setting. When none of
    these names a version the rule stays silent. The message names the version it assumed and
    where it found it. Handlers with another decorator (which may change the signature) are not
    checked.

    ## Why is this bad?
    The SDK calls the handler the same way on every run, so a handler written for the other
    calling convention raises `TypeError` every time: the run fails after its retries and no
    step ever runs. SDK 0.3 calls `handler(ctx=ctx, step=...)` in `Function.call`
    (`inngest/_internal/function.py`), 0.4 in `ExecutionV0.run`
    (`inngest/_internal/execution_lib/v0.py`), and 0.5 calls `handler(ctx)` in `ExecutionV0.run`
    (same file); `Function.call` picks the `on_failure` handler instead of the main one and
    calls it the same way. Upgrading from 0.4 to 0.5 without changing the handlers, or copying
    a 0.5 example into a 0.4 project, does this.

    """

    code = "INN615"
    name = "handler-signature-for-other-sdk"

    VALID = (
        {
            "requirements.txt": "inngest==0.5.19\n",
            "app/jobs.py": """
                import inngest

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
                async def import_data(ctx: inngest.Context, step: inngest.Step | None = None) -> None:
                    await ctx.step.run("load", load)
            """,
        },
        {
            "requirements.txt": "inngest==0.4.22\n",
            "app/jobs.py": """
                import inngest

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
                async def import_data(ctx: inngest.Context, step: inngest.Step) -> None:
                    await step.run("load", load)
            """,
        },
    )
    INVALID = (
        {
            "requirements.txt": "inngest==0.5.19\n",
            "app/jobs.py": """
                import inngest

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
                async def import_data(ctx: inngest.Context, step: inngest.Step) -> None:  # error: INN615
                    await step.run("load", load)
            """,
        },
        {
            "requirements.txt": "inngest==0.4.22\n",
            "app/jobs.py": """
                import inngest

                client = inngest.Inngest(app_id="app")

                @client.create_function(fn_id="import", trigger=inngest.TriggerEvent(event="app/import"))
                async def import_data(ctx: inngest.Context) -> None:  # error: INN615
                    await ctx.step.run("load", load)
            """,
        },
    )

    def check(self) -> Iterator[Diagnostic]:
        seen: set[tuple[str, int, int]] = set()  # one `on_failure` handler may serve several functions
        for facts in self.index.files:
            for function in facts.functions:
                signatures = [(function.handler_signature, "handler")]
                signatures.append((function.on_failure_signature, "on_failure handler"))
                if all(signature is None for signature, _ in signatures):
                    continue
                version = self.index.sdk_version(function.path)
                if not version.known:
                    continue
                for signature, role in signatures:
                    if signature is None:
                        continue
                    where = (signature.location.path, signature.location.line, signature.location.column)
                    problem = call_problem(signature, version)
                    if problem is not None and where not in seen:
                        seen.add(where)
                        yield self.diagnostic(
                            signature.location,
                            _message(function, signature, role, version, problem),
                            context=f"{role}:{signature.name}",
                        )


def keyword_convention(version: SdkVersion) -> bool:
    """Whether this version calls `handler(ctx=..., step=...)` (0.3, 0.4) rather than `handler(ctx)`."""
    return version.series in sdk.HANDLER_KEYWORD_CALL_VERSIONS


def call_problem(signature: HandlerSignature, version: SdkVersion) -> str | None:
    """The TypeError the SDK's call of this handler raises, or None when the call fits."""
    if keyword_convention(version):
        for name in (sdk.HANDLER_CONTEXT_KEYWORD, sdk.HANDLER_STEP_KEYWORD):
            if name not in signature.keyword and not signature.var_keyword:
                return f"got an unexpected keyword argument '{name}'"
        missing = [
            name for name in signature.required if name not in (sdk.HANDLER_CONTEXT_KEYWORD, sdk.HANDLER_STEP_KEYWORD)
        ]
        if missing:
            return f"missing required argument '{missing[0]}'"
        return None
    if not signature.positional and not signature.var_positional:
        return "takes 0 positional arguments but 1 was given"
    missing = [name for name in signature.required if not signature.positional or name != signature.positional[0]]
    if missing:
        return f"missing required argument '{missing[0]}'"
    return None


def _message(
    function: InngestFunction, signature: HandlerSignature, role: str, version: SdkVersion, problem: str
) -> str:
    if keyword_convention(version):
        call = "`handler(ctx=ctx, step=step)`"
        advice = "take `ctx` and `step` by those names (0.3/0.4), or upgrade to SDK 0.5 and keep one `ctx` parameter"
    else:
        call = "`handler(ctx)`"
        advice = "take only `ctx` and use `ctx.step` (the 0.5 convention)"
    shown = ", ".join(signature.positional or signature.keyword)
    return (
        f"{role} `{signature.name}({shown})` of Inngest function '{function.handler_name}' does not fit "
        f"{version.described()}, which calls it {call}: every run fails with TypeError ({problem}); {advice}"
    )
