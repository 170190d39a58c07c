"""SLA compliance and the request flow, hand-counted."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from connector.features.reports.flow import (
    ClockFacts,
    RequestFacts,
    feedback_share,
    requests,
    sla,
)
from connector.features.reports.period import Period

ZONE = "Europe/Simferopol"
WEEK = Period(date(2026, 3, 2), date(2026, 3, 8), ZONE)


def at(text: str) -> float:
    return datetime.strptime(text, "%d.%m.%Y %H:%M").replace(tzinfo=ZoneInfo(ZONE)).timestamp()


def test_a_clock_counts_as_met_breached_or_running_per_policy_tracker_and_priority() -> None:
    clocks = [ClockFacts("intake", "mantis", "Высокий", "met", 75),
              ClockFacts("intake", "mantis", "Высокий", "met", 100),  # met late: breached
              ClockFacts("intake", "mantis", "Низкий", "running", 0),
              ClockFacts("intake", "otrs", "Высокий", "paused", 200),
              ClockFacts("intake", "mantis", "Низкий", "cancelled", 0),  # none of them
              ClockFacts("triage", "gitlab", "Priority: High", "met", 0)]
    rows = {(r["policy"], r["tracker"], r["priority"]): r for r in sla(clocks)}
    assert rows[("intake", None, None)] == {
        "policy": "intake", "tracker": None, "priority": None, "met": 1, "breached": 2,
        "running": 1, "percent": pytest.approx(100 / 3)}
    assert rows[("intake", "mantis", "Низкий")]["percent"] is None  # nothing decided yet
    assert rows[("triage", "gitlab", "Priority: High")]["percent"] == 100
    assert next(iter(rows)) == ("intake", None, None)  # totals first


def test_requests_per_day_in_the_teams_zone_with_those_sent_back() -> None:
    found = [RequestFacts("mantis", "Высокий", at("02.03.2026 00:10"), True),
             RequestFacts("mantis", "Высокий", at("02.03.2026 23:50"), False),
             RequestFacts("mantis", "Низкий", at("03.03.2026 09:00"), True),
             RequestFacts("gitlab", "", at("03.03.2026 09:00"), False),
             RequestFacts("mantis", "Низкий", at("09.03.2026 00:00"), True)]  # after the week
    rows = requests(WEEK, found)
    assert rows == [
        {"day": "2026-03-02", "tracker": "mantis", "priority": "Высокий", "count": 2,
         "feedback": 1},
        {"day": "2026-03-03", "tracker": "gitlab", "priority": "", "count": 1, "feedback": 0},
        {"day": "2026-03-03", "tracker": "mantis", "priority": "Низкий", "count": 1,
         "feedback": 1}]
    assert feedback_share(rows) == 50
    assert feedback_share([]) is None
