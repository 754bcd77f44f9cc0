"""Shared machinery of the replay rules (INN107-INN109, INN115, INN117, INN118, INN502).

Inngest runs a function by calling its handler once per step: completed steps return their
memoized output and only the next step executes. Two questions follow for every node the
walker visits, and these rules must answer them the same way:

- *Does this code re-run on every re-entry?* It does directly in the Inngest function body, and
  in the lambdas given to `ctx.group.parallel` (they are called each time to plan the steps).
  It does not in a step handler, nor in a nested def or other lambda whose call we cannot see.
  `ReplayBody` answers this, and holds findings until the function ends so that rules can stay
  silent in functions that make no step call (their body runs once per attempt).
- *Is this code a step handler?* The semantic model marks lambdas passed to `step.run` and
  nested defs whose name is passed to it. `StepHandlers` adds lambdas bound to a name that is
  passed to `step.run`, and module-level defs of this file passed to `step.run` in this file
  (only known once the whole file was walked), and records whether each use gives
  `output_type=`.

It also holds the small, precise tables of calls these rules recognise (sleeps, HTTP calls,
HTTP client classes, database writes) and a resolver that tells, with certainty or not at all,
which HTTP client class a name holds.

Two judgements are shared with the fact collector, which applies them to the own body of every
module-level def so that phase 2 can follow the project helpers an Inngest function calls:
`SideEffects` (what INN109 calls a side effect) and `swallowing_handlers` (what INN117 calls
a broad `except` that turns a failure into a success). One implementation, so a helper is
judged exactly as a function body is.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import libcst as cst

from inngest_lint import sdk
from inngest_lint.semantic.context import snippet
from inngest_lint.semantic.names import (
    dotted_name,
    import_bindings,
    literal_string,
    target_names,
)
from inngest_lint.semantic.replay_flow import StepOrder, is_plan_call, step_order
from inngest_lint.semantic.traverse import children
from inngest_lint.semantic.values import argument, keyword, positional

if TYPE_CHECKING:
    from inngest_lint.diagnostics import Fix
    from inngest_lint.semantic.context import FileContext, Frame, InngestFunctionInfo

# ------------------------------------------------------------------------------------ tables
#: Blocking waits that should be `ctx.step.sleep` in an Inngest function body.
SLEEP_CALLS = frozenset({"time.sleep", "asyncio.sleep"})
#: Literal durations (seconds) below this are a yield or a tiny back-off, not a wait to make durable.
SHORTEST_FLAGGED_SLEEP_SECONDS = 1.0

FUNCTOOLS_PARTIAL = "functools.partial"

#: Module-level HTTP functions, by library.
HTTP_MODULE_FUNCTIONS: dict[str, frozenset[str]] = {
    "requests": frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"}),
    "httpx": frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"}),
}
URLOPEN = "urllib.request.urlopen"
#: Text that any file making HTTP calls through these libraries contains (a cheap pre-check).
_HTTP_LIBRARY_NAMES = ("requests", "httpx", "aiohttp", "urllib")

#: Classes whose instances make HTTP requests, mapped to their library.
HTTP_CLIENT_CLASSES: dict[str, str] = {
    "requests.Session": "requests",
    "requests.session": "requests",
    "requests.sessions.Session": "requests",
    "httpx.Client": "httpx",
    "httpx.AsyncClient": "httpx",
    "aiohttp.ClientSession": "aiohttp",
}
#: Methods of those clients that send a request.
HTTP_CLIENT_METHODS: dict[str, frozenset[str]] = {
    "requests": frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"}),
    "httpx": frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"}),
    "aiohttp": frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "ws_connect"}),
}
#: `requests` calls that accept `timeout=` and wait forever without it (`requests` has no default).
REQUESTS_TIMEOUT_METHODS = HTTP_MODULE_FUNCTIONS["requests"]
#: `Session.request(method, url, params, data, headers, cookies, files, auth, timeout, ...)`.
SESSION_REQUEST_TIMEOUT_INDEX = 8
#: `urlopen(url, data=None, timeout=...)`.
URLOPEN_TIMEOUT_INDEX = 2

#: SQL statements that write (a literal SQL text starting with one of these is a write).
SQL_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT"})
#: DB-API / SQLAlchemy / asyncpg methods that run a SQL text given as first argument.
SQL_EXECUTE_METHODS = frozenset(
    {"execute", "executemany", "executescript", "exec_driver_sql", "fetch", "fetchrow", "fetchval"}
)
#: SQLAlchemy wrappers of a SQL text, and statement builders that always write.
SQL_TEXT_WRAPPERS = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"})
SQLALCHEMY_WRITE_BUILDERS = frozenset(
    {
        "sqlalchemy.insert",
        "sqlalchemy.update",
        "sqlalchemy.delete",
        "sqlalchemy.sql.insert",
        "sqlalchemy.sql.update",
        "sqlalchemy.sql.delete",
        "sqlalchemy.dialects.postgresql.insert",
        "sqlalchemy.dialects.sqlite.insert",
        "sqlalchemy.dialects.mysql.insert",
    }
)
#: Receivers whose argument-less `.commit()` is a database commit (`session`, `db.session`, `conn`).
COMMIT_RECEIVER = re.compile(
    r"(?:^|_)(?:session|conn|connection|db|database|transaction|txn|tx|uow|unit_of_work)$|session$|connection$"
)
#: Django manager methods that write (`Order.objects.create(...)`).
DJANGO_MANAGER_WRITES = frozenset({"create", "bulk_create", "bulk_update", "update_or_create", "get_or_create"})
#: Django queryset methods that write (`Order.objects.filter(...).update(...)`).
DJANGO_QUERYSET_WRITES = frozenset({"update", "delete"})
#: pymongo / motor collection methods: their names are specific enough to be evidence alone.
MONGO_WRITE_METHODS = frozenset(
    {
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "replace_one",
        "delete_one",
        "delete_many",
        "find_one_and_update",
        "find_one_and_replace",
        "find_one_and_delete",
        "bulk_write",
    }
)


# ------------------------------------------------------------------------------------ small helpers
def unwrap_await(node: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(node, cst.Await):
        node = node.expression
    return node


def call_label(context: FileContext, call: cst.Call) -> str:
    """`requests.get()` / `session.commit()`: how a message names a call."""
    return f"{snippet(context, call.func)}()"


def function_label(info: InngestFunctionInfo) -> str:
    return f"'{info.handler.name.value}'" if info.handler is not None else "this Inngest function"


def step_spelling(info: InngestFunctionInfo) -> str:
    """How this function's code reaches the step object: `ctx.step` (0.5) or `step` (0.3/0.4)."""
    handler = info.handler
    positional_params = [*handler.params.posonly_params, *handler.params.params] if handler is not None else []
    if info.shape == "ctx_step" and len(positional_params) >= 2:
        return positional_params[1].name.value
    if positional_params:
        return f"{positional_params[0].name.value}.{sdk.CONTEXT_STEP_ATTRIBUTE}"
    return f"ctx.{sdk.CONTEXT_STEP_ATTRIBUTE}"


