"""Helpers shared by the project rules: display paths, event listeners, near-miss names."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from inngest_lint.diagnostics import SAFE, UNSAFE, Edit, Fix, Location
from inngest_lint.facts.index import ProjectIndex, event_matches
from inngest_lint.facts.model import InngestFunction


def shown(location: Location, root: str | None) -> str:
    """`path:line` of another place, for a message, never absolute for a project file.

    Relative to the project root, so a finding reads the same from any folder inside the
    project (a service's folder, the repository top); relative to the current directory when
    the run starts above the project (`inngest-lint examples/`), as the findings' own paths are.
    """
    path = location.path
    base = root
    cwd = os.getcwd()
    if root is None or _is_within(root, cwd):
        base = cwd
    if base is not None:
        try:
            relative = os.path.relpath(path, base)
        except ValueError:
            relative = path
        if relative != ".." and not relative.startswith(".." + os.sep):
            path = relative
    return f"{Path(path).as_posix()}:{location.line}"


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def function_label(function: InngestFunction, index: ProjectIndex) -> str:
    ids = index.strings(function.fn_id)
    return next(iter(ids)) if ids and len(ids) == 1 else function.handler_name


@dataclass(frozen=True)
class Listener:
    """Something that listens to an event name: a trigger, a wait_for_event, or a cancel."""

    name: str
    kind: Literal["trigger", "wait_for_event", "cancel"]
    location: Location
    function: InngestFunction
    literal: str = ""  # the source of the name when it is one plain string literal


def listeners(index: ProjectIndex) -> Iterator[Listener]:
    for function in index.functions:
        for trigger in function.triggers:
            if trigger.kind != "event":
                continue
            for name in index.strings(trigger.value) or ():
                yield Listener(name, "trigger", trigger.location, function, trigger.literal)
        for wait in function.waits:
            for name in index.strings(wait.event) or ():
                yield Listener(
                    name, "wait_for_event", wait.event_location or wait.location, function, wait.event_literal
                )
        for cancel in function.cancel_events:
            for name in index.strings(cancel.value) or ():
                yield Listener(name, "cancel", cancel.location, function, cancel.literal)


def has_unknown_listener(index: ProjectIndex) -> bool:
    for function in index.functions:
        if not function.trigger_count_known:
            return True
        for trigger in function.triggers:
            if trigger.kind == "event" and index.strings(trigger.value) is None:
                return True
        for wait in function.waits:
            if index.strings(wait.event) is None:
                return True
    return False


def is_listened(name: str, listener_names: set[str]) -> bool:
    return any(event_matches(pattern, name) for pattern in listener_names)


_SEPARATORS = re.compile(r"[-_.\s]")


def osa_within(a: str, b: str, limit: int) -> bool:
    """Whether the optimal string alignment distance (edits, with adjacent transpositions) of
    `a` and `b` is at most `limit`.

    Only the cells within `limit` of the diagonal can stay within the limit, so only those are
    computed (the near-miss rules ask this of every orphan sent/listened pair: the full table
    made them the slowest part of a pre-commit run).
    """
    if abs(len(a) - len(b)) > limit:
        return False
    # A common prefix or suffix costs no edit: event names share long ones (`app/order.`), and
    # leaving them out keeps the table to the differing middle.
    start = len(os.path.commonprefix((a, b)))
    a, b = a[start:], b[start:]
    end = len(os.path.commonprefix((a[::-1], b[::-1])))
    if end:
        a, b = a[:-end], b[:-end]
    over = limit + 1  # every value above the limit is as good as this one
    width = len(b)
    before: list[int] = []
    previous = [min(j, over) for j in range(width + 1)]
    for i in range(1, len(a) + 1):
        current = [over] * (width + 1)
        current[0] = min(i, over)
        low = max(1, i - limit)
        high = min(width, i + limit)
        best = current[0]
        for j in range(low, high + 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = min(value, over)
            best = min(best, current[j])
        if best > limit and (not before or min(previous) > limit):
            return False  # no cell of this row or the one before can lead back under the limit
        before, previous = previous, current
    return previous[width] <= limit


#: Edits a near miss may be apart (for names of 10 characters or more; 1 below).
NEAR_MISS_MAX_EDITS = 2


def normalized_name(name: str) -> str:
    """`name` in lower case without `-`, `_`, `.` or spaces: equal ones are near misses."""
    return _profile(name)[1]


@lru_cache(maxsize=4096)
def _profile(name: str) -> tuple[str, str, frozenset[str]]:
    lower = name.lower()
    return lower, _SEPARATORS.sub("", lower), frozenset(lower)


def is_near_miss(a: str, b: str) -> bool:
    """Names that are probably the same event mistyped.

    Equal ignoring case and `-`/`_`/`.` separators, or at most 1 edit apart (2 for names of 10+
    characters). The callers only pair names that are each orphaned (sent with no listener,
    listened with no sender), which keeps unrelated pairs like `user.created`/`user.deleted`
    (both handled) out.
    """
    if a == b or "*" in a or "*" in b:
        return False
    limit = 1 if min(len(a), len(b)) < 10 else NEAR_MISS_MAX_EDITS
    lower_a, normal_a, letters_a = _profile(a)
    lower_b, normal_b, letters_b = _profile(b)
    if normal_a == normal_b:
        return True
    if abs(len(a) - len(b)) > limit:
        return False
    # Cheap lower bound before the quadratic distance: each edit brings in or removes at most
    # two distinct letters.
    if len(letters_a ^ letters_b) > limit * 2:
        return False
    return osa_within(lower_a, lower_b, limit)


def normalized_key(key: str) -> str:
    """A data key ignoring case and `_`/`-` (leadId ~ lead_id ~ LEAD-ID)."""
    return re.sub(r"[_\-]", "", key.lower())


def rename_literal_fix(
    location: Location, literal: str, old: str, new: str, *, safe: bool, exclusive: str = ""
) -> Fix | None:
    """A fix that writes `new` in place of the string literal `literal` (whose value is `old`)
    at `location`, keeping its prefix and quotes; None when the literal is not plain or `new`
    cannot be written in it as it is."""
    import libcst as cst

    if not literal:
        return None
    try:
        node = cst.parse_expression(literal)
    except cst.ParserSyntaxError:
        return None
    if not isinstance(node, cst.SimpleString) or node.evaluated_value != old:
        return None
    if node.prefix.lower() not in ("", "u") or len(node.quote) != 1 or any(char in new for char in "\\\n\r'\""):
        return None
    replacement = f"{node.prefix}{node.quote}{new}{node.quote}"
    edit = Edit(
        location.path, location.line, location.column, location.end_line, location.end_column, literal, replacement
    )
    return Fix(f"write {replacement}", SAFE if safe else UNSAFE, (edit,), exclusive)


def near_miss_key(first: str, second: str) -> str:
    """The `Fix.exclusive` key of the fixes of one near-miss pair of event names: renaming the
    send (INN301) and renaming the listener (INN302) are alternatives, never both."""
    return "event-name:" + "\x00".join(sorted((first, second)))
