"""The fact collector: a visitor in the same walk as the file rules that records, never reports.

It turns what one file says about Inngest (clients, functions and their options, event sends,
waits, serve lists, step handlers and their returns, module constants and imports) into the
picklable `FileFacts` that phase 2 merges. For following project helpers across files it also
records the calls each Inngest function makes to module-level names (in its re-run body and its
step handlers), and what each module-level def's own body does: a step call, a broad `except`
that swallows failures, a side effect. Those answers come from the replay rules' shared code
(`semantic/replay.py`), so a helper is judged exactly as INN109 and INN117 judge a body.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from inngest_lint import sdk
from inngest_lint.diagnostics import Location
from inngest_lint.facts.model import (
    LIST_ITEM_PLACEHOLDER,
    MAX_HELPER_CALLS,
    UNKNOWN,
    BodyCall,
    CelString,
    Client,
    ClientSend,
    Definition,
    Effect,
    EventSend,
    FileFacts,
    FunctionList,
    HandlerSignature,
    HelperCall,
    InngestFunction,
    Invoke,
    InvokeById,
    KeyRead,
    Ref,
    ReturnedCall,
    ReturnedValue,
    ServeCall,
    StepCall,
    StepRun,
    Trigger,
    Wait,
)
from inngest_lint.semantic.context import FileContext, InngestFunctionInfo
from inngest_lint.semantic.edits import EditMaker, with_list_element
from inngest_lint.semantic.large_returns import returned_values_of
from inngest_lint.semantic.names import dotted_name, iter_string_parts, literal_string
from inngest_lint.semantic.replay import (
    MissingTimeouts,
    ReplayBody,
    SideEffects,
    StepHandlers,
    call_label,
    long_sleep,
    swallowing_handlers,
    tail_trys,
    unwrap_await,
)
from inngest_lint.semantic.replay_flow import is_plan_call, makes_step_call
from inngest_lint.semantic.traverse import children
from inngest_lint.semantic.values import (
    ListParts,
    add_mutations,
    argument,
    callable_ref,
    data_shape,
    evaluate,
    evaluate_list,
    keyword,
    returned_calls_of,
    returned_dict_keys,
)


@dataclass
class _FunctionBuilder:
    info: InngestFunctionInfo
    node: cst.FunctionDef
    waits: list[Wait] = field(default_factory=list)
    invokes: list[Invoke] = field(default_factory=list)
    invokes_by_id: list[InvokeById] = field(default_factory=list)
    step_runs: list[StepRun] = field(default_factory=list)
    local_def_returns: dict[str, tuple[ReturnedValue, ...]] = field(default_factory=dict)
    local_def_returned_calls: dict[str, tuple[ReturnedCall, ...]] = field(default_factory=dict)
    key: str = ""
    body_calls: list[BodyCall] = field(default_factory=list)
    makes_step_call: bool = False
    steps: list[StepCall] = field(default_factory=list)
    steps_complete: bool = True
    # Returned dict keys of the nested defs used as step handlers, by name.
    local_def_keys: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    # id of a step call whose value is assigned to a plain name -> the name; step index -> name.
    pending_results: dict[int, str] = field(default_factory=dict)
    step_results: dict[int, str] = field(default_factory=dict)
    # How often each plain name is assigned in the function, and `name["key"]` reads.
    assignments: dict[str, int] = field(default_factory=dict)
    key_reads: list[tuple[str, KeyRead]] = field(default_factory=list)


@dataclass
class _DefinitionBuilder:
    """A module-level def or method being walked: what its own body does (nested defs and
    lambdas are theirs), filled in while the walk is inside it and written into its Definition
    when the walk leaves it."""

    node: cst.FunctionDef
    index: int  # of its Definition in FactCollector.definitions
    except_depth: int = 0  # the collector's except-handler depth at the def
    tails: set[int] | None = None
    generator: bool = False
    swallows: Location | None = None
    swallows_as: str = ""
    effect: Effect | None = None
    client_send: ClientSend | None = None
    no_timeout: str = ""
    no_timeout_location: Location | None = None
    sleep: str = ""
    sleep_location: Location | None = None
    calls: list[HelperCall] = field(default_factory=list)
    returned_calls: tuple[ReturnedCall, ...] = ()


def cel_string(
    context: FileContext, node: cst.BaseExpression, option: str, async_event: Ref | None
) -> CelString | None:
    """A CEL option's literal string with enough position data to point inside it."""
    text = literal_string(node)
    if text is None:
        return None
    location = context.location(node)
    parts = iter_string_parts(node)
    exact = False
    content_column = location.column
    if parts is not None and len(parts) == 1:
        part = parts[0]
        quote = part.quote
        raw_body = part.value[len(part.prefix) + len(quote) : len(part.value) - len(quote)]
        content_column = location.column + len(part.prefix) + len(quote)
        exact = "\\" not in raw_body and "\n" not in raw_body and raw_body == text
    return CelString(text, option, location, async_event, content_column, exact)


def literal_code(context: FileContext, node: cst.BaseExpression) -> str:
    """The source of `node` when it is one plain string literal, else "" (see Trigger.literal)."""
    return context.tree.code_for_node(node) if isinstance(node, cst.SimpleString) and not node.lpar else ""


