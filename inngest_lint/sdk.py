"""The one table of Inngest Python SDK names (PyPI `inngest`, versions 0.3 to 0.5.20a0).

Every rule reads SDK facts from here and never spells an SDK name itself, so that a new SDK
release is one edit in one place, and `tests/test_sdk_table.py` can check this table against the
installed package. Qualified names are the public spellings (`inngest.TriggerEvent`), which the
name resolver produces for every import style and alias.
"""

from __future__ import annotations

from dataclasses import dataclass

PACKAGE = "inngest"

CLIENT_CLASS = "inngest.Inngest"
EVENT_CLASS = "inngest.Event"
#: The fields of `inngest.Event` in every supported version (`server_lib/event.py`); `name` has
#: no default.
EVENT_FIELDS = frozenset({"name", "data", "id", "ts"})
EVENT_REQUIRED_FIELD = "name"
TRIGGER_EVENT_CLASS = "inngest.TriggerEvent"
TRIGGER_CRON_CLASS = "inngest.TriggerCron"
TRIGGER_CLASSES = frozenset({TRIGGER_EVENT_CLASS, TRIGGER_CRON_CLASS})
CANCEL_CLASS = "inngest.Cancel"

#: Client methods. `create_function` returns a decorator; `send` is a coroutine, `send_sync` blocks.
CREATE_FUNCTION_METHOD = "create_function"
CLIENT_SEND_METHODS = frozenset({"send", "send_sync"})
CLIENT_ASYNC_SEND_METHOD = "send"

#: Handler context and step classes: a parameter annotated with one of these is a context/step.
CONTEXT_CLASSES = frozenset({"inngest.Context", "inngest.ContextSync"})
STEP_CLASSES = frozenset({"inngest.Step", "inngest.StepSync"})
#: `ctx.step` (0.5) and `ctx.group` attribute names on the context.
CONTEXT_STEP_ATTRIBUTE = "step"
CONTEXT_GROUP_ATTRIBUTE = "group"
GROUP_PARALLEL_METHOD = "parallel"

#: Step methods whose first argument (or `step_id=`) is a step ID.
STEP_METHODS = frozenset({"run", "sleep", "sleep_until", "wait_for_event", "send_event", "invoke", "invoke_by_id"})
STEP_RUN = "run"
STEP_SLEEP = "sleep"
STEP_SLEEP_UNTIL = "sleep_until"
STEP_WAIT_FOR_EVENT = "wait_for_event"
STEP_SEND_EVENT = "send_event"
STEP_INVOKE = "invoke"
STEP_INVOKE_BY_ID = "invoke_by_id"
#: `step.parallel` existed in 0.3, was deprecated in 0.4 and removed in 0.5.
REMOVED_STEP_METHODS = frozenset({"parallel"})
STEP_ID_KEYWORD = "step_id"

#: Keyword arguments each step method accepts after the step ID (0.5.19; `user` only before 0.5).
STEP_METHOD_KEYWORDS: dict[str, frozenset[str]] = {
    "run": frozenset({"handler", "output_type"}),
    "sleep": frozenset({"duration"}),
    "sleep_until": frozenset({"until"}),
    "wait_for_event": frozenset({"event", "if_exp", "timeout"}),
    "send_event": frozenset({"events"}),
    "invoke": frozenset({"function", "data", "timeout", "v", "user", "meta"}),
    "invoke_by_id": frozenset({"app_id", "function_id", "data", "timeout", "v", "user", "meta"}),
    # `step.ai.infer` and `ctx.group.experiment` (see STEP_TOOL_METHODS and GROUP_STEP_METHODS).
    "ai.infer": frozenset({"adapter", "body"}),
    "group.experiment": frozenset({"experiment_id", "variants", "select"}),
}


@dataclass(frozen=True)
class ServeEntryPoint:
    """Where a serve function takes its client and function list, and what it can run."""

    qualified_name: str
    client_index: int
    functions_index: int
    sync_only: bool = False


