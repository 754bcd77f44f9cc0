"""Picklable facts that phase 1 records per file and phase 2 merges into the project index.

No CST node ever lands here: facts cross process boundaries and are cached by content hash, so
they hold only strings, numbers, tuples and frozen dataclasses. A value the collector cannot
settle inside one file (a constant imported from another module, a list built elsewhere) is a
`Ref` that the project index resolves later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inngest_lint.diagnostics import Location

#: The version of what the facts mean, part of every cache key. The cache also fingerprints the
#: record types' fields, which catches a field added, renamed or retyped; bump this when the
#: collector records something differently with the same fields (a kind of `Ref` added, a field
#: that now holds more or less), so that caches written by an older collector are never read.
FACTS_SCHEMA = 1


@dataclass(frozen=True)
class Ref:
    """A value as far as one file can tell.

    kind is one of:
    - "str": a literal string (`value`);
    - "symbol": a dotted qualified name (`value`) to resolve across the project, such as
      `pipeline.events.ORDER_PLACED` or `pipeline.jobs.placed`;
    - "choice": one of `options` (both branches of a conditional expression);
    - "unknown": anything else (an f-string, a call result, a parameter).

    A symbol's `origin` is the path of the file it is written in: the same dotted name means
    different files in different services (two top-level packages `app`), so the index resolves
    it as that file's imports do (see `inngest_lint.modules`).
    """

    kind: str
    value: str = ""
    options: tuple[Ref, ...] = ()
    origin: str = ""

    @staticmethod
    def string(value: str) -> Ref:
        return Ref("str", value)

    @staticmethod
    def symbol(qualified_name: str, origin: str) -> Ref:
        return Ref("symbol", qualified_name, origin=origin)

    @staticmethod
    def choice(options: tuple[Ref, ...]) -> Ref:
        return Ref("choice", "", options)


UNKNOWN = Ref("unknown")


@dataclass(frozen=True)
class DataShape:
    """The `data` of a sent event: whether it is a literal dict, and its keys with value types.

    Types are CEL-ish: "string", "number", "bool", "null", "list", "map", or "unknown".
    """

    literal: bool
    keys: tuple[tuple[str, str], ...] = ()

    def key_names(self) -> frozenset[str]:
        return frozenset(key for key, _ in self.keys)


@dataclass(frozen=True)
class CelString:
    """A string that Inngest evaluates as CEL, with where it is and which events it sees."""

    text: str
    option: str  # e.g. "TriggerEvent.expression", "wait_for_event.if_exp"
    location: Location
    # The event `async` refers to (wait_for_event / Cancel), None where `async` is not in scope.
    async_event: Ref | None = None
    # Offset of the string's content start within its source line, to place diagnostics inside it.
    content_column: int = 0
    # Whether the literal can be mapped character-for-character onto the source (no escapes).
    exact_columns: bool = False


@dataclass(frozen=True)
class Trigger:
    kind: str  # "event" or "cron"
    value: Ref
    location: Location
    # The source of the value when it is one plain string literal ("" otherwise): what a fix
    # that renames the event replaces.
    literal: str = ""
    # For a `Cancel(event=...)`: whether it is given an `if_exp` (literal or not).
    filtered: bool = False


#: What a returned value is (`ReturnedValue.kind`), as far as INN501 needs to know:
#: - "response-body": `.content` / `.text` of an HTTP response (`Origins.is_http_response`);
#: - "data-frame": a `pandas.read_*(...)` call;
#: - "query-set": `list(...)`, `sorted(...)`... of a Django query set;
#: - "all-rows", "filtered-query-set", "cursor", "file-read": a method call that reads without
#:   a bound (`.all()`, `Model.objects.filter(...)`, `.find({...})`, `.read()`);
#: - "call": any other method call with no bound along its chain (`store.dump_everything()`);
#: - "attribute": any other attribute (`report.payload`).
#: The last two are unbounded only when the rule's settings name them.
RETURN_KINDS = frozenset(
    {
        "response-body",
        "data-frame",
        "query-set",
        "all-rows",
        "filtered-query-set",
        "cursor",
        "file-read",
        "call",
        "function-call",
        "attribute",
    }
)


@dataclass(frozen=True)
class ReturnedValue:
    """A value a def or lambda returns that is, or may be, unbounded: what the code is, for
    INN501 to judge with its settings (see `semantic.large_returns`).

    One return statement may record several (the items of a returned list or dict, in order):
    the first one the rule judges unbounded is the statement's.
    """

    kind: str  # one of RETURN_KINDS
    name: str  # the method or attribute at the end (`fetchall`, `payload`); "" for the whole-value kinds
    code: str  # the expression's source on one line (`cursor.fetchall()`)
    location: Location  # the return statement (a lambda's body)
    comprehensions: int = 0  # how many comprehensions wrap it (`[r.id for r in rows.all()]`: 1)
    # For "call" and "function-call": the callee's qualified name when imports tell it
    # (`reports.export.everything`), else "".
    qualified: str = ""


@dataclass(frozen=True)
class ReturnedCall:
    """A returned call of a module-level name (`return load(cursor)`, `lambda: load(cursor)`):
    the function returns another function's result, which phase 2 follows for large returns.

    `wrapper` is set when the call is an argument of another call that is returned
    (`Page(items=load(cursor))`, dumped or not): that counts only when `wrapper` resolves to a
    class of the project (a model built from the result).
    """

    callee: Ref
    label: str
    location: Location
    wrapper: Ref | None = None
    wrapper_label: str = ""


@dataclass(frozen=True)
class StepRun:
    """`step.run(step_id, handler, ...)`: the handler is resolved in phase 2 when it is a symbol."""

    step_id: str
    handler: Ref
    location: Location
    # What a local handler (a lambda or a nested def) returns, read in phase 1.
    local_returns: tuple[ReturnedValue, ...] = ()
    handler_label: str = ""
    # What a lambda or nested-def handler returns when it is another function's result.
    returned_calls: tuple[ReturnedCall, ...] = ()


@dataclass(frozen=True)
class Wait:
    """`step.wait_for_event(step_id, event=..., if_exp=...)` inside a function."""

    step_id: str
    event: Ref
    location: Location
    if_exp: CelString | None = None
    event_location: Location | None = None
    event_literal: str = ""  # as Trigger.literal
    # Whether `if_exp=` is given at all (`if_exp` above is set only for a literal string).
    filtered: bool = False


@dataclass(frozen=True)
class KeyRead:
    """`result["key"]`: a key read by subscript from a variable holding a step's result."""

    key: str
    location: Location