def has_keyword_splat(call: cst.Call) -> bool:
    return any(arg.star == "**" for arg in call.args)


def has_star_args(call: cst.Call) -> bool:
    return any(arg.star == "*" for arg in call.args)


def positional_count(call: cst.Call) -> int:
    return sum(1 for arg in call.args if arg.keyword is None and not arg.star)


def statements_without_nested_scopes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under `node`, not entering nested defs, lambdas or classes."""
    stack: list[cst.CSTNode] = list(children(node))
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            continue
        yield current
        stack.extend(children(current))


# ------------------------------------------------------------------------------------ bindings
def binding_frame(context: FileContext, name: str) -> tuple[int, Frame] | None:
    """(index, frame) of the scope that binds `name` as seen from the current node.

    A parameter's scope counts (callers that need a value check `frame.params`). None when the
    file does not bind `name` at all (a builtin, a star import). `global`/`nonlocal`
    declarations are looked through; class bodies are skipped, as Python's name lookup does.
    """
    for index in range(len(context.frames) - 1, -1, -1):
        frame = context.frames[index]
        if frame.kind == "class":
            continue
        if frame.kind == "module":
            return (index, frame) if name in frame.scan.bound else None
        if name in frame.params:
            return index, frame
        if name in frame.scan.bound and name not in frame.scan.globals:
            return index, frame
    return None


def _scope_body(context: FileContext, frame: Frame) -> Sequence[cst.CSTNode] | None:
    if frame.kind == "module":
        return list(context.tree.body)
    if frame.kind == "def" and isinstance(frame.node, cst.FunctionDef):
        return [frame.node.body]
    return None


def scope_bindings(statements: Iterable[cst.CSTNode]) -> dict[str, list[cst.BaseExpression] | None]:
    """Every name a scope binds, with the values it is bound to by `name = value` or
    `with value as name`; None for a name that is also bound another way (a loop target, an
    augmented assignment, an import, a def, a walrus, an `except ... as`), whose value is then
    not certain. Nested scopes are not entered. One walk serves every name of the scope.
    """
    found: dict[str, list[cst.BaseExpression] | None] = {}

    def add(name: str, value: cst.BaseExpression) -> None:
        values = found.setdefault(name, [])
        if values is not None:
            values.append(value)

    def opaque(names: Iterable[str]) -> None:
        for name in names:
            found[name] = None

    stack: list[cst.CSTNode] = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            opaque([node.name.value])
            continue
        if isinstance(node, (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            continue
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    add(target.target.value, node.value)
                else:
                    opaque(target_names(target.target))
        elif isinstance(node, cst.AnnAssign):
            if isinstance(node.target, cst.Name) and node.value is not None:
                add(node.target.value, node.value)
        elif isinstance(node, cst.AugAssign):
            if isinstance(node.target, cst.Name):
                opaque([node.target.value])
        elif isinstance(node, cst.For):
            opaque(target_names(node.target))
        elif isinstance(node, cst.WithItem):
            if node.asname is not None:
                bound = node.asname.name
                if isinstance(bound, cst.Name):
                    add(bound.value, node.item)
                else:
                    opaque(target_names(bound))
        elif isinstance(node, cst.ExceptHandler):
            if node.name is not None and isinstance(node.name.name, cst.Name):
                opaque([node.name.name.value])
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            opaque(local for local, _ in import_bindings(node, "", False))
        elif isinstance(node, cst.NamedExpr):
            if isinstance(node.target, cst.Name):
                opaque([node.target.value])
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            opaque(item.name.value for item in node.names)
        elif isinstance(node, (cst.MatchAs, cst.MatchStar)):
            if node.name is not None:
                opaque([node.name.value])
        elif isinstance(node, cst.Del):
            opaque(target_names(node.target))
        stack.extend(children(node))
    return found


#: Binding indexes per file and scope, shared by every rule of the file.
_SCOPE_INDEXES: weakref.WeakKeyDictionary[FileContext, dict[int, dict[str, list[cst.BaseExpression] | None]]] = (
    weakref.WeakKeyDictionary()
)


def scope_values(context: FileContext, frame: Frame, name: str) -> list[cst.BaseExpression] | None:
    """The values `name` is certainly bound to in `frame`'s scope (see `scope_bindings`)."""
    if name in frame.params:
        return None
    scan = frame.scan
    if (
        name in scan.assignments
        and name not in scan.other
        and name not in scan.imports
        and name not in scan.defs
        and name not in scan.classes
    ):
        # Only plain assignments bind it: the model's own scan already holds the values, so the
        # scope need not be walked again (a walrus rebinding is the one form it does not see).
        return list(scan.assignments[name]) or None
    indexes = _SCOPE_INDEXES.setdefault(context, {})
    index = indexes.get(id(frame.node))
    if index is None:
        body = _scope_body(context, frame)
        index = scope_bindings(body) if body is not None else {}
        indexes[id(frame.node)] = index
    return index.get(name) or None