SERVE_ENTRY_POINTS: dict[str, ServeEntryPoint] = {
    entry.qualified_name: entry
    for entry in (
        ServeEntryPoint("inngest.fast_api.serve", client_index=1, functions_index=2),
        ServeEntryPoint("inngest.flask.serve", client_index=1, functions_index=2),
        ServeEntryPoint("inngest.django.serve", client_index=0, functions_index=1),
        ServeEntryPoint("inngest.tornado.serve", client_index=1, functions_index=2, sync_only=True),
        ServeEntryPoint("inngest.digital_ocean.serve", client_index=0, functions_index=1, sync_only=True),
    )
}
SERVE_FUNCTIONS_KEYWORD = "functions"
SERVE_CLIENT_KEYWORD = "client"
#: `inngest.connect.connect([(client, functions), ...])`: a list of (client, functions) pairs.
CONNECT_ENTRY_POINT = "inngest.connect.connect"
CONNECT_APPS_KEYWORD = "apps"

#: Keyword sets of each configuration class: the union over 0.3 to 0.5, because a keyword that
#: exists in any supported version is not a typo. Pydantic drops unknown keywords silently.
CONFIG_CLASS_KEYWORDS: dict[str, frozenset[str]] = {
    "inngest.TriggerEvent": frozenset({"event", "expression"}),
    "inngest.TriggerCron": frozenset({"cron", "jitter"}),
    "inngest.Event": frozenset({"name", "data", "id", "ts", "user", "meta"}),
    "inngest.Cancel": frozenset({"event", "if_exp", "timeout"}),
    "inngest.Concurrency": frozenset({"limit", "key", "scope"}),
    "inngest.Debounce": frozenset({"period", "key", "timeout"}),
    "inngest.Throttle": frozenset({"limit", "period", "key", "burst", "count"}),
    "inngest.RateLimit": frozenset({"limit", "period", "key"}),
    "inngest.Batch": frozenset({"max_size", "timeout", "key", "if_exp"}),
    "inngest.Priority": frozenset({"run"}),
    "inngest.Singleton": frozenset({"mode", "key"}),
    "inngest.Timeouts": frozenset({"start", "finish"}),
}

#: `client.create_function(...)` keywords (union over versions; all keyword-only).
CREATE_FUNCTION_KEYWORDS = frozenset(
    {
        "fn_id",
        "name",
        "trigger",
        "retries",
        "cancel",
        "concurrency",
        "debounce",
        "throttle",
        "rate_limit",
        "batch_events",
        "idempotency",
        "priority",
        "timeouts",
        "singleton",
        "on_failure",
        "middleware",
        "output_type",
        "_experimental_execution",
    }
)
CREATE_FUNCTION_ID_KEYWORD = "fn_id"
CREATE_FUNCTION_TRIGGER_KEYWORD = "trigger"
CREATE_FUNCTION_CANCEL_KEYWORD = "cancel"

#: `inngest.Inngest(...)` keywords (all keyword-only; `app_id` required).
CLIENT_KEYWORDS = frozenset(
    {
        "app_id",
        "api_base_url",
        "app_version",
        "env",
        "event_api_base_url",
        "event_key",
        "is_production",
        "logger",
        "middleware",
        "request_timeout",
        "serializer",
        "signing_key",
    }
)
CLIENT_APP_ID_KEYWORD = "app_id"
CLIENT_SECRET_KEYWORDS = frozenset({"signing_key", "event_key"})
SECRET_ENVIRONMENT_VARIABLES = frozenset({"INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY_FALLBACK"})


@dataclass(frozen=True)
class CelOption:
    """A string argument that Inngest evaluates as a CEL expression.

    `owner` is a class qualified name, `create_function` (a direct keyword), or a step method;
    `keyword` the argument; `has_async` whether `async` (the incoming event) is in scope.
    """

    owner: str
    keyword: str
    has_async: bool = False


CEL_OPTIONS: tuple[CelOption, ...] = (
    CelOption("inngest.TriggerEvent", "expression"),
    CelOption("inngest.Cancel", "if_exp", has_async=True),
    CelOption("inngest.Batch", "key"),
    CelOption("inngest.Batch", "if_exp"),
    CelOption("inngest.Concurrency", "key"),
    CelOption("inngest.Debounce", "key"),
    CelOption("inngest.Throttle", "key"),
    CelOption("inngest.RateLimit", "key"),
    CelOption("inngest.Singleton", "key"),
    CelOption("inngest.Priority", "run"),
    CelOption("create_function", "idempotency"),
    CelOption("wait_for_event", "if_exp", has_async=True),
)

