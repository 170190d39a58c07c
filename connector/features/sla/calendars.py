"""Working-hours calendars: weekly hours with breaks, public holidays and the production
calendar's transferred days (the `holidays` package, BY and RU), plus the team's own days off
and working days. Answers two questions exactly, in epoch seconds: how much working time lies
between two instants, and when a given amount of working time after an instant runs out."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import holidays
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from connector.validators import TimeZoneName

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")
MAX_DAYS = 3 * 366  # no clock looks further than this: a target that needs more is an error


class CalendarError(ValueError):
    """A question the calendar cannot answer (no working time within MAX_DAYS)."""


def _span(text: str) -> tuple[int, int]:
    """"09:00-18:00" → seconds of the day (start, end)."""
    found = _SPAN.match(text.strip())
    if not found:
        raise ValueError(f"{text!r}: write HH:MM-HH:MM, e.g. 09:00-18:00")
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if not (0 <= start < end <= 86400 and m1 < 60 and m2 < 60):
        raise ValueError(f"{text!r}: the end must come after the start, within one day")
    return start, end


def _covered(span: tuple[int, int], breaks: list[tuple[int, int]]) -> bool:
    """Whether sorted breaks leave nothing of a working span."""
    start, end = span
    for a, b in breaks:
        if a > start:
            return False
        start = max(start, b)
        if start >= end:
            return True
    return start >= end


class WorkCalendar(BaseModel):
    """One team's working time (calendars.yml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    timezone: TimeZoneName
    holidays: Literal["BY", "RU", ""] = ""  # public holidays and transferred days, by country
    hours: dict[Weekday, list[str]] = Field(min_length=1)  # weekday → ["09:00-18:00", …]
    breaks: list[str] = []  # cut out of every working day, e.g. lunch 13:00-13:45
    extra_days_off: list[date] = []  # the team's own days off (a local decree, a bridge)
    extra_working_days: list[date] = []  # days worked though off (a transferred Saturday)
    working_day_hours: Weekday = "mon"  # the hours of a transferred working day
    _instants: dict[date, list[tuple[float, float]]] = PrivateAttr(default_factory=dict)

    @field_validator("hours")
    @classmethod
    def _spans(cls, value: dict[Weekday, list[str]]) -> dict[Weekday, list[str]]:
        for spans in value.values():
            for text in spans:
                _span(text)
        return value

    @field_validator("breaks")
    @classmethod
    def _breaks(cls, value: list[str]) -> list[str]:
        for text in value:
            _span(text)
        return value

    @model_validator(mode="after")
    def _some_working_time(self) -> WorkCalendar:
        """A clock counting in a calendar with no working time would never run out."""
        breaks = sorted(_span(text) for text in self.breaks)
        spans = [_span(text) for texts in self.hours.values() for text in texts]
        if not spans:
            why = "no day has working hours"
        elif all(_covered(span, breaks) for span in spans):
            why = "the breaks cover every working hour"
        else:
            return self
        raise ValueError(f"no working time: {why}; an SLA clock counting in it would never run "
                         "out — give a day hours outside the breaks, e.g. mon: [\"09:00-18:00\"]")

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> WorkCalendar:
        """A copy with its own day cache (a changed copy must not answer from the original's)."""
        copied = super().model_copy(update=update, deep=deep)
        copied._instants = {}
        return copied

    # --- the two questions ---------------------------------------------------------------

    def working_seconds(self, start: float, end: float) -> float:
        """Working time between two instants (0 when end ≤ start)."""
        try:
            return self._working_seconds(start, end)
        except CalendarError:
            raise
        except (OverflowError, ValueError, OSError):  # an instant no calendar holds
            raise CalendarError(f"no calendar holds {start!r}…{end!r}") from None

    def add_working(self, start: float, seconds: float) -> float:
        """The instant when `seconds` of working time after `start` have passed."""
        try:
            return self._add_working(start, seconds)
        except CalendarError:
            raise
        except (OverflowError, ValueError, OSError):  # an instant no calendar holds
            raise CalendarError(f"no calendar holds {start!r} + {seconds!r} s") from None

    def _working_seconds(self, start: float, end: float) -> float:
        if end <= start:
            return 0.0
        total, day = 0.0, self._local_day(start)
        last = self._local_day(end)
        while day <= last:
            for a, b in self._day_instants(day):
                total += max(0.0, min(b, end) - max(a, start))
            day += timedelta(days=1)
        return total

    def _add_working(self, start: float, seconds: float) -> float:
        left, day = max(0.0, seconds), self._local_day(start)
        for _ in range(MAX_DAYS):
            for a, b in self._day_instants(day):
                a = max(a, start)
                if b <= a:
                    continue
                if b - a >= left:
                    return a + left
                left -= b - a
            day += timedelta(days=1)
        raise CalendarError(f"no {seconds / 3600:.1f} working hours within {MAX_DAYS} days")

    def is_working_day(self, day: date) -> bool:
        return bool(self._day_spans(day))

    # --- days ---------------------------------------------------------------------------

    def _local_day(self, instant: float) -> date:
        return datetime.fromtimestamp(instant, self._zone()).date()

    def _day_instants(self, day: date) -> list[tuple[float, float]]:
        """A day's working intervals as epoch seconds (kept: a clock asks about the same days
        again and again)."""
        found = self._instants.get(day)
        if found is None:
            midnight = datetime.combine(day, time(0), self._zone())
            found = self._instants[day] = [
                ((midnight + timedelta(seconds=a)).timestamp(),
                 (midnight + timedelta(seconds=b)).timestamp()) for a, b in self._day_spans(day)]
        return found

    def _day_spans(self, day: date) -> tuple[tuple[int, int], ...]:
        """A day's working intervals in seconds of the day, breaks cut out."""
        if day in self.extra_days_off:
            return ()
        if day in self.extra_working_days or self._transferred_working(day):
            weekday: Weekday = self.working_day_hours
        elif self._holiday(day):
            return ()
        else:
            weekday = WEEKDAYS[day.weekday()]
        return _cut(tuple(_span(s) for s in self.hours.get(weekday, [])),
                    tuple(_span(s) for s in self.breaks))

    def _holiday(self, day: date) -> bool:
        table = _holidays(self.holidays)
        return table is not None and day in table

    def _transferred_working(self, day: date) -> bool:
        table = _holidays(self.holidays)
        if table is None:
            return False
        _ = day in table  # fills the year, and with it the year's transferred working days
        return day in getattr(table, "weekend_workdays", ())

    def _zone(self) -> ZoneInfo:
        return _zone(self.timezone)


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@functools.lru_cache(maxsize=8)
def _holidays(country: str) -> holidays.HolidayBase | None:
    return holidays.country_holidays(country) if country else None


def _cut(spans: tuple[tuple[int, int], ...],
         breaks: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Working spans with the breaks taken out."""
    result = list(spans)
    for b_start, b_end in breaks:
        cut: list[tuple[int, int]] = []
        for start, end in result:
            if b_end <= start or end <= b_start:
                cut.append((start, end))
                continue
            if start < b_start:
                cut.append((start, b_start))
            if b_end < end:
                cut.append((b_end, end))
        result = cut
    return tuple(sorted(result))
