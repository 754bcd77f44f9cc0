"""Generate a deterministic synthetic Python repository for benchmarking inngest-lint.

Why synthetic: the linter's cost depends on how big the repository is, what share of its files
mention Inngest, and how far their project imports reach. A seeded generator lets everyone
measure the same tree, from a fresh clone and with nothing to download, at any size.

What the tree looks like (all of it valid Python 3.9 that `ast.parse` accepts):
- A `pyproject.toml` and a `.gitignore` at the root, one top-level package (`shop/`) of domain
  packages (`shop/orders/`, `shop/billing/`...) split into layer subpackages (`models`,
  `services`, `api`...), a shared `shop/core/` layer and a `tests/` tree, all with
  `__init__.py` files.
- Ordinary modules: docstrings, imports (stdlib, sibling and core modules, some relative),
  constants, dataclasses and classes with methods, sync and async functions, comprehensions,
  loops, try/except, f-strings. File sizes follow a log-normal law (median about 3 KB, mean
  about 12 KB, a long tail capped at 1.5 MB), like a real application plus its vendored bits.
- Inngest code, `--inngest-ratio` of the files (the files containing the bytes `inngest`):
  client modules (`inngest.Inngest(app_id=...)`), function modules
  (`@client.create_function(fn_id=..., trigger=inngest.TriggerEvent(event=...))` using
  `ctx.step.run`, `wait_for_event(if_exp=...)`, `send_event(inngest.Event(name=..., data=...))`),
  serve modules (`inngest.fast_api.serve(app, client, functions)` / flask, with the function
  lists built across modules), and a few modules that only mention inngest in prose.
- Inngest-adjacent modules that do NOT contain the word: event-name constants (`events.py`),
  step-handler helpers (`steps.py`) and function registries (`workflows/__init__.py`), all
  imported by the function or serve modules, as in real projects.
- Realistic mistakes in about one function module in eight (a constant step ID in a loop, a
  `wait_for_event` without timeout, `TriggerEvent(if_exp=...)`, a misspelt event name, a
  function missing from the serve list, `time.sleep` in a body, an un-awaited step...), so the
  linter has findings to report, as on a real repository.

Determinism: the plan comes from `random.Random(seed)` and every file from its own
`random.Random(f"{seed}/{path}")` (string seeds hash with SHA-512, independent of
PYTHONHASHSEED), so the same arguments give a byte-identical tree on every machine.

Usage: python bench/generate.py OUT_DIR [--files 10000] [--inngest-ratio 0.02] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Bump when the output changes for the same arguments: cached trees are then regenerated.
GENERATOR_VERSION = 1
STAMP_NAME = "bench-repo.json"
TOP_PACKAGE = "shop"
MARKER = b"inngest"
# Log-normal target sizes (median e^mu). A module overshoots its target by up to one block and
# __init__ files stay tiny, so these were tuned on the output: the whole tree lands near a
# median of 3.2 KB, a mean of 12 KB, p90 20 KB and p99 150 KB (the perf-baseline corpus: 3.2 KB,
# 12.1 KB, 30 KB, 123 KB).
SIZE_MU = math.log(1500)
SIZE_SIGMA = 1.95
SIZE_MIN = 250
SIZE_MAX = 1_500_000
# The smallest repository that still holds one client, one function and one serve module
# with their events, steps and registry modules, plus a few ordinary files.
MIN_FILES = 20
MIN_INNGEST_FILES = 3

NOUNS = (
    "order",
    "invoice",
    "customer",
    "shipment",
    "payment",
    "account",
    "report",
    "product",
    "cart",
    "coupon",
    "refund",
    "address",
    "profile",
    "session",
    "token",
    "message",
    "ticket",
    "review",
    "rating",
    "category",
    "supplier",
    "warehouse",
    "parcel",
    "route",
    "driver",
    "schedule",
    "slot",
    "plan",
    "subscription",
    "charge",
    "ledger",
    "entry",
    "balance",
    "statement",
    "notice",
    "template",
    "channel",
    "segment",
    "campaign",
    "audience",
    "metric",
    "event",
    "batch",
    "job",
    "task",
    "record",
    "document",
    "upload",
    "image",
    "variant",
    "price",
    "discount",
    "tax",
    "region",
    "currency",
    "rate",
    "quote",
    "contract",
    "partner",
    "member",
    "team",
    "role",
    "permission",
    "policy",
    "rule",
    "limit",
    "quota",
    "usage",
    "bucket",
    "snapshot",
    "export",
    "import_job",
    "feed",
    "listing",
    "offer",
    "bid",
    "claim",
    "case",
)
VERBS = (
    "load",
    "fetch",
    "build",
    "compute",
    "validate",
    "normalize",
    "render",
    "resolve",
    "merge",
    "split",
    "sync",
    "refresh",
    "collect",
    "apply",
    "prepare",
    "publish",
    "archive",
    "restore",
    "estimate",
    "allocate",
    "reserve",
    "release",
    "schedule",
    "cancel",
    "approve",
    "reject",
    "notify",
    "export",
    "parse",
    "format",
    "group",
    "rank",
    "filter",
    "match",
    "score",
    "count",
)
ADJECTIVES = (
    "pending",
    "active",
    "stale",
    "primary",
    "default",
    "partial",
    "final",
    "raw",
    "clean",
    "current",
    "previous",
    "latest",
    "expired",
    "verified",
    "local",
    "remote",
    "cached",
)
DOMAINS = (
    "orders",
    "billing",
    "payments",
    "inventory",
    "shipping",
    "customers",
    "accounts",
    "catalog",
    "pricing",
    "notifications",
    "reports",
    "analytics",
    "search",
    "reviews",
    "returns",
    "loyalty",
    "support",
    "auth",
    "onboarding",
    "subscriptions",
    "invoices",
    "warehouse",
    "fulfillment",
    "marketing",
    "partners",
    "compliance",
    "fraud",
    "ledger",
    "tax",
    "media",
    "messaging",
    "scheduling",
    "identity",
    "storefront",
    "checkout",
    "promotions",
    "procurement",
    "logistics",
)
LAYERS = (
    "models",
    "services",
    "api",
    "repositories",
    "schemas",
    "utils",
    "handlers",
    "views",
    "serializers",
    "adapters",
    "clients",
    "tasks",
    "validators",
    "queries",
    "commands",
    "policies",
)
MODULE_KINDS = (
    "service",
    "repository",
    "models",
    "schema",
    "helpers",
    "views",
    "client",
    "adapter",
    "queries",
    "commands",
    "validators",
    "formatters",
    "cache",
    "mapper",
    "builder",
    "types",
)
APP_NAMES = ("backend", "worker", "billing", "jobs", "sync", "ops", "notify", "reporting")
ENV_NAMES = ("DATABASE_URL", "REDIS_URL", "APP_ENV", "LOG_LEVEL", "BUCKET_NAME", "API_BASE_URL")
KEYS = (
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "amount",
    "currency",
    "email",
    "count",
    "kind",
    "owner_id",
    "region",
    "priority",
    "tags",
    "version",
    "source",
    "reference",
    "total",
)


def _plain(expression: str) -> bool:
    """A bare (dotted) name, safe inside an f-string replacement field on every Python >= 3.9."""
    return all(part.isidentifier() for part in expression.split("."))


def lognormal_size(rng: random.Random) -> int:
    """A file size in bytes: log-normal, clamped so no file is empty or absurdly large."""
    return int(min(SIZE_MAX, max(SIZE_MIN, rng.lognormvariate(SIZE_MU, SIZE_SIGMA))))


def past(verb: str) -> str:
    """`load` -> `loaded`, `approve` -> `approved`, `apply` -> `applied`, `split` -> `split`."""
    if verb in ("split", "set", "reset"):
        return verb
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def camel(*words: str) -> str:
    return "".join(part.capitalize() for word in words for part in word.split("_"))


# --------------------------------------------------------------------------------------------
# Writing code: a line buffer that tracks its size and the imports its code used.
# --------------------------------------------------------------------------------------------


@dataclass
class Value:
    """An expression in scope and what kind of thing it holds (so generated code is plausible)."""

    text: str
    kind: str  # "seq" (list of dicts), "map" (dict), "num", "str", "bool"


STDLIB_IMPORTS: dict[str, tuple[str, str | None]] = {
    # name used in code -> (module, imported name or None for `import module [as name]`)
    "logging": ("logging", None),
    "json": ("json", None),
    "os": ("os", None),
    "re": ("re", None),
    "itertools": ("itertools", None),
    "functools": ("functools", None),
    "asyncio": ("asyncio", None),
    "dt": ("datetime", None),
    "time": ("time", None),
    "datetime": ("datetime", None),
    "Path": ("pathlib", "Path"),
    "dataclass": ("dataclasses", "dataclass"),
    "field": ("dataclasses", "field"),
    "Any": ("typing", "Any"),
    "Iterable": ("collections.abc", "Iterable"),
    "Iterator": ("collections.abc", "Iterator"),
    "defaultdict": ("collections", "defaultdict"),
    "Counter": ("collections", "Counter"),
    "Enum": ("enum", "Enum"),
    "Decimal": ("decimal", "Decimal"),
}


class ModuleWriter:
    """Generates the body of one ordinary module, then its header with only the imports used."""

    def __init__(self, rng: random.Random, module: str, project_imports: list[tuple[str, str]]) -> None:
        self.rng = rng
        self.module = module
        self.lines: list[str] = []
        self.size = 0
        self.used: set[str] = set()
        self.needs_logger = False
        # (import statement, alias usable in code), e.g. ("from shop.core import db", "db").
        self.project_imports = project_imports
        self.unused_aliases = [alias for _, alias in project_imports]
        self.functions: list[tuple[str, bool]] = []  # module-level (name, is_async)
        self.classes: list[str] = []
        self.counter = 0
        self.doc_lines: set[int] = set()  # indexes of docstring lines: not scanned for imports
        self.local_names: list[str] = []  # locals assigned in the function being written
        self.defined: set[str] = set()  # names defined in the current namespace

    # -- small helpers -----------------------------------------------------------------------

    def emit(self, line: str = "") -> None:
        self.lines.append(line)
        self.size += len(line) + 1

    def use(self, name: str) -> str:
        """Spell a stdlib name; `header` imports what the finished code really uses."""
        return name

    def emit_wrapped(self, indent: str, prefix: str, expression: str, suffix: str = "") -> None:
        """`prefix expression suffix`, in parentheses over three lines when over 88 columns."""
        line = f"{indent}{prefix}{expression}{suffix}"
        if len(line) <= 88:
            self.emit(line)
            return
        if prefix.endswith("("):  # a call: its own parentheses wrap the arguments
            self.emit(f"{indent}{prefix}")
            self.emit(f"{indent}    {expression}")
            self.emit(f"{indent}{suffix}")
            return
        self.emit(f"{indent}{prefix}(")
        self.emit(f"{indent}    {expression}")
        self.emit(f"{indent}){suffix}")

    def begin_body(self) -> int:
        self.local_names = []
        return len(self.lines)

    def finish_body(self, indent: str, start: int, last_line_prefix: str, last_expression: str) -> None:
        """Close a body: locals nothing read yet are logged (no unused variables), then the last line."""
        text = "\n".join(self.lines[start:]) + "\n" + last_expression
        unused = [name for name in dict.fromkeys(self.local_names) if len(re.findall(rf"(?<![\w.]){name}\b", text)) < 2]
        for cut in range(0, len(unused), 2):
            self.needs_logger = True
            self.emit_wrapped(indent, "logger.debug(", f'"state: %r", ({", ".join(unused[cut : cut + 2])},)', ")")
        self.emit_wrapped(indent, last_line_prefix, last_expression)

    def unique(self, name: str) -> str:
        candidate, counter = name, 2
        while candidate in self.defined:
            candidate, counter = f"{name}_{counter}", counter + 1
        self.defined.add(candidate)
        return candidate

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}" if self.counter > 1 and self.rng.random() < 0.3 else stem

    def noun(self) -> str:
        return self.rng.choice(NOUNS)

    def key(self) -> str:
        return self.rng.choice(KEYS)

    def sentence(self) -> str:
        rng = self.rng
        templates = (
            "{Verb} the {adj} {noun} records for one {noun2}.",
            "{Verb} every {noun} that belongs to the given {noun2}.",
            "Return the {noun} {noun2}s, {verbed} and ready to store.",
            "{Verb} {noun}s in batches so a slow {noun2} backend does not time out.",
            "Keep the {adj} {noun} in step with its {noun2}.",
            "{Verb} the {noun} and report what changed since the {adj} {noun2}.",
        )
        verb = rng.choice(VERBS)
        return rng.choice(templates).format(
            Verb=verb.capitalize(),
            verbed=past(verb),
            noun=self.noun().replace("_", " "),
            noun2=self.noun().replace("_", " "),
            adj=rng.choice(ADJECTIVES),
        )

    def docstring(self, indent: str, long: bool) -> None:
        first = len(self.lines)
        self._docstring(indent, long)
        self.doc_lines.update(range(first, len(self.lines)))

    def _docstring(self, indent: str, long: bool) -> None:
        if not long:
            self.emit(f'{indent}"""{self.sentence()}"""')
            return
        self.emit(f'{indent}"""{self.sentence()}')
        self.emit()
        for _ in range(self.rng.randint(1, 3)):
            self.emit(f"{indent}{self.sentence()}")
        self.emit(f'{indent}"""')

    # -- expressions ---------------------------------------------------------------------------

    def pick(self, scope: list[Value], kind: str) -> str:
        candidates = [value.text for value in scope if value.kind == kind]
        if candidates:
            return self.rng.choice(candidates)
        return self.literal(kind)

    def literal(self, kind: str) -> str:
        rng = self.rng
        if kind == "num":
            return str(rng.choice((0, 1, 2, 10, 25, 50, 100, 500, 1000, 3600)))
        if kind == "str":
            return f'"{rng.choice(ADJECTIVES)}-{self.noun()}"'
        if kind == "bool":
            return rng.choice(("True", "False"))
        if kind == "seq":
            return "[]"
        return "{}"

    def expression(self, scope: list[Value], kind: str) -> str:
        rng = self.rng
        key, other = self.rng.sample(KEYS, 2)
        seq, mapping = self.pick(scope, "seq"), self.pick(scope, "map")
        num, text = self.pick(scope, "num"), self.pick(scope, "str")
        if kind == "seq":
            return rng.choice(
                (
                    f'[entry for entry in {seq} if entry.get("{key}")]',
                    f'sorted({seq}, key=lambda entry: entry.get("{key}") or 0)',
                    f"list({mapping}.values())",
                    f'[{{"{key}": value, "{other}": {num}}} for value in {mapping}]',
                    f"list({self.use('itertools')}.islice({seq}, {num}))",
                    f'[entry["{key}"] for entry in {seq} if "{key}" in entry]',
                )
            )
        if kind == "map":
            return rng.choice(
                (
                    f"{{key: value for key, value in {mapping}.items() if value is not None}}",
                    f'{{"{key}": {text}, "{other}": {num}}}',
                    f'{{entry.get("{key}"): entry for entry in {seq}}}',
                    f"dict({mapping}, {key}={num})",
                    f'{self.use("json")}.loads({text} or "{{}}")',
                )
            )
        if kind == "num":
            return rng.choice(
                (
                    f"len({seq})",
                    f'sum(entry.get("{key}", 0) for entry in {seq})',
                    f"{num} * {rng.randint(2, 12)} + {rng.randint(0, 9)}",
                    f"max({num}, {rng.randint(1, 64)})",
                    f"round({num} / max(len({seq}), 1), 2)",
                    f'int({mapping}.get("{key}", 0))',
                )
            )
        if kind == "str":
            return rng.choice(
                (
                    (
                        f'f"{{{text}}}-{{{num}}}"'
                        if _plain(text) and _plain(num)
                        else f'"{{}}-{{}}".format({text}, {num})'
                    ),
                    f"{text}.strip().lower()",
                    f'"{rng.choice(("-", "/", ":", ", "))}".join(str(entry) for entry in {seq})',
                    f"{self.use('json')}.dumps({mapping}, sort_keys=True)",
                    f'{self.use("os")}.environ.get("{rng.choice(ENV_NAMES)}", {text})',
                    f'str({mapping}.get("{key}", ""))',
                )
            )
        return rng.choice(
            (
                f"{num} > {rng.randint(0, 100)}",
                f"bool({seq})",
                f'{text}.startswith("{self.noun()[:3]}")',
                f'"{key}" in {mapping}',
            )
        )

    def seed_scope(self, scope: list[Value], indent: str) -> None:
        """Give a body something to work on when its parameters hold no list or dict."""
        rng = self.rng
        if not any(value.kind == "seq" for value in scope):
            noun = self.noun()
            source = self.project_call(scope) if self.project_imports and rng.random() < 0.5 else None
            if source is not None:
                self.emit(f"{indent}{noun}s = list({source})")
            else:
                self.emit_wrapped(
                    indent,
                    f"{noun}s = ",
                    f'[{{"id": index, "{rng.choice(KEYS[1:])}": index * {rng.randint(2, 9)}}}'
                    f" for index in range({self.pick(scope, 'num')})]",
                )
            scope.append(Value(f"{noun}s", "seq"))
            self.local_names.append(f"{noun}s")
        if not any(value.kind == "map" for value in scope) and rng.random() < 0.6:
            name = f"{self.noun()}_by_{self.key()}"
            key = self.key()
            seq = self.pick(scope, "seq")
            self.emit_wrapped(indent, f"{name} = ", f'{{entry["{key}"]: entry for entry in {seq} if "{key}" in entry}}')
            scope.append(Value(name, "map"))
            self.local_names.append(name)

    def project_call(self, scope: list[Value]) -> str | None:
        """A call into an imported project module, preferring aliases not used yet (no F401)."""
        if not self.project_imports:
            return None
        if self.unused_aliases:
            alias = self.unused_aliases.pop()
        else:
            alias = self.rng.choice(self.project_imports)[1]
        arg = self.pick(scope, self.rng.choice(("seq", "map", "str", "num")))
        return f"{alias}.{self.rng.choice(VERBS)}_{self.noun()}({arg})"

    # -- statements ----------------------------------------------------------------------------

    def statements(self, scope: list[Value], indent: str, budget: int, depth: int, is_async: bool) -> None:
        rng = self.rng
        emitted = 0
        while emitted < budget:
            emitted += 1
            roll = rng.random()
            if roll < 0.34 or depth >= 2:
                kind = rng.choice(("seq", "map", "num", "str", "bool"))
                name = self.fresh(f"{rng.choice(ADJECTIVES)}_{self.noun()}" + ("s" if kind == "seq" else ""))
                call = self.project_call(scope) if rng.random() < 0.25 else None
                if call is not None:
                    self.emit_wrapped(
                        indent, f"{name} = ", f"{'await ' if is_async and rng.random() < 0.5 else ''}{call}"
                    )
                    kind = "map"
                else:
                    self.emit_wrapped(indent, f"{name} = ", self.expression(scope, kind))
                scope.append(Value(name, kind))
                self.local_names.append(name)
            elif roll < 0.50:
                self.emit_wrapped(indent, "if ", self.expression(scope, "bool"), ":")
                self.statements(list(scope), indent + "    ", rng.randint(1, 2), depth + 1, is_async)
                if rng.random() < 0.4:
                    self.emit(f"{indent}else:")
                    self.statements(list(scope), indent + "    ", 1, depth + 1, is_async)
            elif roll < 0.64:
                loop_var = rng.choice(("entry", "row", "item", "record"))
                self.emit(f"{indent}for {loop_var} in {self.pick(scope, 'seq')}:")
                inner = [*scope, Value(loop_var, "map")]
                key = self.key()
                self.emit(f'{indent}    if {loop_var}.get("{key}") is None:')
                self.emit(f"{indent}        continue")
                self.statements(inner, indent + "    ", rng.randint(1, 2), depth + 1, is_async)
            elif roll < 0.74:
                self.emit(f"{indent}try:")
                self.statements(list(scope), indent + "    ", 1, depth + 1, is_async)
                error = rng.choice(("KeyError", "ValueError", "(KeyError, TypeError)", "LookupError"))
                self.emit(f"{indent}except {error} as error:")
                self.needs_logger = True
                self.emit(f'{indent}    logger.warning("could not {rng.choice(VERBS)}: %s", error)')
                if rng.random() < 0.5:
                    self.emit(f'{indent}    raise RuntimeError("{self.noun()} is invalid") from error')
            elif roll < 0.82:
                self.needs_logger = True
                self.emit(
                    f'{indent}logger.{rng.choice(("debug", "info"))}("{past(rng.choice(VERBS))} %s",'
                    f" {self.pick(scope, 'num')})"
                )
            elif roll < 0.88 and depth == 0:
                handle = "handle"
                path = self.pick(scope, "str")
                self.emit(f'{indent}with open({path}, encoding="utf-8") as {handle}:')
                name = self.fresh(f"loaded_{self.noun()}")
                self.emit(f"{indent}    {name} = {self.use('json')}.load({handle})")
                scope.append(Value(name, "map"))
                self.local_names.append(name)
            elif roll < 0.94:
                mapping = self.pick(scope, "map")
                if mapping != "{}":
                    self.emit_wrapped(indent, f'{mapping}["{self.key()}"] = ', self.expression(scope, "num"))
                else:
                    emitted -= 1
            elif is_async:
                self.emit(f"{indent}await {self.use('asyncio')}.sleep(0)")
            else:
                call = self.project_call(scope)
                if call is not None:
                    self.emit(f"{indent}{call}")
                else:
                    emitted -= 1

    # -- definitions ---------------------------------------------------------------------------

    def function(self, indent: str = "", method_of: str | None = None) -> None:
        rng = self.rng
        is_async = rng.random() < 0.12
        name = f"{rng.choice(VERBS)}_{self.noun()}s" if rng.random() < 0.5 else f"{rng.choice(VERBS)}_{self.noun()}"
        if method_of is None and rng.random() < 0.15:
            name = "_" + name
        name = self.unique(name)
        params: list[Value] = []
        signature: list[str] = []
        if method_of is not None:
            signature.append("self")
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(("seq", "map", "num", "str"))
            pname = self.noun() + ("s" if kind == "seq" else "")
            if any(p.text == pname for p in params):
                continue
            annotation = {
                "seq": f"list[dict[str, {self.use('Any')}]]",
                "map": f"dict[str, {self.use('Any')}]",
                "num": "int",
                "str": "str",
            }[kind]
            signature.append(f"{pname}: {annotation}")
            params.append(Value(pname, kind))
        if rng.random() < 0.2 and params:
            default = {"seq": "None", "map": "None", "num": "0", "str": '""'}[params[-1].kind]
            if default == "None":
                signature[-1] = signature[-1] + " | None = None"
                params[-1] = Value(
                    f"({params[-1].text} or {'[]' if params[-1].kind == 'seq' else '{}'})", params[-1].kind
                )
            else:
                signature[-1] = signature[-1] + f" = {default}"
        return_kind = rng.choice(("seq", "map", "num", "str", "bool"))
        returns = {
            "seq": f"list[dict[str, {self.use('Any')}]]",
            "map": f"dict[str, {self.use('Any')}]",
            "num": "int",
            "str": "str",
            "bool": "bool",
        }[return_kind]
        if method_of is not None and rng.random() < 0.12 and not is_async:
            self.emit(f"{indent}@property")
            signature = ["self"]
            params = []
        elif method_of is None and rng.random() < 0.06 and not is_async:
            self.emit(f"{indent}@{self.use('functools')}.lru_cache(maxsize={rng.choice((32, 128, 1024))})")
        joined = ", ".join(signature)
        head = f"{indent}{'async ' if is_async else ''}def {name}({joined}) -> {returns}:"
        if len(head) > 88 and len(signature) > 1:
            self.emit(f"{indent}{'async ' if is_async else ''}def {name}(")
            for part in signature:
                self.emit(f"{indent}    {part},")
            self.emit(f"{indent}) -> {returns}:")
        else:
            self.emit(head)
        body = indent + "    "
        self.docstring(body, long=rng.random() < 0.35)
        scope = list(params)
        if method_of is not None:
            scope.append(Value(f"self.{self.noun()}s", "seq"))
            scope.append(Value(f"self.{self.key()}", "str"))
        start = self.begin_body()
        self.seed_scope(scope, body)
        self.statements(scope, body, rng.randint(2, 9), 0, is_async)
        self.finish_body(body, start, "return ", self.expression(scope, return_kind))
        if method_of is None:
            self.functions.append((name, is_async))

    def klass(self) -> None:
        rng = self.rng
        name = camel(rng.choice(ADJECTIVES), self.noun(), rng.choice(("", "summary", "view", "state", "result")))
        name = self.unique(name)
        self.classes.append(name)
        style = rng.random()
        if style < 0.45:
            self.emit(f"@{self.use('dataclass')}(frozen={rng.choice(('True', 'False'))})")
            self.emit(f"class {name}:")
            self.docstring("    ", long=rng.random() < 0.3)
            self.emit()
            keys = rng.sample(KEYS, rng.randint(2, 6))
            for index, key in enumerate(keys):
                annotation = rng.choice(("str", "int", "float", "list[str]", f"{self.use('Decimal')}"))
                if index < 2:
                    self.emit(f"    {key}: {annotation}")
                elif annotation == "list[str]":
                    self.emit(f"    {key}: list[str] = {self.use('field')}(default_factory=list)")
                else:
                    default = {"str": '""', "int": "0", "float": "0.0", "Decimal": 'Decimal("0")'}[annotation]
                    self.emit(f"    {key}: {annotation} = {default}")
        elif style < 0.55:
            self.emit(f"class {name}({self.use('Enum')}):")
            self.docstring("    ", long=False)
            self.emit()
            for value in rng.sample(ADJECTIVES, rng.randint(2, 6)):
                self.emit(f'    {value.upper()} = "{value}"')
            self.emit()
            return
        elif style < 0.62:
            self.emit(f"class {name}Error(RuntimeError):")
            self.docstring("    ", long=False)
            self.emit()
            return
        else:
            self.emit(f"class {name}:")
            self.docstring("    ", long=rng.random() < 0.3)
            self.emit()
            params = [(self.noun(), rng.choice(("str", "int"))) for _ in range(rng.randint(1, 3))]
            params = list(dict(params).items())
            self.emit(f"    def __init__(self, {', '.join(f'{p}: {t}' for p, t in params)}) -> None:")
            for pname, _ in params:
                self.emit(f"        self.{pname} = {pname}")
            self.emit(f"        self._{self.noun()}s: list[dict[str, {self.use('Any')}]] = []")
        module_names, self.defined = self.defined, set()
        for _ in range(rng.randint(1, 5)):
            self.emit()
            self.function(indent="    ", method_of=name)
        self.defined = module_names
        self.emit()

    def module_constants(self) -> None:
        rng = self.rng
        for _ in range(rng.randint(0, 4)):
            noun = self.noun().upper()
            choice = rng.random()
            if choice < 0.3:
                self.emit(f"DEFAULT_{noun}_LIMIT = {rng.choice((10, 50, 100, 250, 1000))}")
            elif choice < 0.5:
                self.emit(f'{noun}_PATTERN = {self.use("re")}.compile(r"^[a-z0-9_-]{{1,{rng.randint(8, 64)}}}$")')
            elif choice < 0.7:
                values = ", ".join(f'"{v}"' for v in rng.sample(ADJECTIVES, 3))
                self.emit(f"SUPPORTED_{noun}S = frozenset({{{values}}})")
            elif choice < 0.85:
                self.emit(f"_{noun}_CACHE: dict[str, {self.use('Any')}] = {{}}")
            else:
                self.emit(f"{noun}_TIMEOUT = {self.use('dt')}.timedelta(seconds={rng.choice((5, 30, 60, 300))})")

    def body_until(self, target: int) -> None:
        """Classes and functions until the module reaches about `target` bytes."""
        self.module_constants()
        while True:
            self.emit()
            self.emit()
            if self.rng.random() < 0.3:
                self.klass()
            else:
                self.function()
            if self.size >= target:
                break

    def header(self, docstring: str, extra_imports: tuple[str, ...] = ()) -> list[str]:
        """Module docstring, `from __future__`, then stdlib, third-party and project imports."""
        lines = [f'"""{docstring}"""', "", "from __future__ import annotations", ""]
        code = "\n".join(line for index, line in enumerate(self.lines) if index not in self.doc_lines)
        for name, (_module, imported) in STDLIB_IMPORTS.items():
            pattern = rf"(?<![\w.]){name}\." if imported is None else rf"(?<![\w.]){name}\b"
            if re.search(pattern, code):
                self.used.add(name)
        if self.needs_logger:
            self.used.add("logging")
        plain: list[str] = []
        froms: dict[str, list[str]] = {}
        for name in sorted(self.used):
            module, imported = STDLIB_IMPORTS[name]
            if imported is None:
                plain.append(f"import {module}" + (f" as {name}" if name != module else ""))
            else:
                froms.setdefault(module, []).append(imported)
        stdlib = sorted(plain) + [
            f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(froms.items())
        ]
        lines.extend(stdlib)
        if extra_imports:
            lines.extend(["", *extra_imports])
        if self.project_imports:
            lines.append("")
            lines.extend(statement for statement, _ in self.project_imports)
        if self.needs_logger:
            lines.extend(["", "logger = logging.getLogger(__name__)"])
        return lines

    def render(self, docstring: str, extra_imports: tuple[str, ...] = ()) -> str:
        # Any project alias that no statement happened to use gets one call, so it is not unused.
        while self.unused_aliases:
            self.emit()
            self.emit()
            alias = self.unused_aliases.pop()
            self.emit(f"def _{self.rng.choice(VERBS)}_via_{alias}() -> object:")
            self.emit(f'    """Kept apart so tests can replace the {alias} dependency."""')
            self.emit(f"    return {alias}.{self.rng.choice(VERBS)}_{self.noun()}()")
        return "\n".join([*self.header(docstring, extra_imports), *self.lines]).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# The plan: every file, its role and what it imports, decided before any file is written.