#: Duration arguments: an int is milliseconds; config durations must be >= 1 s and whole seconds.
DURATION_ARGUMENTS: dict[str, frozenset[str]] = {
    "inngest.Debounce": frozenset({"period", "timeout"}),
    "inngest.Throttle": frozenset({"period"}),
    "inngest.RateLimit": frozenset({"period"}),
    "inngest.Batch": frozenset({"timeout"}),
    "inngest.Cancel": frozenset({"timeout"}),
    "inngest.Timeouts": frozenset({"start", "finish"}),
    "wait_for_event": frozenset({"timeout"}),
    "invoke": frozenset({"timeout"}),
    "invoke_by_id": frozenset({"timeout"}),
}

#: Error classes, exported at top level only (there is no public `inngest.errors` module).
NON_RETRIABLE_ERROR = "inngest.NonRetriableError"
RETRY_AFTER_ERROR = "inngest.RetryAfterError"
STEP_ERROR = "inngest.StepError"

#: Names `from inngest import X` may import, by the newest version that has them (union).
TOP_LEVEL_EXPORTS = frozenset(
    {
        "Batch",
        "Cancel",
        "Concurrency",
        "Context",
        "ContextSync",
        "Debounce",
        "Event",
        "EventMeta",
        "Function",
        "FunctionID",  # 0.3
        "Inngest",
        "JSON",
        "Middleware",
        "MiddlewareSync",
        "NonRetriableError",
        "Output",  # 0.3
        "ParallelMode",
        "Priority",
        "PydanticSerializer",
        "RateLimit",
        "RetryAfterError",
        "SendEventsResult",
        "Serializer",
        "Singleton",
        "Step",
        "StepError",
        "StepMemos",
        "StepSync",
        "Streaming",
        "Throttle",
        "Timeouts",
        "TransformOutputResult",
        "TriggerCron",
        "TriggerEvent",
        # Public submodules are importable names too (`from inngest import fast_api`).
        "fast_api",
        "flask",
        "django",
        "tornado",
        "digital_ocean",
        "connect",
        "experimental",
    }
)
PUBLIC_SUBMODULES = frozenset(
    {
        "inngest.fast_api",
        "inngest.flask",
        "inngest.django",
        "inngest.tornado",
        "inngest.digital_ocean",
        "inngest.connect",
        "inngest.experimental",
    }
)
#: Wrong module names seen in the wild, with what to write instead.
WRONG_MODULES: dict[str, str] = {
    "inngest.errors": "the error classes are top-level: `from inngest import NonRetriableError`",
    "inngest.digital_ocean_serve": "the module is `inngest.digital_ocean`, with `serve`",
    "inngest.fastapi": "the module is `inngest.fast_api`",
}

#: Wrong module names whose meaning is certain: the module the SDK ships them as, with the same
#: members (`inngest/fast_api.py`, `inngest/digital_ocean.py`). INN605's fix renames the module.
MODULE_RENAMES: dict[str, str] = {
    "inngest.fastapi": "inngest.fast_api",
    "inngest.digital_ocean_serve": "inngest.digital_ocean",
}

#: Event names the platform reserves for itself.
RESERVED_EVENT_PREFIX = "inngest/"
FUNCTION_FAILED_EVENT = "inngest/function.failed"

#: Platform limits (https://inngest.com/docs/usage-limits/inngest).
STEP_OUTPUT_LIMIT_BYTES = 4 * 1024 * 1024
MAX_TRIGGERS = 10
MAX_CONCURRENCY_ENTRIES = 2
MAX_SLEEP_SECONDS = 365 * 24 * 3600
MIN_CONFIG_DURATION_MS = 1000

#: Which context/step classes are async (`async def` handlers get `Context` whose `ctx.step` is a
#: `Step` with awaitable methods) and which are sync (plain `def` handlers get `ContextSync` and a
#: blocking `StepSync`). `ctx.group` follows the same split (`Group` / `GroupSync`).
ASYNC_CONTEXT_OR_STEP_CLASSES = frozenset({"inngest.Context", "inngest.Step"})
SYNC_CONTEXT_OR_STEP_CLASSES = frozenset({"inngest.ContextSync", "inngest.StepSync"})
#: The keyword `step.run` takes its callback by (the second positional argument otherwise).
STEP_RUN_HANDLER_KEYWORD = "handler"
#: `wait_for_event`'s required keyword-only timeout.
WAIT_FOR_EVENT_TIMEOUT_KEYWORD = "timeout"

