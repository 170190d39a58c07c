"""A report's period: whole days in the regulation's time zone, both inclusive (September 2026
is 43,200 minutes), and the moments it starts and ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from zoneinfo import ZoneInfo


class PeriodError(ValueError):
    """A period a person wrote that is no period: said back in one line."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    zone: str

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError(f"the period ends ({self.last}) before it starts ({self.first})")

    @cached_property
    def start(self) -> float:
        return _midnight(self.first, self.zone)

    @cached_property
    def end(self) -> float:
        """The first moment after the period (its last day's end)."""
        return _midnight(self.last + timedelta(days=1), self.zone)

    @property
    def minutes(self) -> float:
        return (self.end - self.start) / 60

    def clip(self, start: float, end: float) -> tuple[float, float] | None:
        """The part of [start, end) inside the period, if any."""
        a, b = max(start, self.start), min(end, self.end)
        return (a, b) if b > a else None

    def steady(self) -> bool:
        """Every day of the period is 24 hours long (no clock change in the zone): a day is
        then a whole number of 86,400 seconds from its start."""
        midnights = [_midnight(d, self.zone) for d in (*self.days(), self.last + timedelta(1))]
        return all(b - a == 86400 for a, b in pairwise(midnights))

    def day_of(self, moment: float) -> date:
        return datetime.fromtimestamp(moment, ZoneInfo(self.zone)).date()

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def parse_day(text: str, what: str) -> date:
    """`2026-09-01`; anything else a PeriodError naming what it was for."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{what}: {text[:20]!r} is not a day (write YYYY-MM-DD)") from None


def last_days(day: date, days: int, zone: str) -> Period:
    """The `days` days up to and including `day`."""
    return Period(day - timedelta(days=days - 1), day, zone)


def today(now: float, zone: str) -> date:
    """The day it is in the zone."""
    return datetime.fromtimestamp(now, ZoneInfo(zone)).date()


def _midnight(day: date, zone: str) -> float:
    return datetime.combine(day, time(0), ZoneInfo(zone)).timestamp()