@dataclass(frozen=True)
class StepCall:
    """One step call of a function (any step method), in source order: what the deploy-safety
    rules compare between two versions of the function, since Inngest finds a step's memoized
    result by its ID (and the `:N` suffix a repeated ID gets from the order of its calls)."""

    method: str  # the step method: "run", "sleep", "wait_for_event", ...
    step_id: str  # the literal ID; "" when the ID is not a literal string
    location: Location
    # Inside a loop of the function (it may run any number of times).
    in_loop: bool = False
    # The call's other arguments as written, whitespace removed (`charge,order_id`,
    # `lambda:{"a":1}`, `event="shop/paid",timeout=t`): two calls with the same text do the same
    # work, whatever their IDs.
    arguments: str = ""
    # A module-level handler, resolved in phase 2 (its Definition's `returned_keys`).
    handler: Ref = UNKNOWN
    # The keys of the dict a handler defined in the function returns (a lambda or a nested
    # def), when every return is a literal dict; None when unknown or not a dict.
    returned_keys: tuple[str, ...] | None = None
    # Keys the function reads by subscript from the one variable the step's result is bound to.
    result_reads: tuple[KeyRead, ...] = ()


@dataclass(frozen=True)
class Invoke:
    """`step.invoke(step_id, function=f, data={...})`: data counts as `f`'s event data."""

    function: Ref
    data: DataShape
    location: Location


@dataclass(frozen=True)
class InvokeById:
    """`step.invoke_by_id(step_id, app_id=..., function_id=...)`: `app_id` is UNKNOWN when the
    call leaves it out (the SDK then uses the calling client's app)."""

    app_id: Ref
    function_id: Ref
    location: Location
    app_id_given: bool = False


@dataclass(frozen=True)
class BodyCall:
    """A direct call `helper(...)` / `module.helper(...)` / `await helper(...)` that an Inngest
    function makes, for following project helpers in phase 2.

    Recorded in the body that re-runs on every re-entry (the handler itself and the lambdas
    given to `ctx.group.parallel`) and, with `in_step_handler`, directly in a step handler
    defined in the function (a lambda or nested def given to `step.run`). Only calls whose
    callee is a module-level name (`callee` is a symbol ref) are kept.
    """

    callee: Ref
    location: Location
    in_step_handler: bool
    label: str  # the callee as written: "helper", "helpers.fetch"
    # The call's value is what the step handler or the function returns (`return helper(...)`,
    # `return await helper(...)`, `lambda: helper(...)`): a fallback value the helper returns
    # becomes the step's or the run's result.
    returned: bool = False
    # The call is the whole body of a lambda given to `step.run` (`lambda: helper(ctx)`): the
    # file rule nested-step follows a same-file def called that way itself.
    lambda_body: bool = False
    # A step call can still follow the call in the body, so it re-runs on every re-entry (see
    # semantic/replay_flow.py); False for code that runs once per attempt (after the last step).
    precedes_step: bool = True