class Origins:
    """Which HTTP client class a name holds, when every binding of it says so.

    `with httpx.AsyncClient() as http`, `session = requests.Session()` in the same function or
    at module level: certain. A parameter, an attribute, a value from a helper: unknown.
    """

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self._mentions_http: bool | None = None

    def mentions_http_library(self) -> bool:
        """Whether the file's text names an HTTP library at all (else no call can be HTTP)."""
        if self._mentions_http is None:
            source = self.context.source
            self._mentions_http = any(library in source for library in _HTTP_LIBRARY_NAMES)
        return self._mentions_http

    def values_of(self, name: str) -> list[cst.BaseExpression] | None:
        found = binding_frame(self.context, name)
        if found is None:
            return None
        return scope_values(self.context, found[1], name)

    def client_library(self, node: cst.BaseExpression, depth: int = 0) -> str | None:
        """`requests` / `httpx` / `aiohttp` when `node` is certainly an instance of their client."""
        node = unwrap_await(node)
        if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
            return HTTP_CLIENT_CLASSES.get(self.context.qualify(node.func) or "")
        if isinstance(node, cst.Name) and depth < 3:
            values = self.values_of(node.value)
            if not values:
                return None
            libraries = {self.client_library(value, depth + 1) for value in values}
            if len(libraries) == 1:
                return next(iter(libraries))
        return None

    def http_call(self, call: cst.Call) -> tuple[str, str] | None:
        """(library, method) for an HTTP request call, through module functions or clients.

        Library is `requests`, `httpx`, `aiohttp` or `urllib`; a client method call is only
        recognised when the client's class is certain.
        """
        func = call.func
        if not isinstance(func, (cst.Name, cst.Attribute)) or not self.mentions_http_library():
            return None
        qualified = self.context.qualify(func)
        if qualified == URLOPEN:
            return "urllib", "urlopen"
        if qualified is not None:
            library, _, method = qualified.rpartition(".")
            if method in HTTP_MODULE_FUNCTIONS.get(library, ()):
                return library, method
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if not any(method in methods for methods in HTTP_CLIENT_METHODS.values()):
                return None
            client_library = self.client_library(func.value)
            if client_library is not None and method in HTTP_CLIENT_METHODS[client_library]:
                return client_library, f"{client_library}-client.{method}"
        return None

    def is_http_response(self, node: cst.BaseExpression, depth: int = 0) -> str | None:
        """The library of an HTTP response object (`response = requests.get(...)`), else None."""
        node = unwrap_await(node)
        if isinstance(node, cst.Call):
            found = self.http_call(node)
            return found[0] if found else None
        if isinstance(node, cst.Name) and depth < 3:
            values = self.values_of(node.value)
            if not values:
                return None
            libraries = {self.is_http_response(value, depth + 1) for value in values}
            if len(libraries) == 1:
                return next(iter(libraries))
        return None