# ------------------------------------------------------------------ config, misuse and security
#: `RetryAfterError(message, retry_after, quiet=False)`: `message` has no default; `retry_after`
#: is int milliseconds, a timedelta or a datetime. The private module that defines the class and
#: the `inngest.errors` module people import it from by mistake (INN605 flags that import; the
#: call is still meant as the SDK class) reach the same class.
RETRY_AFTER_ERROR_ALIASES = frozenset({"inngest._internal.errors.RetryAfterError", "inngest.errors.RetryAfterError"})
RETRY_AFTER_MESSAGE_KEYWORD = "message"
RETRY_AFTER_KEYWORD = "retry_after"

#: Keywords that carry an event name: `TriggerEvent(event=)`, `Cancel(event=)`,
#: `wait_for_event(event=)` listen; `Event(name=)` is sent.
EVENT_NAME_KEYWORD = "name"
LISTENED_EVENT_KEYWORD = "event"
#: `TriggerCron(cron=...)`: a 5-field cron, optionally prefixed `TZ=Zone ` or `CRON_TZ=Zone `.
TRIGGER_CRON_KEYWORD = "cron"
CRON_TIME_ZONE_PREFIXES = ("TZ=", "CRON_TZ=")

#: `step.sleep(step_id, duration)` and `step.sleep_until(step_id, until)` argument names.
STEP_SLEEP_DURATION_KEYWORD = "duration"
STEP_SLEEP_UNTIL_KEYWORD = "until"

#: Signing keys look like `signkey-<env>-<hex>` (the SDK strips `^signkey-\w+-` before `fromhex`).
SIGNING_KEY_PREFIX = "signkey-"

#: Configuration classes and `create_function` keywords the server validates together.
BATCH_CLASS = "inngest.Batch"
DEBOUNCE_CLASS = "inngest.Debounce"
PRIORITY_CLASS = "inngest.Priority"
CONCURRENCY_CLASS = "inngest.Concurrency"
RATE_LIMIT_CLASS = "inngest.RateLimit"
CREATE_FUNCTION_BATCH_KEYWORD = "batch_events"
CREATE_FUNCTION_DEBOUNCE_KEYWORD = "debounce"
CREATE_FUNCTION_PRIORITY_KEYWORD = "priority"
CREATE_FUNCTION_CONCURRENCY_KEYWORD = "concurrency"
BATCH_MAX_SIZE_KEYWORD = "max_size"
DEBOUNCE_PERIOD_KEYWORD = "period"
RATE_LIMIT_PERIOD_KEYWORD = "period"
RATE_LIMIT_LIMIT_KEYWORD = "limit"
CONCURRENCY_SCOPE_KEYWORD = "scope"
CONCURRENCY_KEY_KEYWORD = "key"
#: Concurrency scopes the server rejects without a `key` (only "fn" may go without one).
CONCURRENCY_SCOPES_NEEDING_KEY = frozenset({"account", "env"})

#: Server-side limits checked when an app syncs (inngest/inngest pkg/consts/consts.go,
#: pkg/inngest/function.go, batch.go, trigger.go, concurrency.go).
MAX_CANCELLATIONS = 5
MIN_BATCH_SIZE = 2
MAX_DEBOUNCE_PERIOD_SECONDS = 7 * 24 * 3600
MAX_RATE_LIMIT_PERIOD_SECONDS = 24 * 3600