# --------------------------------------------------------------------------------------------


@dataclass
class PlannedFile:
    path: str  # relative, POSIX
    role: str  # init, filler, core, test, client, function, serve, mention, events, steps, registry
    size: int = 0
    imports: list[tuple[str, str]] = field(default_factory=list)  # (statement, alias)
    data: dict[str, object] = field(default_factory=dict)


@dataclass
class EventSpec:
    constant: str
    name: str
    keys: tuple[str, ...]


@dataclass
class FunctionSpec:
    symbol: str  # the decorated name
    fn_id: str
    trigger: EventSpec | None  # None: a cron trigger
    sends: EventSpec | None
    waits: EventSpec | None
    is_async: bool
    mistake: str | None = None


@dataclass
class Summary:
    """What was generated; `inngest_files` counts files containing the bytes `inngest`."""

    root: str
    files: int
    inngest_files: int
    total_bytes: int
    median_bytes: int
    mean_bytes: float
    largest_bytes: int
    mistakes: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def module_of(path: str) -> str:
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def inngest_file_count(files: int, ratio: float) -> int:
    """How many files will contain `inngest`: the ratio, but never fewer than one working app."""
    if ratio <= 0:
        return 0
    return min(files // 4, max(MIN_INNGEST_FILES, round(files * ratio)))


MISTAKES = (
    "step-id-in-loop",
    "wait-without-timeout",
    "trigger-if-exp",
    "misspelt-event",
    "not-served",
    "sleep-in-body",
    "step-not-awaited",
    "now-outside-step",
    "duplicate-step-id",
    "expression-case-mismatch",
)


class Planner:
    """Lays out the repository: Inngest apps first, then ordinary packages to fill the count."""

    def __init__(self, files: int, ratio: float, seed: int) -> None:
        if files < MIN_FILES:
            raise ValueError(f"--files must be at least {MIN_FILES}")
        if not 0 <= ratio <= 0.25:
            raise ValueError("--inngest-ratio must be between 0 and 0.25")
        self.files = files
        self.ratio = ratio
        self.rng = random.Random(seed)
        self.planned: dict[str, PlannedFile] = {}
        self.domain_names: list[str] = []

    def add(self, planned: PlannedFile) -> PlannedFile:
        assert planned.path not in self.planned, planned.path
        if not planned.size:
            planned.size = lognormal_size(self.rng)
        self.planned[planned.path] = planned
        return planned

    def package(self, directory: str) -> None:
        """Make `directory` and every parent under the top package a package."""
        parts = directory.split("/")
        for cut in range(1, len(parts) + 1):
            init = "/".join(parts[:cut]) + "/__init__.py"
            if init not in self.planned:
                self.add(PlannedFile(init, "init", size=1))

    def new_domain(self) -> str:
        index = len(self.domain_names)
        base = DOMAINS[index % len(DOMAINS)]
        name = base if index < len(DOMAINS) else f"{base}_{index // len(DOMAINS) + 1}"
        self.domain_names.append(name)
        return name

    def plan(self) -> list[PlannedFile]:
        rng = self.rng
        total_inngest = inngest_file_count(self.files, self.ratio)
        self.package(TOP_PACKAGE)
        self.package(f"{TOP_PACKAGE}/core")
        core_modules: list[str] = []
        for _ in range(max(1, self.files // 60)):
            path = self.unique_module(
                f"{TOP_PACKAGE}/core",
                rng.choice(("db", "config", "cache", "http", "auth", "clock", "text", "money", "ids", "errors")),
            )
            self.add(PlannedFile(path, "core"))
            core_modules.append(path)
        if total_inngest:
            self.plan_inngest(total_inngest, core_modules)
        self.plan_filler(core_modules)
        self.wire_imports(core_modules)
        return [self.planned[path] for path in sorted(self.planned)]

    def unique_module(self, directory: str, stem: str) -> str:
        path = f"{directory}/{stem}.py"
        counter = 2
        while path in self.planned:
            path = f"{directory}/{stem}_{counter}.py"
            counter += 1
        return path

    def plan_inngest(self, total: int, core_modules: list[str]) -> None:
        rng = self.rng
        apps = max(1, round(total / 40))
        mentions = total // 25
        function_modules = max(1, total - 2 * apps - mentions)
        mentions = total - 2 * apps - function_modules
        per_domain = 4
        domain_count = max(1, math.ceil(function_modules / per_domain))
        domains = [self.new_domain() for _ in range(domain_count)]
        self.package(f"{TOP_PACKAGE}/apps")
        app_names = [APP_NAMES[i % len(APP_NAMES)] + ("" if i < len(APP_NAMES) else str(i)) for i in range(apps)]
        for app in app_names:
            self.package(f"{TOP_PACKAGE}/apps/{app}")
            self.add(PlannedFile(f"{TOP_PACKAGE}/apps/{app}/inngest_client.py", "client", data={"app": app}))
        # Function modules, spread over the domains; each domain belongs to one app.
        modules_by_domain: dict[str, list[str]] = {domain: [] for domain in domains}
        for index in range(function_modules):
            domain = domains[index % domain_count]
            directory = f"{TOP_PACKAGE}/{domain}/workflows"
            self.package(directory)
            stem = f"{rng.choice(ADJECTIVES)}_{rng.choice(NOUNS)}"
            path = self.unique_module(directory, stem)
            self.add(PlannedFile(path, "function", data={"domain": domain}))
            modules_by_domain[domain].append(path)
        functions_by_domain: dict[str, list[str]] = {}
        for position, domain in enumerate(domains):
            app = app_names[position % apps]
            events = self.add(PlannedFile(f"{TOP_PACKAGE}/{domain}/events.py", "events", data={"domain": domain}))
            steps = self.add(PlannedFile(f"{TOP_PACKAGE}/{domain}/steps.py", "steps", data={"domain": domain}))
            event_specs = self.event_specs(domain, len(modules_by_domain[domain]) * 3 + 2)
            events.data["events"] = event_specs
            step_names = sorted({f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}" for _ in range(rng.randint(4, 9))})
            steps.data["handlers"] = step_names
            steps.data["fetchall"] = rng.random() < 0.3
            event_cursor = 0
            symbols: list[tuple[str, str]] = []  # (module path, symbol)
            for path in modules_by_domain[domain]:
                planned = self.planned[path]
                specs: list[FunctionSpec] = []
                for _ in range(rng.randint(1, 3)):
                    trigger = event_specs[event_cursor % len(event_specs)] if rng.random() < 0.85 else None
                    sends = event_specs[(event_cursor + 1) % len(event_specs)] if rng.random() < 0.6 else None
                    waits = event_specs[(event_cursor + 2) % len(event_specs)] if rng.random() < 0.35 else None
                    event_cursor += 1
                    verb = rng.choice(VERBS)
                    noun = trigger.constant.lower() if trigger else f"nightly_{rng.choice(NOUNS)}"
                    symbol = f"{verb}_on_{noun}"
                    if any(spec.symbol == symbol for spec in specs):
                        symbol += f"_{len(specs)}"
                    specs.append(
                        FunctionSpec(
                            symbol=symbol,
                            fn_id=f"{domain}-{symbol.replace('_', '-')}-{len(symbols) + len(specs)}",
                            trigger=trigger,
                            sends=sends,
                            waits=waits,
                            is_async=rng.random() < 0.7,
                        )
                    )
                if rng.random() < 0.125:
                    victim = rng.choice(specs)
                    victim.mistake = rng.choice(MISTAKES)
                planned.data.update(app=app, events=events.path, steps=steps.path, functions=specs)
                for spec in specs:
                    if spec.mistake != "not-served":
                        symbols.append((path, spec.symbol))
            registry = self.planned[f"{TOP_PACKAGE}/{domain}/workflows/__init__.py"]
            registry.role = "registry"
            registry.data["symbols"] = symbols
            registry.data["app"] = app
            functions_by_domain[domain] = [registry.path]
        for app in app_names:
            served = [domain for position, domain in enumerate(domains) if app_names[position % apps] == app]
            self.add(
                PlannedFile(
                    f"{TOP_PACKAGE}/apps/{app}/main.py",
                    "serve",
                    data={"app": app, "domains": served, "framework": "flask" if rng.random() < 0.25 else "fastapi"},
                )
            )
        for _ in range(mentions):
            directory = f"{TOP_PACKAGE}/{rng.choice(domains)}/ops"
            self.package(directory)
            self.add(PlannedFile(self.unique_module(directory, f"{rng.choice(NOUNS)}_runbook"), "mention"))

    def event_specs(self, domain: str, count: int) -> list[EventSpec]:
        rng = self.rng
        specs: list[EventSpec] = []
        seen: set[str] = set()
        while len(specs) < count:
            noun, verb = rng.choice(NOUNS), rng.choice(VERBS)
            name = f"{domain}/{noun}.{past(verb)}".replace("_", "-")
            if name in seen:
                continue
            seen.add(name)
            keys = tuple(rng.sample(KEYS, rng.randint(2, 4)))
            specs.append(EventSpec(f"{noun}_{past(verb)}".upper(), name, keys))
        return specs

    def plan_filler(self, core_modules: list[str]) -> None:
        """Ordinary layer subpackages (and tests) until the tree holds exactly `files` files."""
        rng = self.rng
        while True:
            remaining = self.files - len(self.planned)
            if remaining <= 0:
                break
            if remaining <= 3:
                for _ in range(remaining):
                    path = self.unique_module(f"{TOP_PACKAGE}/core", rng.choice(("compat", "misc", "shared")))
                    self.add(PlannedFile(path, "core"))
                    core_modules.append(path)
                break
            if rng.random() < 0.07:
                directory = f"tests/test_{rng.choice(DOMAINS)}_{len(self.planned)}"
                role = "test"
            else:
                if not self.domain_names or rng.random() < 0.12:
                    domain = self.new_domain()
                else:
                    domain = rng.choice(self.domain_names)
                directory = f"{TOP_PACKAGE}/{domain}/{rng.choice(LAYERS)}"
                role = "filler"
            new_inits = sum(
                1
                for cut in range(1, len(directory.split("/")) + 1)
                if "/".join(directory.split("/")[:cut]) + "/__init__.py" not in self.planned
            )
            room = remaining - new_inits
            if room < 1:
                continue
            self.package(directory)
            for _ in range(min(room, rng.randint(4, 36))):
                stem = (
                    f"test_{rng.choice(NOUNS)}" if role == "test" else f"{rng.choice(NOUNS)}_{rng.choice(MODULE_KINDS)}"
                )
                self.add(PlannedFile(self.unique_module(directory, stem), role))

    def wire_imports(self, core_modules: list[str]) -> None:
        """Project imports that form a layered graph: earlier siblings, then the core layer.

        Siblings are imported only from earlier in the sorted directory and core modules only
        from earlier core modules, so the graph has no cycles and an import closure stays about
        as local as in a real application.
        """
        rng = self.rng
        by_directory: dict[str, list[str]] = {}
        for path in sorted(self.planned):
            if self.planned[path].role in ("filler", "core", "test", "steps", "mention"):
                by_directory.setdefault(path.rsplit("/", 1)[0], []).append(path)
        core_sorted = sorted(core_modules)
        # A layer subpackage may also import from a lower layer of its domain (api -> models).
        lower_layers: dict[str, list[str]] = {}
        for directory in by_directory:
            parts = directory.split("/")
            if len(parts) == 3 and parts[0] == TOP_PACKAGE and parts[2] in LAYERS:
                rank = LAYERS.index(parts[2])
                lower_layers[directory] = [
                    other
                    for other in by_directory
                    if other.startswith(f"{parts[0]}/{parts[1]}/")
                    and other.count("/") == 2
                    and other.split("/")[2] in LAYERS
                    and LAYERS.index(other.split("/")[2]) < rank
                ]
        for directory, members in by_directory.items():
            for position, path in enumerate(members):
                planned = self.planned[path]
                targets: list[str] = []
                if planned.role == "core":
                    earlier = core_sorted[: core_sorted.index(path)]
                    if earlier and rng.random() < 0.5:
                        targets.append(rng.choice(earlier))
                else:
                    if position and planned.role != "test" and rng.random() < 0.55:
                        targets.append(rng.choice(members[max(0, position - 6) : position]))
                    lower = lower_layers.get(directory)
                    if lower and rng.random() < 0.3:
                        targets.append(rng.choice(by_directory[rng.choice(lower)]))
                    for _ in range(rng.choice((0, 1, 1, 2))):
                        targets.append(rng.choice(core_sorted))
                aliases: set[str] = set()
                for target in dict.fromkeys(targets):
                    statement, alias = self.import_statement(path, target)
                    if alias not in aliases:
                        aliases.add(alias)
                        planned.imports.append((statement, alias))

    def import_statement(self, importer: str, target: str) -> tuple[str, str]:
        """`from pkg import mod` (absolute or, for siblings, sometimes relative) -> alias `mod`."""
        target_module = module_of(target)
        package, _, name = target_module.rpartition(".")
        if importer.rsplit("/", 1)[0] == target.rsplit("/", 1)[0] and self.rng.random() < 0.3:
            return f"from . import {name}", name
        return f"from {package} import {name}", name


# --------------------------------------------------------------------------------------------
# Rendering each role.
# --------------------------------------------------------------------------------------------


def render(planned: PlannedFile, seed: int, planner_files: dict[str, PlannedFile]) -> str:
    rng = random.Random(f"{seed}/{planned.path}")
    role = planned.role
    if role == "init":
        return render_init(planned, rng)
    if role == "client":
        return render_client(planned, rng)
    if role == "function":
        return render_function_module(planned, rng, planner_files)
    if role == "serve":
        return render_serve(planned, rng)
    if role == "events":
        return render_events(planned)
    if role == "steps":
        return render_steps(planned, rng)
    if role == "registry":
        return render_registry(planned, rng)
    if role == "test":
        return render_test(planned, rng)
    writer = ModuleWriter(rng, module_of(planned.path), list(planned.imports))
    writer.body_until(planned.size)
    docstring = writer.sentence()
    if role == "mention":
        docstring += "\n\nRun by the on-call engineer when the inngest worker falls behind.\n"
    return writer.render(docstring)


def render_init(planned: PlannedFile, rng: random.Random) -> str:
    package = module_of(planned.path).rsplit(".", 1)[-1]
    if rng.random() < 0.6:
        return ""
    return f'"""The {package.replace("_", " ")} package."""\n'


def render_client(planned: PlannedFile, rng: random.Random) -> str:
    app = str(planned.data["app"])
    lines = [
        f'"""The Inngest client of the {app} app: one per app, imported by its functions."""',
        "",
        "from __future__ import annotations",
        "",
        "import logging",
        "import os",
        "",
        "import inngest",
        "",
        "client = inngest.Inngest(",
        f'    app_id="{TOP_PACKAGE}-{app}",',
        f'    logger=logging.getLogger("{TOP_PACKAGE}.{app}"),',
        '    is_production=os.environ.get("APP_ENV") == "production",',
        ")",
    ]
    return "\n".join(lines) + "\n"


def render_events(planned: PlannedFile) -> str:
    domain = str(planned.data["domain"])
    lines = [
        f'"""Event names of the {domain} domain, shared by the code that sends and the code that reacts."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    for spec in planned.data["events"]:  # type: ignore[union-attr]
        lines.append(f'{spec.constant} = "{spec.name}"')
    return "\n".join(lines) + "\n"


def render_steps(planned: PlannedFile, rng: random.Random) -> str:
    """Step handlers: plain functions the workflow modules pass to `ctx.step.run`."""
    domain = str(planned.data["domain"])
    writer = ModuleWriter(rng, module_of(planned.path), list(planned.imports))
    writer.defined.update(planned.data["handlers"])  # type: ignore[arg-type]
    for index, handler in enumerate(planned.data["handlers"]):  # type: ignore[union-attr]
        writer.emit()
        writer.emit()
        writer.emit(f"def {handler}(payload: dict[str, {writer.use('Any')}]) -> dict[str, {writer.use('Any')}]:")
        writer.emit(f'    """{writer.sentence()}"""')
        if index == 0 and planned.data.get("fetchall"):
            writer.emit('    cursor = payload["connection"].cursor()')
            writer.emit(f'    cursor.execute("SELECT * FROM {domain}")')
            writer.emit('    return {"rows": cursor.fetchall()}')
            continue
        scope = [Value("payload", "map"), Value('payload.get("items", [])', "seq")]
        start = writer.begin_body()
        writer.statements(scope, "    ", rng.randint(2, 6), 0, False)
        writer.finish_body(
            "    ", start, "return ", f'{{"{rng.choice(KEYS)}": {writer.expression(scope, "str")}, "ok": True}}'
        )
    writer.body_until(planned.size)
    return writer.render(f"Step handlers of the {domain} workflows: each does one retryable unit of work.")


def render_registry(planned: PlannedFile, rng: random.Random) -> str:
    """The domain's function list, built from several modules (no SDK name in this file)."""
    symbols: list[tuple[str, str]] = planned.data["symbols"]  # type: ignore[assignment]
    lines = [
        '"""The workflows of this domain, in the order they are registered."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    by_module: dict[str, list[str]] = {}
    for path, symbol in symbols:
        by_module.setdefault(module_of(path).rsplit(".", 1)[-1], []).append(symbol)
    style = rng.random()
    if style < 0.5:
        for module, names in sorted(by_module.items()):
            lines.append(f"from .{module} import {', '.join(sorted(names))}")
        lines += ["", "FUNCTIONS = ["]
        lines += [f"    {symbol}," for _, symbol in symbols]
        lines.append("]")
    else:
        for module in sorted(by_module):
            lines.append(f"from . import {module}")
        lines += ["", "FUNCTIONS = []"]
        for module, names in sorted(by_module.items()):
            items = ", ".join(f"{module}.{name}" for name in names)
            lines.append(f"FUNCTIONS.extend([{items}])")
    return "\n".join(lines) + "\n"


def render_serve(planned: PlannedFile, rng: random.Random) -> str:
    app = str(planned.data["app"])
    domains: list[str] = planned.data["domains"]  # type: ignore[assignment]
    flask = planned.data["framework"] == "flask"
    lines = [
        f'"""HTTP entry point of the {app} app: serves its Inngest functions."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    lines += ["import flask", "import inngest.flask"] if flask else ["import fastapi", "import inngest.fast_api"]
    lines.append("")
    lines.append(f"from {TOP_PACKAGE}.apps.{app}.inngest_client import client")
    aliases = []
    for domain in domains:
        alias = f"{domain.upper()}_FUNCTIONS"
        lines.append(f"from {TOP_PACKAGE}.{domain}.workflows import FUNCTIONS as {alias}")
        aliases.append(alias)
    lines.append("")
    lines.append(f'app = flask.Flask("{app}")' if flask else f'app = fastapi.FastAPI(title="{app}")')
    lines.append("")
    if not aliases:
        lines.append("functions: list = []")
    elif rng.random() < 0.5:
        lines.append("functions = [")
        lines.extend(f"    *{alias}," for alias in aliases)
        lines.append("]")
    else:
        lines.append(f"functions = list({aliases[0]})")
        for alias in aliases[1:]:
            lines.append(f"functions.extend({alias})")
    lines.append("")
    lines.append(f"inngest.{'flask' if flask else 'fast_api'}.serve(app, client, functions)")
    return "\n".join(lines) + "\n"


def render_test(planned: PlannedFile, rng: random.Random) -> str:
    writer = ModuleWriter(rng, module_of(planned.path), list(planned.imports))
    while True:
        writer.emit()
        writer.emit()
        noun = writer.noun()
        if rng.random() < 0.3:
            values = ", ".join(str(rng.randint(0, 100)) for _ in range(rng.randint(2, 5)))
            writer.emit(f'@pytest.mark.parametrize("{noun}_count", [{values}])')
            writer.emit(f"def {writer.unique(f'test_{rng.choice(VERBS)}_{noun}')}({noun}_count: int) -> None:")
            scope = [Value(f"{noun}_count", "num")]
        else:
            writer.emit(f"def {writer.unique(f'test_{rng.choice(VERBS)}_{noun}_{rng.choice(ADJECTIVES)}')}() -> None:")
            scope = []
        start = writer.begin_body()
        writer.statements(scope, "    ", rng.randint(2, 6), 0, False)
        writer.finish_body("    ", start, "assert ", f"{writer.expression(scope, 'bool')} or True")
        if writer.size >= planned.size:
            break
    return writer.render(writer.sentence(), extra_imports=("import pytest",))


def render_function_module(planned: PlannedFile, rng: random.Random, files: dict[str, PlannedFile]) -> str:
    """Inngest functions of one workflow module, then ordinary helper code up to its size."""
    app = str(planned.data["app"])
    events_module = module_of(str(planned.data["events"]))
    steps_module = module_of(str(planned.data["steps"]))
    steps_planned = files[str(planned.data["steps"])]
    handlers: list[str] = steps_planned.data["handlers"]  # type: ignore[assignment]
    specs: list[FunctionSpec] = planned.data["functions"]  # type: ignore[assignment]
    writer = ModuleWriter(rng, module_of(planned.path), [])
    sdk = "ig" if rng.random() < 0.15 else "inngest"
    uses_constants_module = rng.random() < 0.6
    used_handlers: set[str] = set()
    used_constants: set[str] = set()
    emit = writer.emit

    def event_ref(spec: EventSpec) -> str:
        used_constants.add(spec.constant)
        return f"events.{spec.constant}" if uses_constants_module else spec.constant

    def step_id(text: str) -> str:
        return text.lower().replace("_", "-")

    for spec in specs:
        emit()
        emit()
        if spec.trigger is None:
            cron = rng.choice(("0 3 * * *", "*/15 * * * *", "TZ=Europe/Paris 0 6 * * 1-5"))
            trigger = f'{sdk}.TriggerCron(cron="{cron}")'
        else:
            extra = f', if_exp="event.data.{spec.trigger.keys[0]} != null"' if spec.mistake == "trigger-if-exp" else ""
            trigger = f"{sdk}.TriggerEvent(event={event_ref(spec.trigger)}{extra})"
        emit("@client.create_function(")
        emit(f'    fn_id="{spec.fn_id}",')
        emit(f"    trigger={trigger},")
        if rng.random() < 0.4:
            emit(f"    retries={rng.choice((0, 2, 3, 5))},")
        if rng.random() < 0.25 and spec.trigger is not None:
            limit = rng.choice((1, 5, 10))
            emit(f'    concurrency=[{sdk}.Concurrency(limit={limit}, key="event.data.{spec.trigger.keys[0]}")],')
        emit(")")
        context_type = f"{sdk}.Context" if spec.is_async else f"{sdk}.ContextSync"
        awaiting = "await " if spec.is_async else ""
        emit(f"{'async def' if spec.is_async else 'def'} {spec.symbol}(ctx: {context_type}) -> dict[str, object]:")
        writer.docstring("    ", long=rng.random() < 0.4)
        key = spec.trigger.keys[0] if spec.trigger else "id"
        if spec.trigger is not None:
            emit(f'    {key} = ctx.event.data["{key}"]')
        else:
            emit(f'    {key} = "{rng.choice(NOUNS)}-" + ctx.run_id')
        if spec.mistake == "now-outside-step":
            emit(f"    started_at = {writer.use('datetime')}.datetime.now().isoformat()")
            emit(f'    ctx.logger.info("started %s at %s", {key}, started_at)')
        if spec.mistake == "sleep-in-body":
            emit(f"    {writer.use('time')}.sleep(1)")
        handler = rng.choice(handlers)
        used_handlers.add(handler)
        first_await = "" if spec.mistake == "step-not-awaited" else awaiting
        emit(f'    loaded = {first_await}ctx.step.run("{step_id(handler)}", {handler}, {{"{key}": {key}}})')
        if spec.mistake == "duplicate-step-id":
            emit(f'    {awaiting}ctx.step.run("{step_id(handler)}", {handler}, {{"{key}": {key}, "retry": True}})')
        if rng.random() < 0.6:
            item_handler = rng.choice(handlers)
            used_handlers.add(item_handler)
            item_id = (
                f'"{step_id(item_handler)}-item"'
                if spec.mistake == "step-id-in-loop"
                else f"f\"{step_id(item_handler)}-{{item['id']}}\""
            )
            emit('    for item in ctx.event.data.get("items", []):')
            emit(f"        {awaiting}ctx.step.run({item_id}, {item_handler}, item)")
        if rng.random() < 0.3:
            minutes = rng.choice((1, 5, 30))
            emit(f'    {awaiting}ctx.step.sleep("cool-down", {writer.use("datetime")}.timedelta(minutes={minutes}))')
        if spec.waits is not None:
            wait_key = spec.waits.keys[0]
            wait_field = wait_key
            if spec.mistake == "expression-case-mismatch":
                parts = wait_key.split("_")
                wait_field = (
                    parts[0] + "".join(part.capitalize() for part in parts[1:]) + ("Id" if len(parts) == 1 else "")
                )
            emit(f"    answer = {awaiting}ctx.step.wait_for_event(")
            emit(f'        "wait-for-{step_id(spec.waits.constant)}",')
            emit(f"        event={event_ref(spec.waits)},")
            emit(f'        if_exp="async.data.{wait_field} == event.data.{key}",')
            if spec.mistake != "wait-without-timeout":
                emit(f"        timeout={writer.use('datetime')}.timedelta(hours={rng.choice((1, 6, 24, 72))}),")
            emit("    )")
            emit("    if answer is None:")
            emit('        return {"status": "timed-out"}')
        if spec.sends is not None:
            name = event_ref(spec.sends)
            if spec.mistake == "misspelt-event":
                real = spec.sends.name
                name = '"' + real[:-3] + real[-2:] + '"'  # one letter dropped near the end: a typo
            data = ", ".join(
                f'"{field_name}": {key if index == 0 else repr(rng.choice((1, "x", True)))}'
                for index, field_name in enumerate(spec.sends.keys)
            )
            emit(f"    {awaiting}ctx.step.send_event(")
            emit(f'        "emit-{step_id(spec.sends.constant)}",')
            emit(f"        {sdk}.Event(name={name}, data={{{data}}}),")
            emit("    )")
        emit('    return {"status": "done", "loaded": loaded}')
    # Ordinary helpers after the functions, so the module has a realistic size.
    writer.defined.update(spec.symbol for spec in specs)
    writer.defined.update(used_handlers | used_constants | {"client", "events", "datetime", "time"})
    if writer.size < planned.size:
        writer.body_until(planned.size)
    project = [f"from {TOP_PACKAGE}.apps.{app}.inngest_client import client"]
    if uses_constants_module:
        package, _, name = events_module.rpartition(".")
        project.append(f"from {package} import {name}")
    elif used_constants:
        project.append(f"from {events_module} import {', '.join(sorted(used_constants))}")
    project.append(f"from {steps_module} import {', '.join(sorted(used_handlers))}")
    writer.project_imports = [(statement, "") for statement in project]
    writer.unused_aliases = []
    sdk_import = "import inngest as ig" if sdk == "ig" else "import inngest"
    return writer.render(writer.sentence(), extra_imports=(sdk_import,))


# --------------------------------------------------------------------------------------------
# Driver.
# --------------------------------------------------------------------------------------------

PYPROJECT = """[project]
name = "{top}"
version = "0.0.0"
description = "Synthetic repository generated by inngest-lint's bench/generate.py"
requires-python = ">=3.9"
dependencies = ["inngest>=0.5", "fastapi", "flask"]

[tool.setuptools.packages.find]
include = ["{top}*"]
"""

GITIGNORE = """__pycache__/
*.pyc
.venv/
build/
dist/
.inngest_lint_cache/
.ruff_cache/
.pytest_cache/
"""


def iter_tree(planner_files: list[PlannedFile], seed: int) -> Iterator[tuple[str, bytes]]:
    by_path = {planned.path: planned for planned in planner_files}
    for planned in planner_files:
        yield planned.path, render(planned, seed, by_path).encode("utf-8")


def generate(out: Path, files: int = 10_000, ratio: float = 0.02, seed: int = 0) -> Summary:
    """Write the tree under `out` (created; must be empty or absent) and return its summary."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    planner = Planner(files, ratio, seed)
    planned = planner.plan()
    sizes: list[int] = []
    inngest_files = 0
    mistakes: dict[str, int] = {}
    for item in planned:
        for spec in item.data.get("functions", []) or []:  # type: ignore[union-attr]
            if spec.mistake:
                mistakes[spec.mistake] = mistakes.get(spec.mistake, 0) + 1
    out.mkdir(parents=True, exist_ok=True)
    made_dirs: set[Path] = set()
    for relative, data in iter_tree(planned, seed):
        target = out / relative
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        target.write_bytes(data)
        sizes.append(len(data))
        inngest_files += MARKER in data
    (out / "pyproject.toml").write_bytes(PYPROJECT.format(top=TOP_PACKAGE).encode())
    (out / ".gitignore").write_bytes(GITIGNORE.encode())
    ordered = sorted(sizes)
    summary = Summary(
        root=str(out),
        files=len(sizes),
        inngest_files=inngest_files,
        total_bytes=sum(sizes),
        median_bytes=ordered[len(ordered) // 2],
        mean_bytes=round(sum(sizes) / len(sizes), 1),
        largest_bytes=ordered[-1],
        mistakes=dict(sorted(mistakes.items())),
    )
    stamp = {
        "generator_version": GENERATOR_VERSION,
        "files": files,
        "inngest_ratio": ratio,
        "seed": seed,
        "summary": {k: v for k, v in summary.as_dict().items() if k != "root"},
    }
    (out / STAMP_NAME).write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return summary


def read_stamp(root: Path) -> dict[str, object] | None:
    """The parameters a generated tree was made with, or None if `root` is not one."""
    try:
        return json.loads((Path(root) / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="Directory to create (must be empty or absent).")
    parser.add_argument("--files", type=int, default=10_000, help="Number of .py files (default 10000).")
    parser.add_argument(
        "--inngest-ratio", type=float, default=0.02, help="Share of files that contain 'inngest' (default 0.02)."
    )
    parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
    parser.add_argument(
        "--force", action="store_true", help="Replace OUT if it holds a tree this script generated earlier."
    )
    args = parser.parse_args(argv)
    if args.force and args.out.exists():
        if read_stamp(args.out) is None:
            print(f"generate: refusing to delete {args.out}: it is not a generated tree", file=sys.stderr)
            return 2
        shutil.rmtree(args.out)
    try:
        summary = generate(args.out, args.files, args.inngest_ratio, args.seed)
    except (ValueError, FileExistsError) as error:
        print(f"generate: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary.as_dict(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