# ------------------------------------------------------------------------------------ database writes
def _sql_text(context: FileContext, node: cst.BaseExpression) -> str | None:
    """The leading literal text of a SQL argument (a string, an f-string, or `text("...")`)."""
    literal = literal_string(node)
    if literal is not None:
        return literal
    if isinstance(node, cst.FormattedString):
        if node.parts and isinstance(node.parts[0], cst.FormattedStringText):
            return node.parts[0].value
        return None
    if isinstance(node, cst.ConcatenatedString):
        return _sql_text(context, node.left)
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, (cst.Name, cst.Attribute))
        and node.args
        and context.qualify(node.func) in SQL_TEXT_WRAPPERS
    ):
        return _sql_text(context, node.args[0].value)
    return None


_SQL_COMMENT = re.compile(r"^\s*(?:--[^\n]*\n|/\*.*?\*/)", re.DOTALL)


def sql_verb(text: str) -> str:
    """The first keyword of a SQL text, upper-case, after leading comments."""
    previous = None
    while previous != text:
        previous = text
        text = _SQL_COMMENT.sub("", text, count=1)
    words = text.strip().split(None, 1)
    return words[0].upper().rstrip(";(") if words else ""


def _builder_root(context: FileContext, node: cst.BaseExpression) -> str | None:
    """`insert(t).values(...)`: the qualified name of the call at the root of a method chain."""
    while True:
        if isinstance(node, cst.Call):
            if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call):
                node = node.func.value
                continue
            if isinstance(node.func, (cst.Name, cst.Attribute)):
                return context.qualify(node.func)
            return None
        return None


def _django_manager(node: cst.BaseExpression) -> bool:
    """`Order.objects` (a capitalised model name), possibly followed by queryset calls."""
    while True:
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Attribute):
            if node.attr.value == "objects":
                return isinstance(node.value, cst.Name) and node.value.value[:1].isupper()
            node = node.value
        else:
            return False


def db_write(context: FileContext, call: cst.Call) -> tuple[str, str] | None:
    """How `call` certainly writes to a database, as (system, action), or None: ("database",
    "commit"), ("sql", the statement's verb), ("sql", "statement") for a SQLAlchemy write
    statement, ("django", "write"), ("mongo", "write").

    The set is small on purpose: an argument-less `.commit()` on a session or connection, a
    SQL text whose first keyword writes, a SQLAlchemy insert/update/delete statement, a Django
    manager write, a pymongo/motor write method. `.save()`, `.delete()` or `.add()` on an
    arbitrary object are not evidence enough.
    """
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    if method == "commit" and not call.args:
        receiver = dotted_name(func.value)
        if receiver is not None and COMMIT_RECEIVER.search(receiver.rsplit(".", 1)[-1].lower()):
            return "database", "commit"
        return None
    if method in SQL_EXECUTE_METHODS and call.args:
        first = positional(call, 0)
        if first is None:
            return None
        text = _sql_text(context, first)
        if text is not None:
            verb = sql_verb(text)
            return ("sql", verb) if verb in SQL_WRITE_VERBS else None
        if _builder_root(context, first) in SQLALCHEMY_WRITE_BUILDERS:
            return "sql", "statement"
        return None
    if method in DJANGO_MANAGER_WRITES and isinstance(func.value, cst.Attribute) and func.value.attr.value == "objects":
        return ("django", "write") if _django_manager(func.value) else None
    if method in DJANGO_QUERYSET_WRITES and isinstance(func.value, cst.Call) and _django_manager(func.value):
        return "django", "write"
    if method in DJANGO_QUERYSET_WRITES and isinstance(func.value, cst.Name):
        # A query set kept in a variable first: `qs = Post.objects.filter(...)`, `qs.update(...)`
        # (the one value the nearest scope assigns to the name).
        value = context.local_value(func.value.value)
        if isinstance(value, cst.Call) and _django_manager(value):
            return "django", "write"
    if method in MONGO_WRITE_METHODS:
        return "mongo", "write"
    return None


