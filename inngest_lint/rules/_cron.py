"""A cron checker that accepts exactly what the Inngest server accepts.

The server validates a cron trigger when an app syncs (inngest/inngest `pkg/inngest/trigger.go`,
`CronTrigger.Validate`) with robfig/cron v3 and the parser options
`Minute | Hour | Dom | Month | Dow`: exactly five fields, no seconds field and no `@daily`-style
descriptors, optionally prefixed `TZ=<zone> ` or `CRON_TZ=<zone> `. Each field is a comma list
of `*`, `?`, `N`, `N-M`, each optionally `/step`; months take JAN-DEC and weekdays SUN-SAT
(any case), and the weekday range is 0-6 (7 is not Sunday there). This module mirrors that
parser's checks so the linter reports the schedules the server would reject, and only those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from inngest_lint import sdk


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] is the value low + i

    def named(self, text: str) -> int | None:
        lowered = text.lower()
        if lowered in self.names:
            return self.low + self.names.index(lowered)
        return None


_FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day-of-month", 1, 31),
    _Field("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    _Field("day-of-week", 0, 6, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
#: Descriptors other cron parsers accept, with the five-field schedule to write instead.
_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_GO_INT = re.compile(r"[+-]?[0-9]+")
_GO_INT_MAX = 2**63 - 1


class _Invalid(Exception):
    """One problem in a schedule, worded for the user."""


def cron_problem(text: str) -> str | None:
    """Why the Inngest server rejects the cron schedule `text`, or None when it accepts it."""
    try:
        _check(text)
    except _Invalid as problem:
        return str(problem)
    return None


def _check(text: str) -> None:
    spec = text
    if not spec:
        raise _Invalid("the schedule is empty")
    for prefix in sdk.CRON_TIME_ZONE_PREFIXES:
        if spec.startswith(prefix):
            separator = spec.find(" ")
            if separator < 0:
                raise _Invalid(f"the `{prefix}` time zone is not followed by a space and a schedule")
            zone = spec[len(prefix) : separator]
            zone_problem = time_zone_problem(zone)
            if zone_problem is not None:
                raise _Invalid(zone_problem)
            spec = spec[separator:].strip()
            if not spec:
                raise _Invalid(f"the `{prefix}{zone}` prefix is not followed by a schedule")
            break
    if spec.startswith("@"):
        replacement = _DESCRIPTORS.get(spec.strip().lower())
        if replacement is not None:
            raise _Invalid(
                f"descriptors such as `{spec.strip()}` are not accepted (the server parses exactly 5 fields); "
                f"write {replacement!r}"
            )
        raise _Invalid(f"`{spec.strip()}` is not a cron schedule (the server parses exactly 5 fields)")
    fields = spec.split()
    if len(fields) != len(_FIELDS):
        if len(fields) == 6:
            raise _Invalid(
                "it has 6 fields, but Inngest's cron has exactly 5 (minute hour day-of-month month "
                "day-of-week) and no seconds field"
            )
        if not fields:
            raise _Invalid("the schedule is empty")
        raise _Invalid(
            f"it has {len(fields)} field{'s' if len(fields) != 1 else ''}, but a cron schedule has exactly 5 "
            "(minute hour day-of-month month day-of-week)"
        )
    for value, field in zip(fields, _FIELDS):
        _check_field(value, field)


def _check_field(value: str, field: _Field) -> None:
    # robfig/cron splits on commas and skips empty items.
    for item in (part for part in value.split(",") if part):
        _check_range(item, field)


def _check_range(item: str, field: _Field) -> None:
    range_and_step = item.split("/")
    if len(range_and_step) > 2:
        raise _Invalid(f"{field.name} {item!r} has more than one '/'")
    low_and_high = range_and_step[0].split("-")
    if low_and_high[0] in ("*", "?"):
        start, end = field.low, field.high
    else:
        if len(low_and_high) > 2:
            raise _Invalid(f"{field.name} {item!r} has more than one '-'")
        start = _value(low_and_high[0], field, item)
        end = _value(low_and_high[1], field, item) if len(low_and_high) == 2 else start
    if len(range_and_step) == 2:
        step = _integer(range_and_step[1], field, item, what="step")
        if len(low_and_high) == 1:
            end = field.high
        if step == 0:
            raise _Invalid(f"{field.name} {item!r} has a step of 0")
    if start < field.low:
        raise _Invalid(f"{field.name} {start} is out of range {_span(field)}{_within(item, start)}")
    if end > field.high:
        hint = "; Sunday is 0" if field.name == "day-of-week" and end == 7 else ""
        raise _Invalid(f"{field.name} {end} is out of range {_span(field)}{_within(item, end)}{hint}")
    if start > end:
        raise _Invalid(f"{field.name} range {item!r} starts after it ends")


def _within(item: str, value: int) -> str:
    return "" if item == str(value) else f" (in {item!r})"


def _value(text: str, field: _Field, item: str) -> int:
    named = field.named(text)
    if named is not None:
        return named
    return _integer(text, field, item, what="value")


def _integer(text: str, field: _Field, item: str, *, what: str) -> int:
    if not _GO_INT.fullmatch(text) or abs(int(text)) > _GO_INT_MAX:
        names = f" or {field.names[0].upper()}-{field.names[-1].upper()}" if field.names else ""
        shown = repr(text) if text else "nothing"
        where = f"{field.name} {item!r}: {shown}" if text != item else f"{field.name} {shown}"
        raise _Invalid(f"{where} is not a number{names if what == 'value' else ''}")
    number = int(text)
    if number < 0:
        raise _Invalid(f"{field.name} {item!r}: negative numbers are not allowed")
    return number


def _span(field: _Field) -> str:
    return f"{field.low}-{field.high}"


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    """IANA zone names this Python knows; empty when it has no time zone database."""
    try:
        import zoneinfo
    except ImportError:  # pragma: no cover - Python 3.8 only
        return frozenset()
    try:
        return frozenset(zoneinfo.available_timezones())
    except Exception:  # noqa: BLE001 - a broken tz database means "cannot tell", not a crash
        return frozenset()


def _loads(zone: str) -> bool:
    """Whether this machine's zone database has `zone` (one file read)."""
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(zone)
    except Exception:  # noqa: BLE001 - unknown, malformed, or no database at all
        return False
    return True


def time_zone_problem(zone: str) -> str | None:
    """Why Go's `time.LoadLocation(zone)` fails, or None when it loads or this machine cannot tell.

    "" and "UTC" mean UTC and "Local" the server's zone. Other names must be IANA zones; they
    are checked against this machine's zone database, and not at all without one.
    """
    if zone in ("", "UTC", "Local") or _loads(zone):
        return None
    known = _known_zones()  # listing every zone costs 20 ms: only for a name that does not load
    if not known or zone in known:
        return None
    folded = {name.lower(): name for name in known}
    guess = folded.get(zone.lower())
    hint = f"; did you mean {guess!r}?" if guess else " (use an IANA name such as 'Europe/Paris')"
    return f"{zone!r} is not a known time zone{hint}"


def looks_like_cron(text: str) -> bool:
    """Whether a string was meant as a cron schedule (for suggesting `TriggerCron`)."""
    spec = text.strip()
    for prefix in sdk.CRON_TIME_ZONE_PREFIXES:
        if spec.startswith(prefix):
            return True
    if spec.lower() in _DESCRIPTORS:
        return True
    fields = spec.split()
    return (
        5 <= len(fields) <= 6
        and all(re.fullmatch(r"[0-9*?,/\-A-Za-z]+", field) for field in fields)
        and any("*" in field or field.isdigit() for field in fields)
    )
