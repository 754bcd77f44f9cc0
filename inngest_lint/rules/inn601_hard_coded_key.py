"""INN601 hard-coded-key."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

import libcst as cst

from inngest_lint import sdk
from inngest_lint.rules._config import positional_args, qualified_call
from inngest_lint.rules.base import Rule
from inngest_lint.semantic.context import FileContext
from inngest_lint.semantic.names import literal_string
from inngest_lint.semantic.traverse import children

SIGNING = "signing key"
EVENT = "event key"

_SIGNING_KEY = re.compile(re.escape(sdk.SIGNING_KEY_PREFIX) + r"[A-Za-z0-9_]+-([0-9a-fA-F]+)")
_HEX = re.compile(r"[0-9a-fA-F]+")
_EVENT_KEY_CHARACTERS = re.compile(r"[A-Za-z0-9_\-]+")
_SEPARATORS = re.compile(r"[_\-]+")
_SINGLE_CASE = re.compile(r"[a-z0-9]*|[A-Z0-9]*")
#: Thresholds for "looks like a real key", documented in the rule's docstring.
MIN_SIGNING_HEX_LENGTH = 16
MIN_BARE_HEX_LENGTH = 32
MIN_HEX_ENTROPY = 3.0
MIN_EVENT_KEY_LENGTH = 32
MIN_EVENT_KEY_ENTROPY = 3.5
#: Words that mark a string as a placeholder rather than a key (case-insensitive substrings).
PLACEHOLDER_WORDS = (
    "example",
    "placeholder",
    "your",
    "change",
    "dummy",
    "fake",
    "sample",
    "test",
    "local",
    "dev",
    "xxx",
    "todo",
    "redacted",
    "insert",
    "replace",
    "here",
    "secret",
    "mock",
    "none",
    "null",
)
#: Calls that read an environment variable with a fallback: the fallback is a value position.
_ENVIRONMENT_READS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_MAX_DEPTH = 6


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    total = len(text)
    return -sum(count / total * math.log2(count / total) for count in counts.values())


def _periodic(text: str) -> bool:
    """ "abcabcabc", "0000": a string that is a repetition of a shorter one."""
    return len(text) > 1 and text in (text + text)[1:-1]


def _mostly_sequential(text: str) -> bool:
    """ "0123456789abcdef...", "abcdefgh...": typed runs, not random (random hex has ~6% of steps)."""
    steps = sum(1 for left, right in zip(text, text[1:]) if ord(right) - ord(left) == 1)
    return len(text) > 1 and steps * 2 > len(text) - 1


def _is_placeholder(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in PLACEHOLDER_WORDS) or _periodic(text) or _mostly_sequential(lowered)


def _random_hex(text: str) -> bool:
    return not _is_placeholder(text) and _entropy(text.lower()) >= MIN_HEX_ENTROPY


def key_kind(text: str, position: str | None) -> str | None:
    """Which real-looking key `text` is ("signing key"/"event key"), or None for anything else.

    A signing key is `signkey-<env>-<hex>` anywhere, or a bare hex string where a signing key
    goes; an event key is a long, mixed, high-entropy token where an event key goes.
    """
    match = _SIGNING_KEY.fullmatch(text)
    if match is not None:
        hex_part = match.group(1)
        return SIGNING if len(hex_part) >= MIN_SIGNING_HEX_LENGTH and _random_hex(hex_part) else None
    if position == SIGNING:
        if len(text) >= MIN_BARE_HEX_LENGTH and _HEX.fullmatch(text) and _random_hex(text):
            return SIGNING
        return None
    if position == EVENT and _looks_like_event_key(text):
        return EVENT
    return None


def _identifier_like(text: str) -> bool:
    """`purchase_completed_checkout_v2`, `MY-APP-EVENT`: words joined by `_`/`-`, each in one case.

    A random token has mixed case inside its pieces; an identifier (an event name another
    library calls its "event key") does not.
    """
    pieces = _SEPARATORS.split(text)
    return len(pieces) >= 2 and all(_SINGLE_CASE.fullmatch(piece) for piece in pieces)


def _looks_like_event_key(text: str) -> bool:
    if len(text) < MIN_EVENT_KEY_LENGTH or not _EVENT_KEY_CHARACTERS.fullmatch(text) or _is_placeholder(text):
        return False
    if _identifier_like(text):
        return False
    classes = sum((any(c.islower() for c in text), any(c.isupper() for c in text), any(c.isdigit() for c in text)))
    return classes >= 2 and _entropy(text) >= MIN_EVENT_KEY_ENTROPY


def _secret_name_kind(name: str) -> str | None:
    """The key a variable, keyword or environment name holds: `INNGEST_SIGNING_KEY`,
    `signing_key`, `event_key`, `INNGEST_EVENT_KEY_FALLBACK`..."""
    lowered = name.lower().removesuffix("_fallback")
    for keyword, kind in ((sdk.CLIENT_SIGNING_KEY_KEYWORD, SIGNING), (sdk.CLIENT_EVENT_KEY_KEYWORD, EVENT)):
        if lowered == keyword or lowered.endswith("_" + keyword):
            return kind
    return None


class HardCodedKey(Rule):
    """An Inngest signing key or event key written in the source.

    ## What it does
    Flags a string that looks like a real key where a key goes: `inngest.Inngest(signing_key=...,
    event_key=...)` (and any `signing_key=`/`event_key=` keyword), a variable, attribute, dict
    entry or keyword named `INNGEST_SIGNING_KEY`/`INNGEST_EVENT_KEY` (or ending in
    `signing_key`/`event_key`), `os.environ["INNGEST_SIGNING_KEY"] = ...`,
    `os.environ.setdefault(...)`, and the fallback of `os.getenv(...)`/`os.environ.get(...)`.
    A `signkey-<env>-<hex>` string is a signing key wherever it appears.

    What "looks like a real key" means:
    - signing key: `signkey-<env>-<hex>` with at least 16 hex digits, or (where a signing key
      goes) a bare hex string of at least 32 digits; the hex must have an entropy of at least
      3.0 bits per character;
    - event key: at least 32 characters of letters, digits, `_` and `-`, mixing at least two of
      lowercase, uppercase and digits, with an entropy of at least 3.5 bits per character, and
      not an identifier (single-case words joined by `_` or `-`, such as another library's
      `event_key="purchase_completed_checkout_v2_2024"`);
    - never a repetition (`0000...`, `abcdabcd...`), a typed run (`0123456789...`, mostly
      consecutive characters) or a string containing a placeholder word (example, placeholder,
      your, change, dummy, fake, sample, test, local, dev, xxx, todo, redacted, insert, replace,
      here, secret, mock, none, null).

    So `os.getenv("INNGEST_EVENT_KEY") or "local-dev-key"`, `os.environ.get("X", "test")` and
    all-zero keys are not reported. Test files (`tests/`, `test_*.py`, `conftest.py`) are skipped.
    The message never shows the key, not even a part of it.

    ## Why is this bad?
    A signing key lets anyone who can read the code call your functions as Inngest would; an
    event key lets them send events into your account. Source code is copied to laptops, CI logs
    and forks, and a key in git history stays there after it is deleted.

    ## Use instead
    Leave the keys out: the client reads `INNGEST_SIGNING_KEY` and `INNGEST_EVENT_KEY` from the
    environment. Rotate any key that was committed.
    """

    code = "INN601"
    name = "hard-coded-key"

    VALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop")
        """,
        """
        import os

        import inngest

        client = inngest.Inngest(
            app_id="shop",
            signing_key=os.environ["INNGEST_SIGNING_KEY"],
            event_key=os.getenv("INNGEST_EVENT_KEY") or "local-dev-key",
        )
        os.environ.setdefault("INNGEST_SIGNING_KEY", "signkey-test-00000000000000000000000000000000")
        """,
    )
    INVALID = (
        """
        import inngest

        client = inngest.Inngest(app_id="shop", signing_key="signkey-prod-9f86d081884c7d659a2feaa0c55ad015")  # error: INN601
        """,
        """
        import os

        import inngest

        client = inngest.Inngest(
            app_id="shop",
            signing_key="signkey-prod-9f86d081884c7d659a2feaa0c55ad015",  # error: INN601
        )
        os.environ["INNGEST_EVENT_KEY"] = "Vq3kR8zP1xLm7TgY2bWc9NhE5sJd4FaU6oKi0Zr"  # error: INN601
        """,
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # Reported literals (one finding per key, whichever check reaches it first), and the
        # pieces of concatenated strings, which are checked as a whole.
        self._seen: set[int] = set()
        self._parts: set[int] = set()
        self._off = context.is_test

    # ------------------------------------------------------------------ positions
    def visit_Call(self, node: cst.Call) -> None:
        if self._off:
            return
        for arg in node.args:
            if arg.keyword is not None:
                kind = _secret_name_kind(arg.keyword.value)
                if kind is not None:
                    self._check(arg.value, kind, f"`{arg.keyword.value}=`")
        positional = positional_args(node)
        if len(positional) >= 2:
            name = literal_string(positional[0].value)
            if name is not None and name in sdk.SECRET_ENVIRONMENT_VARIABLES:
                kind = _secret_name_kind(name)
                if kind is not None:
                    self._check(positional[1].value, kind, f"the value given with {name}")

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._off:
            return
        for target in node.targets:
            self._check_target(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if not self._off and node.value is not None:
            self._check_target(node.target, node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if self._off:
            return
        name = literal_string(node.key)
        if name is not None:
            kind = _secret_name_kind(name)
            if kind is not None:
                self._check(node.value, kind, f"the {name!r} entry")

    def _check_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        name: str | None = None
        if isinstance(target, cst.Name):
            name = target.value
        elif isinstance(target, cst.Attribute):
            name = target.attr.value
        elif isinstance(target, cst.Subscript) and len(target.slice) == 1:
            index = target.slice[0].slice
            if isinstance(index, cst.Index):
                name = literal_string(index.value)
        if name is None:
            return
        kind = _secret_name_kind(name)
        if kind is not None:
            self._check(value, kind, f"`{name}`")

    # ------------------------------------------------------------------ anywhere
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self._off or id(node) in self._parts:
            return
        self._check_anywhere(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        """Check `"signkey-prod-" "..."` as one string; its pieces are then skipped."""
        if self._off or id(node) in self._parts:
            return
        stack: list[cst.CSTNode] = list(children(node))
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.SimpleString, cst.ConcatenatedString)):
                self._parts.add(id(current))
            stack.extend(children(current))
        self._check_anywhere(node)

    def _check_anywhere(self, node: cst.SimpleString | cst.ConcatenatedString) -> None:
        text = literal_string(node)
        if text is not None and key_kind(text, None) == SIGNING:
            self._flag(node, SIGNING, "a string literal")

    # ------------------------------------------------------------------ values
    def _check(self, value: cst.BaseExpression, position: str, where: str) -> None:
        for literal in self._literals(value, 0):
            text = literal_string(literal)
            if text is None:
                continue
            kind = key_kind(text, position)
            if kind is not None:
                self._flag(literal, kind, where)

    def _literals(self, node: cst.BaseExpression, depth: int) -> Iterator[cst.BaseExpression]:
        """String literals that can become the value: both sides of `or`, both branches of a
        conditional, the fallback of `os.getenv`, and the value of a name bound once."""
        if depth > _MAX_DEPTH:
            return
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            yield node
        elif isinstance(node, cst.BooleanOperation):
            yield from self._literals(node.left, depth + 1)
            yield from self._literals(node.right, depth + 1)
        elif isinstance(node, cst.IfExp):
            yield from self._literals(node.body, depth + 1)
            yield from self._literals(node.orelse, depth + 1)
        elif isinstance(node, cst.Call) and qualified_call(self.context, node) in _ENVIRONMENT_READS:
            positional = positional_args(node)
            if len(positional) >= 2:
                yield from self._literals(positional[1].value, depth + 1)
        elif isinstance(node, cst.Name):
            bound = self.context.local_value(node.value)
            if bound is not None:
                yield from self._literals(bound, depth + 1)

    def _flag(self, node: cst.BaseExpression, kind: str, where: str) -> None:
        if id(node) in self._seen:
            return
        self._seen.add(id(node))
        variable = sdk.SIGNING_KEY_ENVIRONMENT_VARIABLE if kind == SIGNING else sdk.EVENT_KEY_ENVIRONMENT_VARIABLE
        impact = "sign requests to your functions" if kind == SIGNING else "send events into your account"
        self.report(
            node,
            f"hard-coded Inngest {kind} in {where}: anyone who can read the source can {impact}; read it from "
            f"the environment ({variable}) and rotate this key",
            context=kind,
        )
