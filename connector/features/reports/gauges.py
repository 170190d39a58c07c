"""/metrics for reliability, read from the store at scrape time so every process tells the
same, by the report's own figures: hdc_outage_minutes_total{service} — each catalog service's
outage minutes from its first outage to now (figures.services over that span: it only grows,
so Grafana graphs its increase per day), hdc_reliability_percent{window="30d"} — what
`/report` and `helpdesk-connector report` say for the last 30 days (report.build: whole days
in the regulation's zone up to today), and hdc_reliability_target_percent when the team set
one. Read once per TTL seconds at most: a 15 s scrape mostly reads the cache."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from connector.context import FeatureContext
from connector.features.reports import figures, source
from connector.features.reports.period import Period, last_days, today
from connector.features.reports.report import build, zone_of
from connector.features.reports.source import Scope
from connector.store.db import reading

log = logging.getLogger(__name__)

TTL = 30.0  # seconds a reading is served again
WINDOW_DAYS = 30


def outage_minutes(c: FeatureContext) -> dict[str, float]:
    """Each catalog service's outage minutes so far, by the report's services table."""
    now, zone = c.clock.now(), zone_of(c, None)
    everything = Period(today(0, zone), today(now, zone), zone)
    with reading(c.engine) as conn:
        found = source.read_outages(c, conn, everything, Scope(), now)
    first = min((o.start for o in found), default=now)
    since = Period(today(first, zone), today(now, zone), zone)
    titles = {s: e.title for s, e in c.mappings.catalog.services.items()}
    return {row["service"]: row["outage_minutes"]
            for row in figures.services(since, found, titles, now)}


def reliability(c: FeatureContext) -> float:
    """The last 30 days' reliability, as /report answers it."""
    zone = zone_of(c, None)
    period = last_days(today(c.clock.now(), zone), WINDOW_DAYS, zone)
    return float(build(c, period, Scope())["reliability"]["percent"])


class ReportGauges(Collector):
    """The reliability gauges, cached for TTL seconds."""

    def __init__(self, c: FeatureContext) -> None:
        self.c = c
        self._lock = threading.Lock()
        self._kept: tuple[float, list[GaugeMetricFamily]] | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            if self._kept is None or self._kept[0] <= time.monotonic():
                try:
                    self._kept = (time.monotonic() + TTL, self._read())
                except SQLAlchemyError as exc:
                    log.warning("reliability gauges unavailable: %s", type(exc).__name__)
                    return
            families = self._kept[1]
        yield from families

    def _read(self) -> list[GaugeMetricFamily]:
        minutes = GaugeMetricFamily(
            "hdc_outage_minutes_total", "Outage minutes so far per catalog service (its own "
            "outages merged; an open one counts to now)", labels=["service"])
        for service, value in sorted(outage_minutes(self.c).items()):
            minutes.add_metric([service], value)
        percent = GaugeMetricFamily(
            "hdc_reliability_percent", "Reliability by the EMIAS method over a window: 100 × "
            "(1 − minutes with an outage of any service ÷ the window's minutes)",
            labels=["window"])
        percent.add_metric([f"{WINDOW_DAYS}d"], reliability(self.c))
        families = [minutes, percent]
        target = self.c.config.reports.target_percent
        if target is not None:
            families.append(GaugeMetricFamily(
                "hdc_reliability_target_percent", "The reliability the team aims at "
                "(reports.target_percent)", value=target))
        return families