# ------------------------------------------------------------------------------------ Inngest clients
class InngestClients:
    """Whether an expression is an Inngest client of this file.

    A client is a module name assigned `inngest.Inngest(...)` in this file, or a name (imported
    or not) used as the receiver of `.create_function(...)` somewhere in this file.
    """

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self._receivers: set[str] | None = None

    def _module_qualify(self, node: cst.BaseExpression) -> str | None:
        """Qualify with module-level bindings only (create_function receivers are global)."""
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        scan = self.context.module_scan
        if head in scan.imports:
            target = scan.imports[head]
            return f"{target}.{rest}" if rest else target
        if head in scan.bound:
            module = self.context.module
            return f"{module}.{name}" if module else name
        return None

    def receivers(self) -> set[str]:
        if self._receivers is None:
            found: set[str] = set()
            for node in _walk(self.context.tree):
                if (
                    isinstance(node, cst.Call)
                    and isinstance(node.func, cst.Attribute)
                    and node.func.attr.value == sdk.CREATE_FUNCTION_METHOD
                ):
                    qualified = self._module_qualify(node.func.value)
                    if qualified is not None:
                        found.add(qualified)
            self._receivers = found
        return self._receivers

    def is_client(self, node: cst.BaseExpression) -> bool:
        qualified = self.context.qualify(node)
        if qualified is None:
            return False
        if qualified in self.receivers():
            return True
        name = dotted_name(node)
        if name is None or "." in name:
            return False
        module = self.context.module
        if qualified != (f"{module}.{name}" if module else name):
            return False  # bound by an import or shadowed: not this file's module variable
        value = self.context.module_value(name)
        return (
            isinstance(value, cst.Call)
            and isinstance(value.func, (cst.Name, cst.Attribute))
            and self._module_qualify(value.func) == sdk.CLIENT_CLASS
        )


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(children(current))


# ------------------------------------------------------------------------------------ side effects
@dataclass(frozen=True)
class SideEffect:
    """A call that certainly acts on the outside world, of a kind that side-effect-outside-step
    (INN109) reports: what it is, which INN109 puts in words.

    kind: "send" (`send`/`send_sync` on an Inngest client), "http" (a request), "db" (a write)
    or "sdk" (another SDK call that writes through the Inngest API: `client.score(...)`,
    `realtime.publish(...)`). `label` is the call as written (`requests.post()`). For "http",
    `system` is the library and `action` the method called (`httpx`, `post`); for "db", what
    `db_write` says (`sql`, `INSERT`); for "sdk", `inngest` and what it does (`score`,
    `realtime publish`); both empty for "send".
    """

    kind: Literal["send", "http", "db", "sdk"]
    label: str
    system: str = ""
    action: str = ""


def long_sleep(context: FileContext, node: cst.Call) -> str | None:
    """`time.sleep` or `asyncio.sleep` (any import style) for a second or more, or for a computed
    time: its qualified name, else None. The one answer sleep-in-function (INN107) and the fact
    collector (a helper's first such sleep) share."""
    if not isinstance(node.func, (cst.Name, cst.Attribute)):
        return None
    qualified = context.qualify(node.func)
    if qualified not in SLEEP_CALLS:
        return None
    duration = argument(node, 0, "seconds" if qualified == "time.sleep" else "delay")
    if isinstance(duration, (cst.Integer, cst.Float)):
        try:
            if float(duration.value.replace("_", "")) < SHORTEST_FLAGGED_SLEEP_SECONDS:
                return None
        except ValueError:
            pass
    return qualified


class MissingTimeouts:
    """Which HTTP calls certainly wait forever: `requests` functions and `urlopen` without
    `timeout=`, and the same methods of a `requests.Session` whose class is certain when the file
    mounts no transport adapter (`session.mount(...)` is how a default timeout is usually set).
    The one answer that http-without-timeout-in-step (INN118) and the fact collector (which
    records a helper's first such call) share. httpx and aiohttp default to a timeout."""

    def __init__(self, context: FileContext, origins: Origins | None = None) -> None:
        self.context = context
        self.origins = origins or Origins(context)
        self._mounts: bool | None = None

    def of(self, node: cst.Call) -> bool:
        if not isinstance(node.func, (cst.Name, cst.Attribute)):
            return False
        if has_keyword_splat(node) or keyword(node, "timeout") is not None:
            return False
        found = self.origins.http_call(node)
        if found is None:
            return False
        library, method = found
        if library == "urllib":
            return not (has_star_args(node) or positional_count(node) > URLOPEN_TIMEOUT_INDEX)
        if library != "requests":
            return False
        short = method.rsplit(".", 1)[-1]
        if short not in REQUESTS_TIMEOUT_METHODS:
            return False
        if method.startswith("requests-client."):
            if self._file_mounts_adapters():
                return False
            if short == "request" and (has_star_args(node) or positional_count(node) > SESSION_REQUEST_TIMEOUT_INDEX):
                return False
        return True

    def _file_mounts_adapters(self) -> bool:
        """Whether the file calls `.mount(...)` anywhere (a transport adapter may set a timeout)."""
        if self._mounts is None:
            self._mounts = False
            stack: list[cst.CSTNode] = [self.context.tree]
            while stack:
                current = stack.pop()
                if (
                    isinstance(current, cst.Call)
                    and isinstance(current.func, cst.Attribute)
                    and current.func.attr.value == "mount"
                ):
                    self._mounts = True
                    break
                stack.extend(children(current))
        return self._mounts


