"""The dashboard's charts day by day, each day measured as a period of its own with the
report's functions: an outage across midnight counts on both days, overlaps once, one still
open runs to now."""

from __future__ import annotations

from datetime import date

import pytest

from connector.features.reports.dashboard import days
from connector.features.reports.figures import Outage
from connector.features.reports.period import Period
from tests.outage_history import at

ZONE = "Europe/Minsk"
WEEK = Period(date(2026, 3, 9), date(2026, 3, 15), ZONE)
NOW = at("15.03.2026 12:00")
TITLES = {"erp-api": "API", "erp-mis": "МИС"}


def down(ticket: str, service: str, start: str, end: str | None) -> Outage:
    began = at(start)
    return Outage(ticket=ticket, mapping="belarus-ehr", service=service, start=began,
                  start_source="stated", end=at(end) if end else None, declared_at=began,
                  room_at=None, stages=(("registered", began),), final=frozenset())


OUTAGES = [
    down("gitlab:1#1", "erp-api", "09.03.2026 23:00", "10.03.2026 01:00"),  # across midnight
    down("gitlab:1#2", "erp-api", "11.03.2026 10:00", "11.03.2026 11:00"),
    down("gitlab:1#3", "erp-mis", "11.03.2026 10:30", "11.03.2026 12:00"),  # overlaps #2
    down("gitlab:1#4", "erp-mis", "15.03.2026 06:00", None),  # still down at noon
]


@pytest.mark.parametrize(("day", "lost"), [
    (date(2026, 3, 9), 60), (date(2026, 3, 10), 60), (date(2026, 3, 11), 120),
    (date(2026, 3, 12), 0), (date(2026, 3, 15), 360)])
def test_each_day_is_its_own_period(day: date, lost: float) -> None:
    daily = dict(days.reliability(WEEK, OUTAGES, NOW, 98.5))
    assert len(daily) == 7
    assert daily[day] == pytest.approx(100 * (1 - lost / 1440))


def test_each_service_s_minutes_per_day() -> None:
    found = days.service_minutes(WEEK, OUTAGES, TITLES, NOW)
    assert found == {
        "erp-api": {date(2026, 3, 9): pytest.approx(60), date(2026, 3, 10): pytest.approx(60),
                    date(2026, 3, 11): pytest.approx(60)},
        "erp-mis": {date(2026, 3, 11): pytest.approx(90), date(2026, 3, 15): pytest.approx(360)}}


def test_the_bars_are_the_90_days_ending_with_the_period() -> None:
    bars = days.bar_period(WEEK)
    assert (bars.first, bars.last, len(bars.days())) == (date(2025, 12, 16), date(2026, 3, 15),
                                                         90)
