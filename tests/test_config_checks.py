"""Unit tests for the checks behind the configuration and security rules (INN110, INN601, INN602).

The rule fixtures show each rule end to end; these tables pin down the small decision functions
(which cron schedules the server accepts, what looks like a real key, how a delay string reads)
at their edges, where a fixture per case would be noise.
"""

from __future__ import annotations

import pytest

from inngest_lint.rules._config import describe_duration, timedelta_hint
from inngest_lint.rules._cron import (
    _known_zones,
    cron_problem,
    looks_like_cron,
    time_zone_problem,
)
from inngest_lint.rules.inn110_retry_after_bad_argument import parse_duration_text
from inngest_lint.rules.inn601_hard_coded_key import EVENT, SIGNING, key_kind

ACCEPTED_CRONS = [
    "* * * * *",
    "0 12 * * 5",
    "TZ=Europe/Paris 0 12 * * 5",
    "CRON_TZ=UTC 0 12 * * 5",
    "TZ=America/New_York 0 9 * * MON ",
    "*/15 9-17 1,15 JAN-JUN ?",
    "0 0 1 jan,Jul sun",
    "5/10 * * * *",
    "0 0 * * 0-6/2",
    "59 23 31 12 6",
    "0 0 1,,15 * *",
    "00 07 * * *",
    "+5 * * * *",
    "*-5 * * * *",
    "\t0\t0 * * *",
]
REJECTED_CRONS = [
    ("", "empty"),
    ("   ", "empty"),
    ("0 0 12 * * 5", "6 fields"),
    ("0 0 * *", "4 fields"),
    ("@daily", "'0 0 * * *'"),
    ("@every 5m", "not a cron schedule"),
    ("TZ=UTC @hourly", "'0 * * * *'"),
    ("tz=UTC 0 0 * * *", "6 fields"),
    (" TZ=UTC 0 0 * * *", "6 fields"),
    ("TZ=UTC", "not followed"),
    ("TZ=UTC ", "not followed by a schedule"),
    ("0 9 * * 7", "Sunday is 0"),
    ("60 * * * *", "minute 60"),
    ("0 24 * * *", "hour 24"),
    ("0 0 0 * *", "day-of-month 0"),
    ("0 0 32 * *", "day-of-month 32"),
    ("0 0 * 0 *", "month 0"),
    ("0 0 * 13 *", "month 13"),
    ("0 0 * JANUARY *", "JAN-DEC"),
    ("0 0 * * MONDAY", "SUN-SAT"),
    ("0 0 * * MON-SUN", "starts after it ends"),
    ("*/0 * * * *", "step of 0"),
    ("*/ * * * *", "not a number"),
    ("1- * * * *", "not a number"),
    ("1-2-3 * * * *", "more than one '-'"),
    ("1/2/3 * * * *", "more than one '/'"),
    ("0 0 L * *", "not a number"),
    ("0 0 15W * *", "not a number"),
    ("0 0 * * MON#2", "not a number"),
    ("0 0 * * 5L", "not a number"),
    ("0 0 ? * JAN", "not a number"),
    ("99999999999999999999 * * * *", "not a number"),
]


@pytest.mark.parametrize("schedule", ACCEPTED_CRONS)
def test_cron_accepted(schedule: str) -> None:
    assert cron_problem(schedule) is None


@pytest.mark.parametrize(("schedule", "reason"), REJECTED_CRONS)
def test_cron_rejected(schedule: str, reason: str) -> None:
    problem = cron_problem(schedule)
    assert problem is not None and reason in problem, problem


@pytest.mark.skipif(not _known_zones(), reason="this Python has no time zone database")
def test_cron_time_zone_is_checked_against_the_zone_database() -> None:
    assert cron_problem("TZ=Europe/Paris 0 12 * * 5") is None
    assert "did you mean 'Europe/Paris'" in (cron_problem("TZ=europe/paris 0 12 * * 5") or "")
    assert "not a known time zone" in (cron_problem("CRON_TZ=Mars/Olympus 0 12 * * 5") or "")