class SideEffects:
    """Which calls are certain side effects: the one answer that the file rule INN109 and the
    fact collector (which records a helper's first side effect) share."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.origins = Origins(context)
        self.clients = InngestClients(context)

    def of(self, call: cst.Call) -> SideEffect | None:
        func = call.func
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return None
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in sdk.CLIENT_SEND_METHODS
            and self.clients.is_client(func.value)
        ):
            return SideEffect("send", call_label(self.context, call))
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in sdk.CLIENT_IO_METHODS
            and self.clients.is_client(func.value)
        ):
            return SideEffect("sdk", call_label(self.context, call), "inngest", "score")
        if self.context.qualify(func) in sdk.IO_FUNCTIONS:
            return SideEffect("sdk", call_label(self.context, call), "inngest", "realtime publish")
        http = self.origins.http_call(call)
        if http is not None:
            library, method = http
            return SideEffect("http", call_label(self.context, call), library, method.rsplit(".", 1)[-1])
        write = db_write(self.context, call)
        if write is not None:
            return SideEffect("db", call_label(self.context, call), *write)
        return None


# ------------------------------------------------------------------------------------ re-run body
@dataclass
class Held:
    """A finding held until its function ends: reported with `message` if the function made a
    step call and one can still follow the node (so it re-runs), else with
    `message_without_steps` (None: not reported at all), as in a function with no step call.
    """

    node: cst.CSTNode
    message: str
    context: str = ""
    message_without_steps: str | None = None
    fix: Fix | None = None
    # Set by `ReplayBody.hold`: whether a step call can still follow the node.
    precedes_step: bool = True


@dataclass
class FunctionState:
    """One Inngest function being walked: whether it made a step call, which of its code a step
    call can still follow, and held findings."""

    info: InngestFunctionInfo
    node: cst.FunctionDef
    order: StepOrder
    step_calls: int = 0
    held: list[Held] = field(default_factory=list)


class ReplayBody:
    """Tracks which code re-runs on every re-entry, and holds findings until the function ends.

    Code re-runs when it is in the function body (or a lambda given to `ctx.group.parallel`),
    the function makes a step call, and a step call can still follow it (`StepOrder`, in
    `semantic.replay_flow`): code no step call can follow runs once per attempt, like the body of a
    function without steps. The owning rule forwards `visit_FunctionDef`, `leave_FunctionDef`,
    `visit_Call` and `leave_Call` to it.
    """

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.functions: list[FunctionState] = []
        self.plan_lambdas: set[int] = set()
        self._step_calls: list[cst.Call] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        info = self.context.frame.inngest
        if info is not None:
            self.functions.append(FunctionState(info, node, step_order(self.context, node)))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> list[tuple[cst.CSTNode, str, str, Fix | None]]:
        """(node, message, context, fix) to report for the function `node` closes."""
        if not self.functions or self.functions[-1].node is not node:
            return []
        state = self.functions.pop()
        found: list[tuple[cst.CSTNode, str, str, Fix | None]] = []
        for held in state.held:
            if state.step_calls and held.precedes_step:
                found.append((held.node, held.message, held.context, held.fix))
            elif held.message_without_steps is not None:
                found.append((held.node, held.message_without_steps, held.context, held.fix))
        return found

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        is_step = context.step_method(node) is not None
        is_plan = is_plan_call(context, node)
        if is_step or is_plan:
            owner = context.enclosing_function()
            for state in self.functions:
                if state.info is owner:
                    state.step_calls += 1
        if is_plan:
            callables = argument(node, 0, "callables")
            if isinstance(callables, (cst.Tuple, cst.List)):
                for element in callables.elements:
                    if isinstance(element.value, cst.Lambda):
                        self.plan_lambdas.add(id(element.value))
        if is_step:
            self._step_calls.append(node)

    def leave_Call(self, node: cst.Call) -> None:
        if self._step_calls and self._step_calls[-1] is node:
            self._step_calls.pop()

    def state(self) -> FunctionState | None:
        """The function whose body the current node re-runs in on every re-entry, else None.

        That is the Inngest function's own frame, or a lambda given to `ctx.group.parallel`
        in it. Step handlers, nested defs, classes and other lambdas are not the body.
        """
        for frame in reversed(self.context.frames):
            if frame.inngest is not None:
                return next((state for state in self.functions if state.info is frame.inngest), None)
            if frame.kind == "lambda" and id(frame.node) in self.plan_lambdas and not frame.is_step_handler:
                continue
            return None
        return None

    def in_step_arguments(self) -> bool:
        """True inside the arguments of a step call (`ctx.step.sleep_until("x", now() + d)`)."""
        return bool(self._step_calls)

    @staticmethod
    def can_precede_step(state: FunctionState, node: cst.CSTNode) -> bool:
        """Whether a step call can still follow `node` in `state`'s function (so it re-runs)."""
        return state.order.can_precede_step(node)

    @staticmethod
    def hold(state: FunctionState, held: Held) -> None:
        held.precedes_step = state.order.can_precede_step(held.node)
        state.held.append(held)