#: Names people import from `inngest` that it does not export, with what to write instead.
WRONG_TOP_LEVEL_NAMES: dict[str, str] = {
    "errors": "the error classes are top-level: `from inngest import NonRetriableError`",
    "serve": "`serve` lives in the framework modules: `from inngest.fast_api import serve` "
    "(or flask, django, tornado, digital_ocean)",
    "Client": "the client class is `inngest.Inngest`",
    "InngestClient": "the client class is `inngest.Inngest`",
    "Trigger": "the trigger classes are `inngest.TriggerEvent` and `inngest.TriggerCron`",
    "Cron": "the cron trigger class is `inngest.TriggerCron`",
    "CronTrigger": "the cron trigger class is `inngest.TriggerCron`",
    "EventTrigger": "the event trigger class is `inngest.TriggerEvent`",
    "RetryError": "the class is `inngest.RetryAfterError`",
    "NonRetryableError": "the class is `inngest.NonRetriableError` (spelled 'Retriable')",
}
#: Names of WRONG_TOP_LEVEL_NAMES that mean one exported class: INN605's (unsafe) fix imports
#: that class under the name the code uses (`from inngest import Inngest as Client`).
TOP_LEVEL_RENAMES: dict[str, str] = {
    "Client": "Inngest",
    "InngestClient": "Inngest",
    "Cron": "TriggerCron",
    "CronTrigger": "TriggerCron",
    "EventTrigger": "TriggerEvent",
    "RetryError": "RetryAfterError",
    "NonRetryableError": "NonRetriableError",
}
#: Error classes defined in the SDK's private `inngest._internal.errors` but not exported.
INTERNAL_ERROR_CLASSES = frozenset(
    {
        "AsyncUnsupportedError",
        "CodedError",
        "EventKeyUnspecifiedError",
        "FunctionConfigInvalidError",
        "FunctionNotFoundError",
        "OutputUnserializableError",
        "SendEventsError",
        "SigningKeyMissingError",
        "StepUnexpectedError",
        "UnreachableError",
    }
)
#: The SDK's private package: it exists, so importing from it is not a wrong import.
PRIVATE_MODULE_PREFIX = "inngest._"

#: Keywords people reach for that the SDK spells differently, per owner (a class qualified name,
#: `create_function`, a step method, or the client class), where a spelling match would not find
#: the right one.
KEYWORD_CORRECTIONS: dict[str, dict[str, str]] = {
    "inngest.TriggerEvent": {
        "if_exp": "expression",
        "if_": "expression",
        "filter": "expression",
        "condition": "expression",
        "name": "event",
    },
    "inngest.Cancel": {"expression": "if_exp", "if_": "if_exp", "condition": "if_exp", "filter": "if_exp"},
    "inngest.Batch": {"expression": "if_exp", "if_": "if_exp", "size": "max_size", "max_events": "max_size"},
    "inngest.Event": {"event": "name", "payload": "data"},
    "inngest.Inngest": {"id": "app_id", "name": "app_id", "app_name": "app_id"},
    "create_function": {"id": "fn_id", "function_id": "fn_id", "triggers": "trigger", "batch": "batch_events"},
    "wait_for_event": {"expression": "if_exp", "if_": "if_exp", "condition": "if_exp", "name": "event"},
    "invoke": {"payload": "data", "args": "data", "fn": "function"},
}
#: The keyword holding each owner's CEL filter (an event filter, not a key).
FILTER_KEYWORDS: dict[str, str] = {
    "inngest.TriggerEvent": "expression",
    "inngest.Cancel": "if_exp",
    "inngest.Batch": "if_exp",
    "wait_for_event": "if_exp",
}
#: `Cancel(timeout=...)`: how long the cancellation listens (the server caps it at one year).
CANCEL_TIMEOUT_KEYWORD = "timeout"
#: The environment variables the client reads its keys from (what INN601 tells people to use).
SIGNING_KEY_ENVIRONMENT_VARIABLE = "INNGEST_SIGNING_KEY"
EVENT_KEY_ENVIRONMENT_VARIABLE = "INNGEST_EVENT_KEY"
#: The two `CLIENT_SECRET_KEYWORDS`, told apart.
CLIENT_SIGNING_KEY_KEYWORD = "signing_key"
CLIENT_EVENT_KEY_KEYWORD = "event_key"
#: `create_function(_experimental_execution=True)` (SDK 0.4 only) ran steps scheduled through
#: `asyncio.gather`/`create_task` correctly; 0.5 removed the option.
EXPERIMENTAL_EXECUTION_KEYWORD = "_experimental_execution"


