"""When a scheduled report is due, as pure arithmetic in the regulation's time zone: a day's
report covers the day before, a week's the Monday to Sunday before, a month's the month
before, each sent at `at` local time once its period is over. Only the latest period whose
moment has come is due: a connector started late sends the one it missed, never a backlog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from connector.features.reports.period import Period


@dataclass(frozen=True)
class Due:
    """A period of a schedule, by the key the store claims it under."""

    key: str  # 2026-03-05 (a day), 2026-W10 (an ISO week), 2026-03 (a month)
    period: Period
    moment: float  # when it became due


def latest_due(every: str, at: str, zone: str, now: float) -> Due:
    """The latest period whose sending moment is at or before `now`."""
    local, send_at = datetime.fromtimestamp(now, ZoneInfo(zone)), _time(at)
    first = _start(every, local.date())  # of the period running now
    if now < _moment(first, send_at, zone):
        first = _previous(every, first)  # its predecessor is not due yet either
    last = first - timedelta(days=1)
    return Due(_key(every, _previous(every, first)),
               Period(_previous(every, first), last, zone), _moment(first, send_at, zone))


def _start(every: str, day: date) -> date:
    """The first day of the day's, week's or month's period containing `day`."""
    if every == "day":
        return day
    if every == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _previous(every: str, first: date) -> date:
    """The first day of the period before the one starting on `first`."""
    if every == "day":
        return first - timedelta(days=1)
    if every == "week":
        return first - timedelta(days=7)
    return (first - timedelta(days=1)).replace(day=1)


def _key(every: str, first: date) -> str:
    if every == "day":
        return first.isoformat()
    if every == "week":
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{first.year}-{first.month:02d}"


def _time(at: str) -> time:
    hours, minutes = at.split(":")
    return time(int(hours), int(minutes))


def _moment(day: date, at: time, zone: str) -> float:
    """`at` on `day` in the zone (a time a clock change skips counts as the moment after)."""
    return datetime.combine(day, at, ZoneInfo(zone)).timestamp()