# ------------------------------------------------------------------------------------ step handlers
@dataclass
class HandlerUse:
    """One `step.run(step_id, handler, ...)` that uses a handler."""

    call: cst.Call
    step_id: str | None
    has_output_type: bool


@dataclass(frozen=True)
class HandlerScope:
    """The step handler the current node belongs to.

    `certain` handlers are known now (the semantic model marked them, or a named lambda passed
    to `step.run`); a module-level def is only a candidate until the end of the file.
    """

    node: cst.CSTNode
    index: int
    certain: bool


class StepHandlers:
    """Which lambdas and defs of this file are given to `step.run`, and how.

    The owning rule forwards `visit_Call` to it.
    """

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.uses: dict[int, list[HandlerUse]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if context.step_method(node) != sdk.STEP_RUN:
            return
        handler = argument(node, 1, "handler")
        if handler is None:
            return
        target = self.resolve(handler)
        if target is None:
            return
        step_id = argument(node, 0, sdk.STEP_ID_KEYWORD)
        self.uses.setdefault(id(target), []).append(
            HandlerUse(
                node,
                literal_string(step_id) if step_id is not None else None,
                keyword(node, "output_type") is not None or has_keyword_splat(node),
            )
        )

    def resolve(self, handler: cst.BaseExpression) -> cst.FunctionDef | cst.Lambda | None:
        """The def or lambda a `step.run` handler argument refers to, when certain."""
        if isinstance(handler, cst.Lambda):
            return handler
        if (
            isinstance(handler, cst.Call)
            and isinstance(handler.func, (cst.Name, cst.Attribute))
            and self.context.qualify(handler.func) == FUNCTOOLS_PARTIAL
            and handler.args
            and handler.args[0].keyword is None
            and not handler.args[0].star
        ):
            handler = handler.args[0].value
        if not isinstance(handler, cst.Name):
            return None
        name = handler.value
        found = binding_frame(self.context, name)
        if found is None:
            return None
        _, frame = found
        if name in frame.params:
            return None
        scan = frame.scan
        if name in scan.defs and name not in scan.assignments and name not in scan.other and name not in scan.imports:
            return scan.defs[name]
        values = scan.assignments.get(name)
        if (
            values
            and len(values) == 1
            and isinstance(values[0], cst.Lambda)
            and name not in scan.other
            and name not in scan.defs
        ):
            return values[0]
        return None

    def is_handler(self, node: cst.CSTNode) -> bool:
        return id(node) in self.uses

    def uses_of(self, node: cst.CSTNode) -> list[HandlerUse]:
        return self.uses.get(id(node), [])

    def named_lambda(self, index: int) -> str | None:
        """The name a lambda frame is assigned to, when that name is passed to `step.run`."""
        frames = self.context.frames
        frame = frames[index]
        if frame.kind != "lambda" or index == 0:
            return None
        parent = frames[index - 1]
        function = parent.function
        if function is None:
            return None
        for name in function.step_handler_names:
            values = parent.scan.assignments.get(name)
            if values and len(values) == 1 and values[0] is frame.node and name not in parent.scan.other:
                return name
        return None

    def scope(self) -> HandlerScope | None:
        """The outermost step handler around the current node, or a module-level def candidate."""
        frames = self.context.frames
        for index in range(1, len(frames)):
            frame = frames[index]
            if frame.is_step_handler or self.named_lambda(index) is not None:
                return HandlerScope(frame.node, index, certain=True)
        if len(frames) >= 2 and frames[1].kind == "def" and frames[1].inngest is None and frames[1].function is None:
            return HandlerScope(frames[1].node, 1, certain=False)
        return None

    def label(self, node: cst.CSTNode) -> str:
        """How a message names a handler: `step handler 'fetch'` or `the handler of step 'x'`."""
        if isinstance(node, cst.FunctionDef):
            return f"step handler '{node.name.value}'"
        for use in self.uses_of(node):
            if use.step_id is not None:
                return f"the handler of step '{use.step_id}'"
        frames = self.context.frames
        for index, frame in enumerate(frames):
            if frame.node is node:
                name = self.named_lambda(index)
                if name is not None:
                    return f"step handler '{name}'"
        return "a step handler"


class Deferred:
    """Findings in module-level defs, kept until the end of the file tells which are handlers."""

    def __init__(self) -> None:
        self._by_handler: dict[int, list[tuple[cst.CSTNode, cst.CSTNode, str, str]]] = {}

    def add(self, handler: cst.CSTNode, node: cst.CSTNode, message: str, context: str = "") -> None:
        self._by_handler.setdefault(id(handler), []).append((handler, node, message, context))

    def items(self) -> Iterator[tuple[cst.CSTNode, cst.CSTNode, str, str]]:
        for group in self._by_handler.values():
            yield from group


# ------------------------------------------------------------------------------------ containers
BUILTIN_CONTAINERS = frozenset({"list", "dict", "set"})
COLLECTIONS_CONTAINERS = frozenset(
    {"collections.defaultdict", "collections.OrderedDict", "collections.Counter", "collections.deque"}
)


def is_container_value(context: FileContext, node: cst.BaseExpression) -> bool:
    """A new list, dict or set: a literal, a comprehension, or `list()`/`defaultdict(...)`."""
    if isinstance(node, (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)):
        return True
    if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
        if isinstance(node.func, cst.Name) and node.func.value in BUILTIN_CONTAINERS:
            return binding_frame(context, node.func.value) is None
        return context.qualify(node.func) in COLLECTIONS_CONTAINERS
    return False


# ------------------------------------------------------------------------------------ broad handlers
#: Exception classes that catch everything a handler or step can raise.
BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException"})
_BUILTIN_BROAD_EXCEPTIONS = frozenset(f"builtins.{name}" for name in BROAD_EXCEPTIONS)


@dataclass(frozen=True)
class Swallowing:
    """A broad `except` that ends without raising (see `swallowing_handlers`)."""

    handler: cst.ExceptHandler
    caught: str  # how it is written: "except:", "except Exception", "except (KeyError, Exception)"
    returns: bool  # it returns; otherwise it falls off the end of its function


def broad_catch(context: FileContext, kind: cst.BaseExpression | None) -> str | None:
    """How a handler is written (`except Exception`) when it catches broadly, else None.

    `except:`, `except Exception`, `except BaseException` (the builtins, not a local class of
    that name), `builtins.Exception`, or a tuple holding one of them.
    """
    if kind is None:
        return "except:"
    elements = [element.value for element in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    for element in elements:
        if isinstance(element, cst.Name) and element.value in BROAD_EXCEPTIONS:
            if binding_frame(context, element.value) is None:
                return f"except {snippet(context, kind, 10_000)}"
        elif isinstance(element, cst.Attribute) and context.qualify(element) in _BUILTIN_BROAD_EXCEPTIONS:
            return f"except {snippet(context, kind, 10_000)}"
    return None


def swallowing_handlers(context: FileContext, node: cst.Try, *, in_loop: bool, at_tail: bool) -> Iterator[Swallowing]:
    """The broad handlers of `node` that turn a failure into a success, as INN117 defines it.

    A handler qualifies when it catches broadly, raises nowhere (any `raise`, even conditional,
    is a deliberate choice to fail), and either returns, or falls off the end of its function:
    `at_tail` says the `try` is the function's last statement, and a `try` in a loop
    (`in_loop`) is a per-item handler that moves on to the next item instead. Callers judge
    what the function is (a body, a step handler, a helper) and whether a step call in the
    handler excuses it (`makes_step_call`).
    """
    for handler in node.handlers:
        caught = broad_catch(context, handler.type)
        if caught is None:
            continue
        inner = list(statements_without_nested_scopes(handler.body))
        if any(isinstance(statement, cst.Raise) for statement in inner):
            continue
        returns = any(isinstance(statement, cst.Return) for statement in inner)
        if not returns and (in_loop or not at_tail):
            continue
        yield Swallowing(handler, caught, returns)


def tail_trys(function: cst.CSTNode) -> set[int]:
    """ids of the `try` statements whose fall-through ends `function` (its last statement,
    possibly inside a trailing `if`/`else`, `with` or another `try`)."""
    found: set[int] = set()
    if isinstance(function, cst.FunctionDef):
        _collect_tail_trys(function.body, found)
    return found


def _collect_tail_trys(block: cst.BaseSuite, found: set[int]) -> None:
    if not isinstance(block, cst.IndentedBlock) or not block.body:
        return
    _collect_tail_statement(block.body[-1], found)


def _collect_tail_statement(statement: cst.CSTNode, found: set[int]) -> None:
    if isinstance(statement, cst.Try):
        found.add(id(statement))
        _collect_tail_trys(statement.body, found)
        for handler in statement.handlers:
            _collect_tail_trys(handler.body, found)
        if statement.orelse is not None:
            _collect_tail_trys(statement.orelse.body, found)
    elif isinstance(statement, cst.If):
        _collect_tail_trys(statement.body, found)
        if isinstance(statement.orelse, cst.If):
            _collect_tail_statement(statement.orelse, found)
        elif statement.orelse is not None:
            _collect_tail_trys(statement.orelse.body, found)
    elif isinstance(statement, cst.With):
        _collect_tail_trys(statement.body, found)
