"""The report's figures day by day, for the dashboard's charts: each day is a period of its
own, measured with the same functions as the report (figures.reliability, figures.services) —
over only the outages that touch that day, so a year of history costs one pass."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from connector.features.reports import figures
from connector.features.reports.figures import Outage
from connector.features.reports.period import Period

BAR_DAYS = 90  # the services' bars: the last 90 days of the period


def touching(period: Period, outages: Sequence[Outage], now: float) -> dict[date, list[Outage]]:
    """Each day of the period with the outages whose downtime falls in it."""
    found: dict[date, list[Outage]] = defaultdict(list)
    for o in outages:
        interval = o.interval(period, now)
        if interval is None:
            continue
        day, last = period.day_of(interval[0]), period.day_of(interval[1] - 0.001)
        while day <= last:
            found[day].append(o)
            day += timedelta(days=1)
    return found


def reliability(period: Period, outages: Sequence[Outage], now: float,
                target: float | None) -> list[tuple[date, float]]:
    """Each day's reliability by the EMIAS method (overlaps once)."""
    by_day = touching(period, outages, now)
    return [(day, figures.reliability(_one(period, day), by_day.get(day, []), now,
                                      target)["percent"]) for day in period.days()]


def service_minutes(period: Period, outages: Sequence[Outage], titles: dict[str, str],
                    now: float) -> dict[str, dict[date, float]]:
    """Each service's outage minutes on each day it was down (overlaps once)."""
    found: dict[str, dict[date, float]] = defaultdict(dict)
    for day, theirs in touching(period, outages, now).items():
        down = {o.service: titles[o.service] for o in theirs if o.service in titles}
        for row in figures.services(_one(period, day), theirs, down, now):
            if row["outage_minutes"] > 0:
                found[row["service"]][day] = row["outage_minutes"]
    return found


def bar_period(period: Period) -> Period:
    """The 90 days the services' bars show: those ending with the period's last day."""
    return Period(period.last - timedelta(days=BAR_DAYS - 1), period.last, period.zone)


def _one(period: Period, day: date) -> Period:
    return Period(day, day, period.zone)