@dataclass(frozen=True)
class HelperCall:
    """A call of a module-level name (`fetch(...)`, `http.fetch(...)`) in a project def's own
    body: an edge of the project call graph, which phase 2 follows from the Inngest functions'
    body calls to what the helpers they call do, several calls deep."""

    callee: Ref
    location: Location
    label: str  # the callee as written: "fetch", "http.fetch"
    # In an `except` handler of the def: what the def does on its error path only.
    in_except: bool = False


@dataclass(frozen=True)
class HandlerSignature:
    """A handler's parameters, as far as the SDK's call of it is concerned (INN615).

    `positional` are the parameters a positional argument fills, in order (positional-only
    first); `keyword` those a keyword argument can name; `required` those without a default.
    """

    name: str
    location: Location
    positional: tuple[str, ...]
    keyword: tuple[str, ...]
    required: tuple[str, ...]
    var_positional: bool
    var_keyword: bool


@dataclass(frozen=True)
class InngestFunction:
    key: str  # unique in the project: "path:line"
    module: str
    symbol: str  # module-level name bound to the Function object ("" if none)
    handler_name: str
    fn_id: Ref
    client: Ref
    location: Location  # the handler's name (or the create_function call for the call form)
    path: str
    triggers: tuple[Trigger, ...] = ()
    cancel_events: tuple[Trigger, ...] = ()
    cel: tuple[CelString, ...] = ()
    is_async: bool = False
    in_factory: bool = False
    waits: tuple[Wait, ...] = ()
    invokes: tuple[Invoke, ...] = ()
    step_runs: tuple[StepRun, ...] = ()
    returns: tuple[ReturnedValue, ...] = ()
    trigger_count_known: bool = True
    body_calls: tuple[BodyCall, ...] = ()
    # A step call (or a `ctx.group.parallel` plan) anywhere in the function: its body re-runs
    # once per step.
    makes_step_call: bool = False
    # The handler's parameters, and the `on_failure=` handler's when it is a def of this file.
    handler_signature: HandlerSignature | None = None
    on_failure_signature: HandlerSignature | None = None
    invokes_by_id: tuple[InvokeById, ...] = ()
    # Every step call written in the function, in source order (see StepCall).
    steps: tuple[StepCall, ...] = ()
    # False when the function may make step calls this file does not show: it hands its context
    # or step object to another callable, or a nested def makes step calls. Comparisons of the
    # step lists of two versions stay silent then.
    steps_complete: bool = True


@dataclass(frozen=True)
class Client:
    symbol: str
    app_id: Ref
    location: Location


@dataclass(frozen=True)
class FunctionList:
    """A module- or function-level list of functions (serve lists), resolved lazily.

    `items` are refs to functions; `spreads` are refs to other lists whose items are included
    (concatenation, `*unpacking`, `extend`). `complete` is False once anything was added that
    the collector could not describe (a comprehension, a call result).
    """

    symbol: str
    items: tuple[Ref, ...]
    spreads: tuple[Ref, ...]
    complete: bool
    location: Location
    item_locations: tuple[Location, ...] = ()  # parallel to items
    # The source of the list when it is a list display without `*` (what a fix that adds a
    # function to it replaces), else ""; and that list as libcst writes it with one more
    # element, LIST_ITEM_PLACEHOLDER (phase 2 puts the function's name there).
    code: str = ""
    extended: str = ""


#: The name in `FunctionList.extended` that stands for the element a fix adds.
LIST_ITEM_PLACEHOLDER = "__inngest_lint_new_item__"


@dataclass(frozen=True)
class ServeCall:
    entry_point: str  # qualified name, e.g. "inngest.fast_api.serve"
    client: Ref
    functions: FunctionList
    location: Location
    sync_only: bool = False


@dataclass(frozen=True)
class EventSend:
    """An `inngest.Event(name=..., data=...)` built in the project (to send it)."""

    name: Ref
    data: DataShape
    location: Location
    name_location: Location
    function_key: str = ""  # the Inngest function it is built in, if any
    via: str = "event"  # "send", "send_sync", "send_event" or "event" (built, sent elsewhere)
    # The enclosing module-level def or method ("" at module level), e.g. a web route handler.
    sender: str = ""
    name_literal: str = ""  # as Trigger.literal


