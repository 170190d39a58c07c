"""What the dashboard shows, from its query: `from` and `to` (whole days in the regulation's
zone, the last 30 by default), `service`, `regulation`, and `lang`. A value that is no filter
is said back in one line in the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from connector.context import FeatureContext
from connector.features.reports.period import Period, PeriodError, parse_day, today
from connector.features.reports.report import zone_of
from connector.features.reports.source import Scope

DEFAULT_DAYS = 30
LONGEST = 731  # days a page draws at most (two years)
YEARS = (2000, 2100)  # the days a period may name
NAMES = ("from", "to", "service", "regulation", "lang")
LANGUAGES = ("ru", "en")


class FilterError(ValueError):
    """A filter value the dashboard cannot show: the text saying so (a template and its
    values)."""

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template)
        self.template, self.values = template, values


@dataclass(frozen=True)
class Filters:
    period: Period
    scope: Scope
    lang: str
    given: dict[str, str] = field(default_factory=dict)  # as asked, for the form and links

    def query(self, **changes: str) -> str:
        return query_of(self.given, **changes)


def query_of(given: dict[str, str], **changes: str) -> str:
    """The query string of a view, with some values changed."""
    return urlencode({k: v for k, v in {**given, **changes}.items() if v})


def language(c: FeatureContext, args: Mapping[str, str]) -> str:
    """The page's language: asked for, else the config's."""
    asked = args.get("lang", "")
    return asked if asked in LANGUAGES else c.config.language


def given(args: Mapping[str, str]) -> dict[str, str]:
    """The filter values as asked (trimmed, bounded), to show them back."""
    return {name: str(args.get(name, "")).strip()[:64] for name in NAMES if args.get(name)}


def read(c: FeatureContext, args: Mapping[str, str]) -> Filters:
    """The filters asked for; FilterError for a value that is none."""
    asked = given(args)
    regulation = asked.get("regulation") or None
    if regulation is not None and regulation not in c.mappings.by_name:
        raise FilterError("dashboard_unknown_regulation", regulation=regulation)
    service = asked.get("service") or None
    if service is not None and service not in c.mappings.catalog.services:
        raise FilterError("dashboard_unknown_service", service=service)
    zone = zone_of(c, regulation)
    first, last = _day(asked, "from"), _day(asked, "to")
    last = last or (first + timedelta(days=DEFAULT_DAYS - 1) if first else None) or today(
        c.clock.now(), zone)
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    try:
        period = Period(first, last, zone)
    except PeriodError:
        raise FilterError("dashboard_bad_period", **{"from": first, "to": last}) from None
    if len(period.days()) > LONGEST:
        raise FilterError("dashboard_long_period", count=LONGEST)
    return Filters(period, Scope(service, regulation), language(c, args), asked)


def _day(asked: dict[str, str], name: str) -> date | None:
    text = asked.get(name)
    if not text:
        return None
    try:
        day = parse_day(text, name)
    except PeriodError:
        raise FilterError("dashboard_bad_day", value=text[:20]) from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise FilterError("dashboard_bad_day", value=text[:20])
    return day