def test_special_time_zone_names_need_no_database() -> None:
    for zone in ("", "UTC", "Local"):
        assert time_zone_problem(zone) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0 * * * *", True),
        ("TZ=UTC 0 9 * * 1", True),
        ("@daily", True),
        ("0 0 12 * * ?", True),
        ("app/user.created", False),
        ("inngest/function.failed", False),
        ("every day at noon", False),
    ],
)
def test_looks_like_cron(text: str, expected: bool) -> None:
    assert looks_like_cron(text) is expected


REAL_SIGNING = "signkey-prod-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
REAL_EVENT = "Vq3kR8zP1xLm7TgY2bWc9NhE5sJd4FaU6oKi0ZrQ"


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        (REAL_SIGNING, None, SIGNING),
        (REAL_SIGNING, EVENT, SIGNING),
        ("signkey-branch-a3f1c9e07b2d4c6e", None, SIGNING),
        ("signkey-prod-1234abcd", SIGNING, None),  # too short to be a key
        ("signkey-test-" + "0" * 64, SIGNING, None),  # all zeros
        ("signkey-prod-" + "0123456789abcdef" * 4, SIGNING, None),  # a repeated pattern
        ("signkey-prod-" + "a" * 64, SIGNING, None),
        ("signkey-prod-" + ("1234567890" * 7)[:60] + "abcd", SIGNING, None),  # typed, not random
        ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP0123456789", EVENT, None),
        ("signkey-prod-not-hex-at-all", SIGNING, None),
        ("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", SIGNING, SIGNING),
        ("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", None, None),
        ("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", EVENT, EVENT),
        (REAL_EVENT, EVENT, EVENT),
        (REAL_EVENT, None, None),
        (REAL_EVENT, SIGNING, None),
        (REAL_EVENT[:31], EVENT, None),  # below the length threshold
        ("local-dev-key", EVENT, None),
        ("NO_EVENT_KEY_SET", EVENT, None),
        ("your-event-key-goes-here-please-replace-it", EVENT, None),
        ("x" * 40, EVENT, None),
        ("0" * 40, EVENT, None),
        ("abcdefghijklmnopqrstuvwxyzabcdefghijkl", EVENT, None),  # one character class only
        ("user_signup_completed_from_checkout_page", EVENT, None),
        ("purchase_completed_checkout_flow_v2_2024", EVENT, None),  # an identifier, not a token
        ("MY_APP_EVENT_KEY_PRODUCTION_2024_REGION_EU", EVENT, None),
        ("Zx8Kq2Lm5Np9Rt3Vw6Yb1Cd4Ef7Gh0Jk2Mn5Pq8St-aB3_cD4", EVENT, EVENT),
        ("Vq3kR8zP1xLm7TgY2bWc9NhE5sJd4FaU6oKi0ZrQ test", EVENT, None),
        ("Vq3kR8zP1xLm7TgYdev9NhE5sJd4FaU6oKi0ZrQ", EVENT, None),  # a placeholder word inside
    ],
)
def test_key_kind(text: str, position: str | None, expected: str | None) -> None:
    assert key_kind(text, position) == expected


@pytest.mark.parametrize(
    ("text", "milliseconds"),
    [
        ("5m", 300_000),
        ("30s", 30_000),
        ("1h30m", 5_400_000),
        ("2 minutes", 120_000),
        ("1.5h", 5_400_000),
        ("500ms", 500),
        ("1d", 86_400_000),
        ("External API timeout", None),
        ("5", None),
        ("m5", None),
        ("", None),
    ],
)
def test_parse_duration_text(text: str, milliseconds: float | None) -> None:
    assert parse_duration_text(text) == milliseconds


@pytest.mark.parametrize(
    ("milliseconds", "text"),
    [
        (86_400_000 * 400, "400 days"),
        (604_800_000, "1 week"),
        (1500, "1.5 seconds"),
        (500, "500 ms"),
        (60_000, "1 minute"),
        (0, "0 ms"),
    ],
)
def test_describe_duration(milliseconds: float, text: str) -> None:
    assert describe_duration(milliseconds) == text


def test_timedelta_hint() -> None:
    assert timedelta_hint(300_000) == "datetime.timedelta(minutes=5)"
    assert timedelta_hint(86_400_000) == "datetime.timedelta(days=1)"
    assert timedelta_hint(1500) == "datetime.timedelta(milliseconds=1500)"