@dataclass(frozen=True)
class ClientSend:
    """`<name>.send(...)` / `<name>.send_sync(...)` in a helper, where `<name>` is a module-level
    name that the helper's file cannot tell is an Inngest client (imported from another module
    that creates it). Phase 2 resolves `client`; if it is a client, the call is an event send."""

    client: Ref
    location: Location
    label: str  # the call as written: "client.send()"


#: Side effect kinds (`Effect.kind`): an Inngest event send, an HTTP request, a database write,
#: another write through the Inngest API (a score, a realtime publish).
EFFECT_KINDS = frozenset({"send", "http", "db", "sdk"})


@dataclass(frozen=True)
class Effect:
    """A call that certainly acts on the outside world (see `semantic.replay.SideEffect`): what it
    is, which INN109 puts in words.

    For "http", `system` is the library and `action` the method (`httpx`, `post`); for "db",
    the store and the write (`sql`, `INSERT`; `database`, `commit`; `django`, `write`); both
    empty for "send". `label` is the call as written (`requests.post()`).
    """

    kind: str  # one of EFFECT_KINDS
    system: str
    action: str
    label: str
    location: Location


@dataclass(frozen=True)
class Definition:
    """A module-level def, method or class, for resolving step handlers and serve-list names
    and for following the project helpers that Inngest functions call."""

    symbol: str  # "name" or "Class.method"
    kind: str  # "def", "async def", "class", "inngest-handler"
    location: Location
    returns: tuple[ReturnedValue, ...] = ()
    # The first step call in the body (a helper that receives the context or step object).
    step_call: Location | None = None
    decorated: bool = False
    # What the def's own body does (not its nested defs or lambdas), for following the helpers
    # Inngest functions call. None of it is recorded for generators (calling one runs nothing)
    # or for defs decorated with anything but `@staticmethod`/`@classmethod` (a decorator may
    # cache, retry or wrap the call).
    # The first broad `except` that ends without raising, as exception-swallowed-as-success
    # (INN117) defines it (a handler making a compensating step call is not counted);
    # `swallows_as` is how it is written ("except Exception").
    swallows: Location | None = None
    swallows_as: str = ""
    # The first certain side effect outside `except` handlers, of the kinds
    # side-effect-outside-step (INN109) reports; None if none.
    effect: Effect | None = None
    # The first send on a name that may be an Inngest client from another module (see
    # ClientSend), for phase 2 to settle.
    client_send: ClientSend | None = None
    # The first HTTP call that waits without a timeout, as http-without-timeout-in-step
    # (INN118) defines it (its `except` handlers included), written as called; "" if none.
    no_timeout: str = ""
    no_timeout_location: Location | None = None
    # The first `time.sleep`/`asyncio.sleep` outside `except` handlers, as sleep-in-function
    # (INN107) defines it (qualified), "" if none.
    sleep: str = ""
    sleep_location: Location | None = None
    # The calls of module-level names its own body makes, in source order (the first
    # `MAX_HELPER_CALLS`): the edges phase 2 follows.
    calls: tuple[HelperCall, ...] = ()
    # Returned results of other functions (`return load(cursor)`), for large returns.
    returned_calls: tuple[ReturnedCall, ...] = ()
    # The keys of the dict the def returns, when every return is a literal dict (see
    # StepCall.returned_keys); None otherwise.
    returned_keys: tuple[str, ...] | None = None


#: Calls recorded per def: enough for any helper people write, bounded for generated code.
MAX_HELPER_CALLS = 64


@dataclass(frozen=True)
class FileFacts:
    path: str
    module: str
    is_package: bool = False
    is_test: bool = False
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    star_imports: tuple[str, ...] = ()
    constants: dict[str, Ref] = field(default_factory=dict)  # "NAME" / "Class.NAME" -> value
    clients: tuple[Client, ...] = ()
    functions: tuple[InngestFunction, ...] = ()
    lists: tuple[FunctionList, ...] = ()
    serves: tuple[ServeCall, ...] = ()
    sends: tuple[EventSend, ...] = ()
    definitions: tuple[Definition, ...] = ()
    # Module-level names bound to anything else (so a serve-list name can be told apart).
    other_names: frozenset[str] = frozenset()
    mentions_inngest: bool = False
    # Where a fix adds a top-level import (a line start; 0: nowhere certain), and the file's
    # line ending.
    import_line: int = 0
    newline: str = "\n"