# ------------------------------------------------------------------ step tools, defer, experiments
#: Step tools: attributes of a step object holding more step methods, each taking a step ID first
#: (`step.ai.infer(step_id, adapter=..., body=...)`: `AI.infer` in `step_lib/step_async.py`).
#: `FileContext.step_method` names such a call "tool.method" (`ai.infer`).
STEP_TOOL_METHODS: dict[str, frozenset[str]] = {"ai": frozenset({"infer"})}
STEP_AI_INFER = "ai.infer"
#: Group methods that are steps: `ctx.group.experiment(experiment_id, variants=..., select=...)`
#: (0.5.20, `Group.experiment` in `step_lib/group.py`) memoizes its variant choice under a step
#: ID. `FileContext.step_method` names it "group.experiment".
GROUP_STEP_METHODS = frozenset({"experiment"})
GROUP_EXPERIMENT = "group.experiment"
#: Every step call whose first argument (or `step_id=`) is a step ID, as `step_method` names it.
STEP_ID_METHODS = STEP_METHODS | {STEP_AI_INFER, GROUP_EXPERIMENT}
#: `ctx.group.parallel(callables, parallel_mode=...)`: its keywords (`Group.parallel`).
GROUP_PARALLEL_KEYWORDS = frozenset({"callables", "parallel_mode"})
GROUP_PARALLEL_LABEL = "group.parallel"

#: `EventMeta` (0.5.20): session metadata for `Event(meta=)`, `step.invoke(meta=)`, `ctx.defer(meta=)`.
EVENT_META_CLASS = "inngest.EventMeta"

#: `ctx.defer(defer_id, *, function, data, meta=None, experiment=None)` (0.5.20, `Context.defer`
#: in `execution_lib/models.py`): schedules a deferred function when the run ends. A repeated
#: defer ID is logged and skipped (`deferred.add` in `inngest/_internal/deferred.py`).
CONTEXT_DEFER_METHOD = "defer"
CONTEXT_DEFER_KEYWORDS = frozenset({"defer_id", "function", "data", "meta", "experiment"})
#: `@inngest.experimental.create_defer(client, fn_id=...)` (0.5.20, `experimental/deferred.py`)
#: creates a Function like `create_function` does (its trigger is supplied by the SDK): it must
#: be served like any other function.
CREATE_DEFER_FUNCTION = "inngest.experimental.create_defer"
CREATE_DEFER_CLIENT_KEYWORD = "client"

#: `@inngest.experimental.step(step_id)` turns a function into a step: calling it inside an Inngest
#: function runs it with `step.run(step_id, ...)` (`step` in `execution_lib/context_var.py`).
EXPERIMENTAL_STEP_DECORATOR = "inngest.experimental.step"

#: SDK calls that do I/O, like an HTTP request: the experimental scoring methods on the client
#: (0.5.20, `Inngest.score*` in `client_lib/client.py`) and realtime publishing
#: (`inngest.experimental.realtime.publish`, which POSTs to the Inngest API).
CLIENT_IO_METHODS = frozenset({"score", "score_sync", "score_experiment", "score_experiment_sync"})
IO_FUNCTIONS = frozenset({"inngest.experimental.realtime.publish", "inngest.experimental.realtime.publish_sync"})

# ------------------------------------------------------------------ how each version calls a handler
#: SDK 0.3 and 0.4 call the handler `handler(ctx=ctx, step=step)` by keyword (0.3:
#: `Function.call` in `inngest/_internal/function.py`; 0.4: `ExecutionV0.run` in
#: `inngest/_internal/execution_lib/v0.py`); 0.5 calls `handler(ctx)` (`ExecutionV0.run`, same
#: file). The same goes for the `on_failure` handler, which `Function.call` picks instead.
HANDLER_KEYWORD_CALL_VERSIONS = ((0, 3), (0, 4))
HANDLER_CONTEXT_KEYWORD = "ctx"
HANDLER_STEP_KEYWORD = "step"
CREATE_FUNCTION_ON_FAILURE_KEYWORD = "on_failure"
#: The newest release this table was written against (assumed when a project's version is unknown).
NEWEST_VERSION = (0, 5, 20)
# ------------------------------------------------------------------ logging during replay
#: `ctx.logger`: the client's logger, wrapped by the default `LoggerMiddleware`
#: (`inngest/_internal/middleware_lib/log.py`) in a `FilteredLogger` (`inngest/_internal/log.py`)
#: whose methods are no-ops until `before_execution` (memoized steps all replayed).
CONTEXT_LOGGER_ATTRIBUTE = "logger"
FILTERED_LOGGER_METHODS = frozenset(
    {"critical", "debug", "error", "exception", "fatal", "info", "log", "warn", "warning"}
)