def list_code(context: FileContext, node: cst.BaseExpression | None) -> tuple[str, str]:
    """The source of a list display without `*` elements, and the same list with one more
    element (see FunctionList.code and .extended); ("", "") for anything else."""
    if not isinstance(node, cst.List) or any(isinstance(element, cst.StarredElement) for element in node.elements):
        return "", ""
    code = context.tree.code_for_node(node)
    if LIST_ITEM_PLACEHOLDER in code:
        return "", ""
    extended = context.tree.code_for_node(with_list_element(node, cst.Name(LIST_ITEM_PLACEHOLDER)))
    return code, extended


class FactCollector:
    """Records facts while the walker visits the module (methods mirror libcst's visit_ names)."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.functions: list[InngestFunction] = []
        self.clients: list[Client] = []
        self.serves: list[ServeCall] = []
        self.sends: list[EventSend] = []
        self.definitions: list[Definition] = []
        self._builders: list[_FunctionBuilder] = []
        self._definition_builders: list[_DefinitionBuilder] = []
        # Shared with the replay rules, so "the body", "a step handler" and "a side effect"
        # mean here what they mean to INN109 and INN117.
        self._replay = ReplayBody(context)
        self._handlers = StepHandlers(context)
        self._effects = SideEffects(context)
        self._timeouts = MissingTimeouts(context, self._effects.origins)
        # Calls that a `return` statement returns (`return helper()`, `return await helper()`).
        self._returned_calls: set[int] = set()
        # Depth inside decorators, parameter lists and annotations: evaluated when the def is
        # created, not when its body runs.
        self._header_depth = 0
        # Depth inside `except` handlers: a helper's side effect on its error path only is not
        # what the helper does.
        self._except_depth = 0
        self.mentions_inngest = False
        self._targets: dict[int, str] | None = None

    # ---------------------------------------------------------------- functions
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        context = self.context
        frame = context.frame
        self._replay.visit_FunctionDef(node)
        if frame.inngest is not None:
            if frame.inngest.symbol != node.name.value and len(context.frames) == 2:
                # Call form: `fn = client.create_function(...)(handler)`; `handler` itself is not
                # the Function, and serving it is a mistake the served-object rule names.
                self.definitions.append(Definition(node.name.value, "inngest-handler", context.location(node.name)))
            builder = _FunctionBuilder(frame.inngest, node)
            builder.key = f"{context.path}:{context.location(node.name).line}"
            self._builders.append(builder)
            return
        parent = context.frames[-2] if len(context.frames) >= 2 else None
        kind = "async def" if node.asynchronous is not None else "def"
        if parent is not None and parent.kind == "module":
            self.definitions.append(
                Definition(
                    node.name.value,
                    kind,
                    context.location(node.name),
                    returned_values_of(context, node),
                    self._first_step_call(node),
                    bool(node.decorators),
                    returned_keys=returned_dict_keys(context, node),
                )
            )
            self._definition_builders.append(
                _DefinitionBuilder(
                    node,
                    len(self.definitions) - 1,
                    self._except_depth,
                    returned_calls=returned_calls_of(context, node),
                )
            )
        elif parent is not None and parent.kind == "class" and len(context.frames) == 3:
            self.definitions.append(
                Definition(
                    f"{parent.node.name.value}.{node.name.value}",  # type: ignore[attr-defined]
                    kind,
                    context.location(node.name),
                    returned_values_of(context, node),
                    self._first_step_call(node),
                    bool(node.decorators),
                    returned_keys=returned_dict_keys(context, node),
                )
            )
            self._definition_builders.append(
                _DefinitionBuilder(
                    node,
                    len(self.definitions) - 1,
                    self._except_depth,
                    returned_calls=returned_calls_of(context, node),
                )
            )
        if self._builders and frame.is_step_handler:
            self._builders[-1].local_def_returns[node.name.value] = returned_values_of(context, node)
            self._builders[-1].local_def_returned_calls[node.name.value] = returned_calls_of(context, node)
            self._builders[-1].local_def_keys[node.name.value] = returned_dict_keys(context, node)

    def _first_step_call(self, node: cst.FunctionDef) -> Location | None:
        """Where a module-level def makes its first step call, through an annotated context or
        step parameter (`def helper(ctx: inngest.Context)`), or None. Called with the def's frame
        pushed, so `step_method` sees its parameters."""
        if not (self.context.frame.ctx_names or self.context.frame.step_names):
            return None
        stack: list[cst.CSTNode] = [node.body]
        while stack:
            current = stack.pop()
            if type(current) is cst.Call and self.context.step_method(current) is not None:
                return self.context.location(current)
            if type(current) in (cst.FunctionDef, cst.ClassDef):
                continue
            stack.extend(reversed(children(current)))
        return None

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._definition_builders and self._definition_builders[-1].node is node:
            self._finish_definition(self._definition_builders.pop())
        if self._replay.functions and self._replay.functions[-1].node is node:
            steps = self._replay.functions[-1].step_calls
            if self._builders and self._builders[-1].node is node:
                self._builders[-1].makes_step_call = steps > 0
        self._replay.leave_FunctionDef(node)
        if not self._builders or self._builders[-1].node is not node:
            return
        builder = self._builders.pop()
        self.functions.append(self._finish_function(builder))

    # ---------------------------------------------------------------- what a helper's body does
    def _open_definition(self) -> _DefinitionBuilder | None:
        """The module-level def or method whose own body holds the current node (not a nested
        def or lambda in it, not its decorators, parameters or annotations), else None."""
        if not self._definition_builders or self._header_depth:
            return None
        current = self._definition_builders[-1]
        return current if self.context.frame.node is current.node else None

    def _note_effect(self, definition: _DefinitionBuilder, node: cst.Call) -> None:
        if definition.effect or self._except_depth > definition.except_depth:
            return
        effect = self._effects.of(node)
        if effect is not None:
            definition.effect = Effect(
                effect.kind, effect.system, effect.action, effect.label, self.context.location(node)
            )
            return
        func = node.func
        if (
            definition.client_send is None
            and isinstance(func, cst.Attribute)
            and func.attr.value in sdk.CLIENT_SEND_METHODS
            and isinstance(func.value, (cst.Name, cst.Attribute))
        ):
            qualified = self.context.qualify(func.value)
            if qualified is not None:
                definition.client_send = ClientSend(
                    Ref.symbol(qualified, self.context.path),
                    self.context.location(node),
                    call_label(self.context, node),
                )

    def _note_helper_call(self, definition: _DefinitionBuilder, node: cst.Call) -> None:
        """Record an edge of the call graph (a call of a module-level name of the project), and
        the def's first HTTP call without a timeout."""
        context = self.context
        if not definition.no_timeout and self._timeouts.of(node):
            definition.no_timeout = call_label(context, node)
            definition.no_timeout_location = context.location(node)
        in_except = self._except_depth > definition.except_depth
        if not definition.sleep and not in_except:
            sleep = long_sleep(context, node)
            if sleep is not None:
                definition.sleep = sleep
                definition.sleep_location = context.location(node)
        func = node.func
        if len(definition.calls) >= MAX_HELPER_CALLS or not isinstance(func, (cst.Name, cst.Attribute)):
            return
        if context.step_method(node) is not None:
            return
        callee = callable_ref(context, func)
        if callee.kind != "symbol" or callee.value.split(".", 1)[0] == sdk.PACKAGE:
            return
        definition.calls.append(
            HelperCall(
                callee,
                context.location(node),
                dotted_name(func) or "",
                in_except,
            )
        )

    def visit_Try(self, node: cst.Try) -> None:
        definition = self._open_definition()
        if definition is None or definition.swallows is not None:
            return
        context = self.context
        if definition.tails is None:
            definition.tails = tail_trys(definition.node)
        in_loop = bool(context.loop_frames())
        for swallowing in swallowing_handlers(context, node, in_loop=in_loop, at_tail=id(node) in definition.tails):
            if makes_step_call(context, swallowing.handler.body):
                continue  # a compensating step: the run's history shows the handling
            definition.swallows = context.location(swallowing.handler)
            definition.swallows_as = swallowing.caught
            return

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._except_depth += 1

    def leave_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._except_depth -= 1

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self._except_depth += 1

    def leave_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self._except_depth -= 1

    def visit_Yield(self, node: cst.Yield) -> None:
        definition = self._open_definition()
        if definition is not None:
            definition.generator = True

    def _finish_definition(self, definition: _DefinitionBuilder) -> None:
        if definition.generator:
            return  # calling a generator runs none of its body
        if not _plain_decorators(definition.node):
            return  # a decorator may cache, retry, defer or wrap what the body does
        recorded = self.definitions[definition.index]
        self.definitions[definition.index] = replace(
            recorded,
            swallows=definition.swallows,
            swallows_as=definition.swallows_as,
            effect=definition.effect,
            client_send=definition.client_send,
            no_timeout=definition.no_timeout,
            no_timeout_location=definition.no_timeout_location,
            sleep=definition.sleep,
            sleep_location=definition.sleep_location,
            returned_calls=definition.returned_calls,
            calls=tuple(definition.calls),
        )

    def visit_Decorator(self, node: cst.Decorator) -> None:
        self._header_depth += 1

    def leave_Decorator(self, node: cst.Decorator) -> None:
        self._header_depth -= 1

    def visit_Parameters(self, node: cst.Parameters) -> None:
        self._header_depth += 1

    def leave_Parameters(self, node: cst.Parameters) -> None:
        self._header_depth -= 1

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._header_depth += 1

    def leave_Annotation(self, node: cst.Annotation) -> None:
        self._header_depth -= 1

    def visit_Return(self, node: cst.Return) -> None:
        if self._builders and node.value is not None:
            value = unwrap_await(node.value)
            if isinstance(value, cst.Call):
                self._returned_calls.add(id(value))

    # ---------------------------------------------------------------- calls an Inngest function makes
    def _body_call(self, node: cst.Call) -> None:
        """Record `node` if it is a direct call of a module-level name in the re-run body of the
        Inngest function being walked, or directly in a step handler defined in it."""
        context = self.context
        func = node.func
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return
        function = context.enclosing_function()
        if function is None:
            return
        builder = next((b for b in reversed(self._builders) if b.info is function), None)
        if builder is None:
            return
        state = self._replay.state()
        precedes_step = True
        if state is not None and state.info is function:
            in_step_handler = False
            precedes_step = self._replay.can_precede_step(state, node)
        else:
            scope = self._handlers.scope()
            innermost = len(context.frames) - 1
            if scope is None or not scope.certain or scope.index != innermost:
                return
            in_step_handler = True
        if context.step_method(node) is not None or is_plan_call(context, node):
            return
        callee = callable_ref(context, func)
        if callee.kind != "symbol" or callee.value.split(".", 1)[0] == sdk.PACKAGE:
            return
        frame = context.frame
        if frame.kind == "lambda":
            returned = in_step_handler and frame.node.body is node  # type: ignore[attr-defined]
        else:
            returned = frame.kind == "def" and id(node) in self._returned_calls
        # Only a lambda given to `step.run` itself (not one bound to a name first), as the file
        # rule nested-step follows it.
        lambda_body = returned and frame.kind == "lambda" and frame.is_step_handler
        builder.body_calls.append(
            BodyCall(
                callee,
                context.location(node),
                in_step_handler,
                dotted_name(func) or "",
                returned,
                lambda_body,
                precedes_step,
            )
        )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if len(self.context.frames) == 2:
            self.definitions.append(Definition(node.name.value, "class", self.context.location(node.name)))

    def _finish_function(self, builder: _FunctionBuilder) -> InngestFunction:
        context = self.context
        info = builder.info
        call = info.create_call
        triggers, complete = self._triggers(keyword(call, sdk.CREATE_FUNCTION_TRIGGER_KEYWORD))
        cancels, cel = self._cancels_and_cel(call)
        for trigger_call in self._trigger_calls(keyword(call, sdk.CREATE_FUNCTION_TRIGGER_KEYWORD)):
            expression = keyword(trigger_call, "expression")
            if expression is not None:
                cel_value = cel_string(context, expression, "TriggerEvent.expression", None)
                if cel_value is not None:
                    cel.append(cel_value)
        fn_id_node = keyword(call, sdk.CREATE_FUNCTION_ID_KEYWORD)
        handler = info.handler
        assert handler is not None
        return InngestFunction(
            key=builder.key,
            module=context.module,
            symbol=info.symbol,
            handler_name=handler.name.value,
            fn_id=evaluate(context, fn_id_node) if fn_id_node is not None else UNKNOWN,
            client=self._client_ref(info.client_expr),
            location=context.location(handler.name),
            path=context.path,
            triggers=tuple(triggers),
            cancel_events=tuple(cancels),
            cel=tuple(cel),
            is_async=info.is_async,
            in_factory=info.in_factory,
            waits=tuple(builder.waits),
            invokes=tuple(builder.invokes),
            step_runs=tuple(builder.step_runs),
            returns=returned_values_of(context, handler),
            trigger_count_known=complete,
            body_calls=tuple(builder.body_calls),
            makes_step_call=builder.makes_step_call,
            handler_signature=self._signature(handler) if self._undecorated(handler) else None,
            on_failure_signature=self._on_failure_signature(call),
            invokes_by_id=tuple(builder.invokes_by_id),
            steps=_with_result_reads(builder),
            steps_complete=builder.steps_complete,
        )

    def _undecorated(self, node: cst.FunctionDef) -> bool:
        """No decorator but the one that makes it a Function: another may change the signature
        the SDK calls."""
        return all(self.context.create_function_call(item.decorator) is not None for item in node.decorators)

    def _signature(self, node: cst.FunctionDef) -> HandlerSignature:
        params = node.params
        positional_only = [param.name.value for param in params.posonly_params]
        ordinary = [param.name.value for param in params.params]
        keyword_only = [param.name.value for param in params.kwonly_params]
        required = [
            param.name.value
            for param in (*params.posonly_params, *params.params, *params.kwonly_params)
            if param.default is None
        ]
        return HandlerSignature(
            name=node.name.value,
            location=self.context.location(node.name),
            positional=tuple(positional_only + ordinary),
            keyword=tuple(ordinary + keyword_only),
            required=tuple(required),
            var_positional=isinstance(params.star_arg, cst.Param),
            var_keyword=params.star_kwarg is not None,
        )

    def _on_failure_signature(self, call: cst.Call) -> HandlerSignature | None:
        """The `on_failure=` handler's parameters when it names a module-level def of this file
        that nothing else binds."""
        value = keyword(call, sdk.CREATE_FUNCTION_ON_FAILURE_KEYWORD)
        if not isinstance(value, cst.Name):
            return None
        scan = self.context.module_scan
        name = value.value
        definition = scan.defs.get(name)
        if definition is None or any(
            name in names for names in (scan.assignments, scan.other, scan.imports, scan.classes)
        ):
            return None
        return self._signature(definition) if not definition.decorators else None

    def _client_ref(self, node: cst.BaseExpression) -> Ref:
        qualified = self.context.qualify(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        return Ref.symbol(qualified, self.context.path) if qualified else UNKNOWN

    def _trigger_calls(self, node: cst.BaseExpression | None, seen: frozenset[str] = frozenset()) -> list[cst.Call]:
        """The trigger objects `node` holds, through module-level names (each followed once:
        `T = [T]` compiles, and must not recurse until the stack runs out)."""
        if node is None:
            return []
        if isinstance(node, cst.Name):
            value = self.context.module_value(node.value)
            if value is not None and value is not node and node.value not in seen:
                return self._trigger_calls(value, seen | {node.value})
            return []
        if isinstance(node, (cst.List, cst.Tuple)):
            calls: list[cst.Call] = []
            for element in node.elements:
                calls.extend(self._trigger_calls(element.value, seen))
            return calls
        if isinstance(node, cst.Call) and self.context.qualify(node.func) in sdk.TRIGGER_CLASSES:
            return [node]
        return []

    def _triggers(
        self, node: cst.BaseExpression | None, seen: frozenset[str] = frozenset()
    ) -> tuple[list[Trigger], bool]:
        """Triggers of a function, and whether the list is fully known (a name is followed to its
        module-level value once: `T = T` compiles)."""
        if node is None:
            return [], False
        context = self.context
        elements: list[cst.BaseExpression]
        if isinstance(node, (cst.List, cst.Tuple)):
            elements = [element.value for element in node.elements]
        elif isinstance(node, cst.Name) and node.value in seen:
            return [], False
        elif isinstance(node, cst.Name) and context.module_value(node.value) is not None:
            return self._triggers(context.module_value(node.value), seen | {node.value})
        else:
            elements = [node]
        triggers: list[Trigger] = []
        complete = True
        for element in elements:
            if isinstance(element, cst.Call) and context.qualify(element.func) == sdk.TRIGGER_EVENT_CLASS:
                value = keyword(element, "event")
                if value is None:
                    complete = False
                    continue
                triggers.append(
                    Trigger("event", evaluate(context, value), context.location(value), literal_code(context, value))
                )
            elif isinstance(element, cst.Call) and context.qualify(element.func) == sdk.TRIGGER_CRON_CLASS:
                value = keyword(element, "cron")
                if value is None:
                    complete = False
                    continue
                triggers.append(Trigger("cron", evaluate(context, value), context.location(value)))
            else:
                complete = False
        return triggers, complete

    def _cancels_and_cel(self, call: cst.Call) -> tuple[list[Trigger], list[CelString]]:
        context = self.context
        cancels: list[Trigger] = []
        cel: list[CelString] = []
        for arg in call.args:
            if arg.keyword is None:
                continue
            option = arg.keyword.value
            if option == "idempotency":
                idempotency = cel_string(context, arg.value, "idempotency", None)
                if idempotency is not None:
                    cel.append(idempotency)
                continue
            values = (
                [element.value for element in arg.value.elements]
                if isinstance(arg.value, (cst.List, cst.Tuple))
                else [arg.value]
            )
            for value in values:
                if not isinstance(value, cst.Call):
                    continue
                owner = context.qualify(value.func)
                if owner is None:
                    continue
                async_event: Ref | None = None
                if owner == sdk.CANCEL_CLASS:
                    event_node = keyword(value, "event")
                    if event_node is not None:
                        async_event = evaluate(context, event_node)
                        cancels.append(
                            Trigger(
                                "event",
                                async_event,
                                context.location(event_node),
                                literal_code(context, event_node),
                                filtered=keyword(value, "if_exp") is not None
                                or any(arg.star == "**" for arg in value.args),
                            )
                        )
                for cel_option in sdk.CEL_OPTIONS:
                    if cel_option.owner != owner or owner == sdk.TRIGGER_EVENT_CLASS:
                        continue
                    expression = keyword(value, cel_option.keyword)
                    if expression is None:
                        continue
                    short = owner.rsplit(".", 1)[-1]
                    cel_value = cel_string(
                        context,
                        expression,
                        f"{short}.{cel_option.keyword}",
                        async_event if cel_option.has_async else None,
                    )
                    if cel_value is not None:
                        cel.append(cel_value)
        return cancels, cel

    # ---------------------------------------------------------------- calls
    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        definition = self._open_definition()
        if definition is not None:
            self._note_effect(definition, node)
            self._note_helper_call(definition, node)
        if self._builders:
            self._replay.visit_Call(node)
            if not self._header_depth:
                self._body_call(node)
        method = context.step_method(node)
        if self._builders and method is None and self._builders[-1].steps_complete and self._passes_step_object(node):
            self._builders[-1].steps_complete = False
        if method is not None:
            self._step_call(node, method)
            return
        if not isinstance(node.func, (cst.Name, cst.Attribute)):
            return
        qualified = context.qualify(node.func)
        if qualified is None:
            return
        if qualified == sdk.EVENT_CLASS:
            self._event(node)
        elif qualified == sdk.CLIENT_CLASS:
            self._client(node)
        elif qualified in sdk.SERVE_ENTRY_POINTS:
            self._serve(node, sdk.SERVE_ENTRY_POINTS[qualified])
        elif qualified == sdk.CONNECT_ENTRY_POINT:
            self._connect(node)

    def leave_Call(self, node: cst.Call) -> None:
        self._replay.leave_Call(node)

    def _event(self, node: cst.Call) -> None:
        name_node = keyword(node, "name")
        if name_node is None:
            return
        self._record_send(node, name_node, keyword(node, "data"))

    def _record_send(
        self, node: cst.CSTNode, name_node: cst.BaseExpression, data_node: cst.BaseExpression | None
    ) -> None:
        context = self.context
        function_key = self._builders[-1].key if self._builders else ""
        sender = ".".join(
            frame.node.name.value  # type: ignore[attr-defined]
            for frame in context.frames
            if frame.kind in ("def", "class")
        )
        self.sends.append(
            EventSend(
                name=evaluate(context, name_node),
                data=data_shape(context, data_node),
                location=context.location(node),
                name_location=context.location(name_node),
                function_key=function_key,
                sender=sender,
                name_literal=literal_code(context, name_node),
            )
        )

    def _dict_events(self, node: cst.BaseExpression | None) -> None:
        """Events written as dicts (`step.send_event("id", {"name": ..., "data": ...})`): the SDK
        needs `inngest.Event` objects and fails on these, but the names they mean are sent names
        all the same (an app that sends only such dicts still sends events)."""
        elements = node.elements if isinstance(node, (cst.List, cst.Tuple)) else (node,)
        for element in elements:
            value = element.value if isinstance(element, cst.BaseElement) else element
            if not isinstance(value, cst.Dict):
                continue
            fields = {
                literal_string(item.key): item.value for item in value.elements if isinstance(item, cst.DictElement)
            }
            name_node = fields.get("name")
            if name_node is None:
                continue
            self._record_send(value, name_node, fields.get("data"))

    def _client(self, node: cst.Call) -> None:
        context = self.context
        if context.frame.kind != "module":
            return
        symbol = self._module_targets().get(id(node), "")
        app_id = keyword(node, sdk.CLIENT_APP_ID_KEYWORD)
        self.clients.append(
            Client(symbol, evaluate(context, app_id) if app_id is not None else UNKNOWN, context.location(node))
        )

    def _module_targets(self) -> dict[int, str]:
        """id of a value assigned at module level -> the (last) plain name it is assigned to.

        Built on first use from one pass over the module body: looking through the whole body
        for each client made a module of n clients cost n^2.
        """
        if self._targets is None:
            self._targets = {}
            for statement in self.context.tree.body:
                if not isinstance(statement, cst.SimpleStatementLine):
                    continue
                for small in statement.body:
                    if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        for target in targets:
                            if isinstance(target, cst.Name):
                                self._targets[id(small.value)] = target.value
        return self._targets

    def _function_list(self, node: cst.BaseExpression | None, symbol: str = "") -> FunctionList:
        parts = ListParts()
        if node is None:
            parts.complete = False
        else:
            evaluate_list(self.context, node, parts)
        location = self.context.location(node) if node is not None else self.context.location(self.context.tree)
        return FunctionList(
            symbol,
            tuple(parts.items),
            tuple(parts.spreads),
            parts.complete,
            location,
            tuple(parts.item_locations),
            *list_code(self.context, node),
        )

    def _serve(self, node: cst.Call, entry: sdk.ServeEntryPoint) -> None:
        functions = argument(node, entry.functions_index, sdk.SERVE_FUNCTIONS_KEYWORD)
        client = argument(node, entry.client_index, sdk.SERVE_CLIENT_KEYWORD)
        self.serves.append(
            ServeCall(
                entry_point=entry.qualified_name,
                client=self._client_ref(client) if client is not None else UNKNOWN,
                functions=self._function_list(functions),
                location=self.context.location(node),
                sync_only=entry.sync_only,
            )
        )

    def _connect(self, node: cst.Call) -> None:
        apps = argument(node, 0, sdk.CONNECT_APPS_KEYWORD)
        if isinstance(apps, cst.Name):
            local = self.context.local_value(apps.value) or self.context.module_value(apps.value)
            apps = local if local is not None else apps
        pairs = apps.elements if isinstance(apps, (cst.List, cst.Tuple)) else None
        if pairs is None:
            self.serves.append(
                ServeCall(sdk.CONNECT_ENTRY_POINT, UNKNOWN, self._function_list(None), self.context.location(node))
            )
            return
        for pair in pairs:
            value = pair.value
            if isinstance(value, cst.Tuple) and len(value.elements) == 2:
                client, functions = value.elements[0].value, value.elements[1].value
                self.serves.append(
                    ServeCall(
                        sdk.CONNECT_ENTRY_POINT,
                        self._client_ref(client),
                        self._function_list(functions),
                        self.context.location(node),
                    )
                )
            else:
                self.serves.append(
                    ServeCall(sdk.CONNECT_ENTRY_POINT, UNKNOWN, self._function_list(None), self.context.location(node))
                )

    def _passes_step_object(self, node: cst.Call) -> bool:
        """Whether a call hands the Inngest context or a step object to another callable (which
        may make step calls of its own, unseen here)."""
        context = self.context
        for arg in node.args:
            value = arg.value
            if isinstance(value, cst.Name) and (
                context.is_context_name(value.value) or context.is_step_name(value.value)
            ):
                return True
            if context.is_step_object(value):
                return True
        return False

    def _step_call(self, node: cst.Call, method: str) -> None:
        if not self._builders:
            return
        context = self.context
        builder = self._builders[-1]
        step_id_node = argument(node, 0, sdk.STEP_ID_KEYWORD)
        step_id = literal_string(step_id_node) if step_id_node is not None else None
        self._record_step(builder, node, method, step_id)
        step_label = (
            step_id
            if step_id is not None
            else (context.tree.code_for_node(step_id_node) if step_id_node is not None else "?")
        )
        if method == sdk.STEP_WAIT_FOR_EVENT:
            event_node = keyword(node, "event")
            event = evaluate(context, event_node) if event_node is not None else UNKNOWN
            if_exp_node = keyword(node, "if_exp")
            if_exp = (
                cel_string(context, if_exp_node, "wait_for_event.if_exp", event) if if_exp_node is not None else None
            )
            builder.waits.append(
                Wait(
                    step_label,
                    event,
                    context.location(node),
                    if_exp,
                    context.location(event_node) if event_node is not None else None,
                    literal_code(context, event_node) if event_node is not None else "",
                    filtered=if_exp_node is not None or any(arg.star == "**" for arg in node.args),
                )
            )
        elif method == sdk.STEP_SEND_EVENT:
            self._dict_events(argument(node, 1, "events"))
        elif method == sdk.STEP_INVOKE:
            function_node = keyword(node, "function")
            if function_node is not None:
                builder.invokes.append(
                    Invoke(
                        callable_ref(context, function_node),
                        data_shape(context, keyword(node, "data")),
                        context.location(node),
                    )
                )
        elif method == sdk.STEP_INVOKE_BY_ID:
            function_id_node = keyword(node, "function_id")
            app_id_node = keyword(node, "app_id")
            if function_id_node is not None and not any(arg.star == "**" for arg in node.args):
                builder.invokes_by_id.append(
                    InvokeById(
                        evaluate(context, app_id_node) if app_id_node is not None else UNKNOWN,
                        evaluate(context, function_id_node),
                        context.location(node),
                        app_id_given=app_id_node is not None,
                    )
                )
        elif method == sdk.STEP_RUN:
            handler_node = argument(node, 1, "handler")
            if handler_node is None:
                return
            handler_ref = UNKNOWN
            local_returns: tuple[ReturnedValue, ...] = ()
            returned_calls: tuple[ReturnedCall, ...] = ()
            label = ""
            if isinstance(handler_node, cst.Call) and context.qualify(handler_node.func) == "functools.partial":
                handler_node = handler_node.args[0].value if handler_node.args else handler_node
            if isinstance(handler_node, cst.Lambda):
                local_returns = returned_values_of(context, handler_node)
                returned_calls = returned_calls_of(context, handler_node)
                label = "lambda"
            elif isinstance(handler_node, cst.Name) and handler_node.value in builder.local_def_returns:
                local_returns = builder.local_def_returns[handler_node.value]
                returned_calls = builder.local_def_returned_calls.get(handler_node.value, ())
                label = handler_node.value
            elif isinstance(handler_node, (cst.Name, cst.Attribute)):
                handler_ref = callable_ref(context, handler_node)
                label = dotted_name(handler_node) or ""
            builder.step_runs.append(
                StepRun(step_label, handler_ref, context.location(node), local_returns, label, returned_calls)
            )

    def _record_step(self, builder: _FunctionBuilder, node: cst.Call, method: str, step_id: str | None) -> None:
        """Note a step call in the function's ordered step list. A step call in a nested def
        runs when (and as often as) the def is called: the list is then not the run's order."""
        context = self.context
        for frame in reversed(context.frames):
            if frame.kind == "lambda":
                continue
            if frame.inngest is not builder.info:
                builder.steps_complete = False
            break
        handler = UNKNOWN
        returned_keys: tuple[str, ...] | None = None
        if method == sdk.STEP_RUN:
            handler_node = argument(node, 1, "handler")
            if isinstance(handler_node, cst.Lambda):
                returned_keys = returned_dict_keys(context, handler_node)
            elif handler_node is not None:
                if isinstance(handler_node, cst.Name) and handler_node.value in builder.local_def_keys:
                    returned_keys = builder.local_def_keys[handler_node.value]
                elif isinstance(handler_node, (cst.Name, cst.Attribute)):
                    handler = callable_ref(context, handler_node)
        result_name = builder.pending_results.pop(id(node), None)
        if result_name is not None:
            builder.step_results[len(builder.steps)] = result_name
        builder.steps.append(
            StepCall(
                method,
                step_id or "",
                context.location(node),
                bool(context.loop_frames()),
                self._other_arguments(node),
                handler,
                returned_keys,
            )
        )

    def _other_arguments(self, node: cst.Call) -> str:
        """The arguments of a step call but its ID, as written, without whitespace."""
        code = self.context.tree.code_for_node
        parts: list[str] = []
        for position, arg in enumerate(node.args):
            name = arg.keyword.value if arg.keyword is not None else ""
            if name == sdk.STEP_ID_KEYWORD or (position == 0 and arg.keyword is None):
                continue
            parts.append(f"{arg.star}{name}={code(arg.value)}" if name else f"{arg.star}{code(arg.value)}")
        return "".join(",".join(parts).split())

    # ---------------------------------------------------------------- step results read by key
    def visit_Assign(self, node: cst.Assign) -> None:
        if not self._builders:
            return
        builder = self._builders[-1]
        names = [target.target.value for target in node.targets if isinstance(target.target, cst.Name)]
        for name in names:
            builder.assignments[name] = builder.assignments.get(name, 0) + 1
        if len(node.targets) != len(names):
            for target in node.targets:  # unpacking and attributes: every name they bind counts
                self._count_bound(builder, target.target)
        value = unwrap_await(node.value)
        if len(names) == 1 and len(node.targets) == 1 and isinstance(value, cst.Call):
            builder.pending_results[id(value)] = names[0]

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if not self._builders:
            return
        builder = self._builders[-1]
        self._count_bound(builder, node.target)
        value = unwrap_await(node.value) if node.value is not None else None
        if isinstance(node.target, cst.Name) and isinstance(value, cst.Call):
            builder.pending_results[id(value)] = node.target.value

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if self._builders:
            self._count_bound(self._builders[-1], node.target)

    def visit_For(self, node: cst.For) -> None:
        if self._builders:
            self._count_bound(self._builders[-1], node.target)

    @staticmethod
    def _count_bound(builder: _FunctionBuilder, target: cst.BaseExpression) -> None:
        stack: list[cst.CSTNode] = [target]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Name):
                builder.assignments[current.value] = builder.assignments.get(current.value, 0) + 1
            elif isinstance(current, (cst.Tuple, cst.List)):
                stack.extend(element.value for element in current.elements)
            elif isinstance(current, cst.StarredElement):
                stack.append(current.value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if not self._builders or not isinstance(node.value, cst.Name) or len(node.slice) != 1:
            return
        index = node.slice[0].slice
        if not isinstance(index, cst.Index):
            return
        key = literal_string(index.value)
        if key is not None:
            self._builders[-1].key_reads.append((node.value.value, KeyRead(key, self.context.location(node))))

    # ---------------------------------------------------------------- module
    def facts(self) -> FileFacts:
        context = self.context
        scan = context.module_scan
        constants: dict[str, Ref] = {}
        lists: list[FunctionList] = []
        function_symbols = {function.symbol for function in self.functions if function.symbol}
        client_symbols = {client.symbol for client in self.clients if client.symbol}
        other: set[str] = set()
        for name, values in scan.assignments.items():
            if name in function_symbols or name in client_symbols:
                continue
            if len(values) == 1 and name not in scan.other:
                value = values[0]
                literal = literal_string(value)
                if literal is not None:
                    constants[name] = Ref.string(literal)
                    continue
                if isinstance(value, (cst.Name, cst.Attribute)):
                    ref = evaluate(context, value)
                    if ref.kind != "unknown":
                        constants[name] = ref
                        continue
            if all(_is_list_expression(value) for value in values):
                parts = ListParts()
                for value in values:
                    evaluate_list(context, value, parts)
                add_mutations(context, scan, name, parts, 0)
                lists.append(
                    FunctionList(
                        name,
                        tuple(parts.items),
                        tuple(parts.spreads),
                        parts.complete,
                        context.location(values[0]),
                        tuple(parts.item_locations),
                        *(list_code(context, values[0]) if len(values) == 1 else ("", "")),
                    )
                )
                continue
            other.add(name)
        other |= scan.other - set(constants) - {fl.symbol for fl in lists}
        for class_name, class_node in scan.classes.items():
            for statement in class_node.body.body if isinstance(class_node.body, cst.IndentedBlock) else ():
                if not isinstance(statement, cst.SimpleStatementLine):
                    continue
                for small in statement.body:
                    if (
                        isinstance(small, cst.Assign)
                        and len(small.targets) == 1
                        and isinstance(small.targets[0].target, cst.Name)
                    ):
                        literal = literal_string(small.value)
                        if literal is not None:
                            attribute = small.targets[0].target.value
                            constants[f"{class_name}.{attribute}"] = Ref.string(literal)
                            constants[f"{class_name}.{attribute}.value"] = Ref.string(literal)
        return FileFacts(
            path=context.path,
            module=context.module,
            is_package=context.is_package,
            is_test=context.is_test,
            imports=dict(scan.imports),
            star_imports=tuple(scan.star_imports),
            constants=constants,
            clients=tuple(self.clients),
            functions=tuple(self.functions),
            lists=tuple(lists),
            serves=tuple(self.serves),
            sends=tuple(self.sends),
            definitions=tuple(self.definitions),
            other_names=frozenset(other),
            mentions_inngest="inngest" in context.source,
            import_line=EditMaker(context.path, context.source, context.tree, context.positions).import_line(),
            newline=context.tree.default_newline,
        )


def _with_result_reads(builder: _FunctionBuilder) -> tuple[StepCall, ...]:
    """The function's steps, each with the keys read from the name its result is bound to (a
    name bound once in the function: another binding could be what a read sees)."""
    steps = list(builder.steps)
    for index, name in builder.step_results.items():
        if builder.assignments.get(name, 0) != 1:
            continue
        reads = tuple(read for read_name, read in builder.key_reads if read_name == name)
        if reads:
            steps[index] = replace(steps[index], result_reads=reads)
    return tuple(steps)


#: Decorators that leave what a call of the def does unchanged.
_TRANSPARENT_DECORATORS = frozenset({"staticmethod", "classmethod"})


def _plain_decorators(node: cst.FunctionDef) -> bool:
    """True when `node` has no decorator, or only `@staticmethod` / `@classmethod`."""
    return all(
        isinstance(decorator.decorator, cst.Name) and decorator.decorator.value in _TRANSPARENT_DECORATORS
        for decorator in node.decorators
    )


def _is_list_expression(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.List, cst.Tuple)):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _is_list_expression(node.left) or _is_list_expression(node.right)
    if isinstance(node, cst.Call) and dotted_name(node.func) in ("list", "tuple") and len(node.args) <= 1:
        return True
    return False
