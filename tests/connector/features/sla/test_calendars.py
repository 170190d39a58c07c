"""Working time exactly as the regulations count it: weekly hours, lunch, the Friday short
day, public holidays and the production calendar's transferred days, starts out of hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from connector.features.sla.calendars import CalendarError, WorkCalendar
from connector.mappings import load_mappings
from tests.conftest import REPO

CALENDARS = load_mappings(REPO / "mappings").calendars
MINSK, SIMFEROPOL = ZoneInfo("Europe/Minsk"), ZoneInfo("Europe/Simferopol")
H = 3600


def at(zone: ZoneInfo, text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


def local(zone: ZoneInfo, instant: float) -> str:
    return datetime.fromtimestamp(instant, zone).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(("start", "hours", "due"), [
    pytest.param("2026-03-02 09:00", 8, "2026-03-02 17:45", id="a day with lunch 13:00-13:45"),
    pytest.param("2026-03-02 12:30", 1, "2026-03-02 14:15", id="across lunch"),
    pytest.param("2026-03-06 15:00", 2, "2026-03-09 09:15", id="friday ends 16:45, weekend"),
    pytest.param("2026-04-30 17:00", 2, "2026-05-04 10:00", id="may 1 holiday then weekend"),
    pytest.param("2026-04-24 15:00", 8, "2026-04-25 16:00", id="transferred working saturday"),
    pytest.param("2026-04-20 10:00", 1, "2026-04-22 10:00",
                 id="monday off for that saturday, then radunitsa"),
    pytest.param("2026-03-01 22:00", 1, "2026-03-02 10:00", id="start on a sunday night"),
    pytest.param("2026-03-02 07:00", 0.5, "2026-03-02 09:30", id="start before opening"),
    pytest.param("2026-03-02 13:20", 0.25, "2026-03-02 14:00", id="start during lunch"),
])
def test_belarus_due_times(start: str, hours: float, due: str) -> None:
    cal = CALENDARS["belarus"]
    assert local(MINSK, cal.add_working(at(MINSK, start), hours * H)) == due


@pytest.mark.parametrize(("start", "hours", "due"), [
    pytest.param("2026-03-02 10:00", 8, "2026-03-03 09:00", id="08:00-17:00, no lunch"),
    pytest.param("2025-10-31 16:00", 2, "2025-11-01 09:00", id="working saturday 1 nov 2025"),
    pytest.param("2026-02-20 16:00", 8, "2026-02-24 15:00", id="23 february"),
    pytest.param("2025-12-30 16:00", 2, "2026-01-12 09:00", id="new year holidays"),
])
def test_sevastopol_intake_due_times(start: str, hours: float, due: str) -> None:
    cal = CALENDARS["sevastopol"]
    assert local(SIMFEROPOL, cal.add_working(at(SIMFEROPOL, start), hours * H)) == due


@pytest.mark.parametrize(("start", "end", "hours"), [
    ("2026-03-02 08:00", "2026-03-03 20:00", 16.5),  # two full days of 8h15
    ("2026-03-06 00:00", "2026-03-09 00:00", 7),  # a Friday (09:00-16:45) and a weekend
    ("2026-05-01 00:00", "2026-05-04 00:00", 0),  # a holiday and a weekend
    ("2026-03-02 13:00", "2026-03-02 13:45", 0),  # lunch
    ("2026-03-02 18:00", "2026-03-02 09:00", 0),  # end before start
])
def test_working_time_between_two_instants(start: str, end: str, hours: float) -> None:
    cal = CALENDARS["belarus"]
    assert cal.working_seconds(at(MINSK, start), at(MINSK, end)) == hours * H


@pytest.mark.parametrize("start", ["2026-03-02 09:00", "2026-04-24 11:11", "2026-12-31 17:59"])
@pytest.mark.parametrize("hours", [0.1, 3, 8, 40])
def test_adding_and_measuring_agree(start: str, hours: float) -> None:
    cal = CALENDARS["belarus"]
    begin = at(MINSK, start)
    assert cal.working_seconds(begin, cal.add_working(begin, hours * H)) == pytest.approx(
        hours * H)


def test_own_days_off_and_working_days_override_the_country() -> None:
    cal = CALENDARS["belarus"].model_copy(update={
        "extra_days_off": [datetime(2026, 3, 3).date()],
        "extra_working_days": [datetime(2026, 3, 7).date()]})
    assert local(MINSK, cal.add_working(at(MINSK, "2026-03-02 17:00"), 2 * H)) == \
        "2026-03-04 10:00"
    assert local(MINSK, cal.add_working(at(MINSK, "2026-03-06 16:00"), 2 * H)) == \
        "2026-03-07 10:15"  # the Saturday works Monday's hours


def test_a_calendar_without_working_time_says_so() -> None:
    never = WorkCalendar(timezone="Europe/Minsk", hours={"sat": ["10:00-11:00"]},
                         extra_days_off=[])
    nothing = never.model_copy(update={"hours": {"sat": []}})
    with pytest.raises(CalendarError, match="working hours within"):
        nothing.add_working(at(MINSK, "2026-03-02 09:00"), H)


@pytest.mark.parametrize(("changes", "message"), [
    ({"timezone": "Europe/Atlantis"}, "unknown time zone"),
    ({"hours": {"mon": ["9-18"]}}, "write HH:MM-HH:MM"),
    ({"hours": {"mon": ["18:00-09:00"]}}, "end must come after the start"),
    ({"hours": {"monday": ["09:00-18:00"]}}, "mon"),
    ({"breaks": ["13:00-12:00"]}, "end must come after the start"),
])
def test_a_wrong_calendar_is_refused(changes: dict[str, object], message: str) -> None:
    data: dict[str, object] = {"timezone": "Europe/Minsk", "hours": {"mon": ["09:00-18:00"]}}
    with pytest.raises(ValueError, match=message):
        WorkCalendar.model_validate({**data, **changes})


@pytest.mark.parametrize("start", [253402200000.0, -1e12])  # the year 9999; before year 1
def test_an_instant_no_calendar_holds_is_a_calendar_error(start: float) -> None:
    with pytest.raises(CalendarError, match="no calendar holds"):
        CALENDARS["belarus"].add_working(start, 86400 * 30)