#: The most steps one function run may make (https://inngest.com/docs/usage-limits/inngest,
#: "Number of Steps per Function"); the server fails the run past it.
MAX_STEPS_PER_FUNCTION = 1000

#: `client.send(events)` / `send_sync(events)`: the keyword of the first argument, and the
#: `Event` field Inngest deduplicates sends by (`inngest/_internal/server_lib/event.py`).
CLIENT_SEND_EVENTS_KEYWORD = "events"
EVENT_ID_KEYWORD = "id"

#: A reused step ID's Nth repeat is memoized as `<id>:<N>` (`StepBase._parse_step_id` and
#: `StepIDCounter`, `inngest/_internal/step_lib/base.py`, 0.3 to 0.5).
STEP_ID_REPEAT_SEPARATOR = ":"

#: `create_function(on_failure=handler)`: the handler runs as a separate function triggered by
#: `inngest/function.failed` (`Function.get_config`, `inngest/_internal/function.py`), so its
#: `ctx.event` is that event, whose data holds these keys; the failed run's own event is under
#: `event` (https://www.inngest.com/docs/reference/system-events/inngest-function-failed).
FUNCTION_FAILED_DATA_KEYS = frozenset({"error", "event", "function_id", "run_id"})
FUNCTION_FAILED_ORIGINAL_EVENT_KEY = "event"

#: The parameters of each serve entry point: positional-or-keyword ones in order, then the
#: keyword-only ones (union over 0.3 to 0.5: `async_mode` is Django's in 0.3 only, `streaming`
#: FastAPI's). A call that misses one of the first or names another is a `TypeError` at import.
SERVE_POSITIONAL_PARAMETERS: dict[str, tuple[str, ...]] = {
    "inngest.fast_api.serve": ("app", "client", "functions"),
    "inngest.flask.serve": ("app", "client", "functions"),
    "inngest.tornado.serve": ("app", "client", "functions"),
    "inngest.django.serve": ("client", "functions"),
    "inngest.digital_ocean.serve": ("client", "functions"),
    "inngest.connect.connect": ("apps",),
}
_SERVE_COMMON_KEYWORDS = frozenset({"enable_unauthed_sync", "public_path", "serve_origin", "serve_path"})
SERVE_KEYWORD_ONLY_PARAMETERS: dict[str, frozenset[str]] = {
    "inngest.fast_api.serve": _SERVE_COMMON_KEYWORDS | {"streaming"},
    "inngest.flask.serve": _SERVE_COMMON_KEYWORDS,
    "inngest.tornado.serve": _SERVE_COMMON_KEYWORDS,
    "inngest.django.serve": _SERVE_COMMON_KEYWORDS | {"async_mode"},
    "inngest.digital_ocean.serve": _SERVE_COMMON_KEYWORDS,
    "inngest.connect.connect": frozenset(
        {"instance_id", "rewrite_gateway_endpoint", "shutdown_signals", "max_worker_concurrency", "max_concurrency"}
    ),
}
#: `inngest.django.serve(...)` returns a URL pattern that must go into `urlpatterns`.
DJANGO_SERVE = "inngest.django.serve"

#: `Inngest(is_production=False)` and a truthy `INNGEST_DEV` put the client in Dev Server mode
#: (`_get_mode`, `inngest/_internal/client_lib/client.py`), where `net.validate_request` skips
#: the request signature check. `env_lib.is_truthy` reads these values as false.
CLIENT_IS_PRODUCTION_KEYWORD = "is_production"
DEV_ENVIRONMENT_VARIABLE = "INNGEST_DEV"
FALSY_ENVIRONMENT_VALUES = frozenset({"false", "0", ""})

#: Middleware base classes: `Middleware` has `async def` hooks, `MiddlewareSync` plain ones
#: (`inngest/_internal/middleware_lib/middleware.py`). `MiddlewareManager`'s `*_sync` hooks
#: (`manager.py`) answer an async hook with `AsyncUnsupportedError`.
ASYNC_MIDDLEWARE_CLASS = "inngest.Middleware"
SYNC_MIDDLEWARE_CLASS = "inngest.MiddlewareSync"
MIDDLEWARE_KEYWORD = "middleware"
CLIENT_SYNC_SEND_METHOD = "send_sync"
