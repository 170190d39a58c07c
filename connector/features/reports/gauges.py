"""/metrics for reliability, read from the store at scrape time so every process tells the
same: hdc_outage_minutes_total{service} — each service's outage minutes so far (its own
outages merged, an open one counting to now; it only grows, so Grafana graphs its increase
per day), hdc_reliability_percent{window="30d"} — the last 30 days' reliability by the EMIAS
method (every service's outages merged), and hdc_reliability_target_percent when the team set
one. Read once per TTL seconds at most: a year of outages is read in well under a second, a
15 s scrape then mostly reads the cache."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from connector.context import FeatureContext
from connector.features.reports import source
from connector.features.reports.figures import Outage, union_seconds
from connector.features.reports.period import Period, today
from connector.features.reports.source import Scope
from connector.store.db import reading

log = logging.getLogger(__name__)

TTL = 30.0  # seconds a reading is served again
WINDOW_DAYS = 30


def outage_minutes(found: list[Outage], services: list[str], now: float) -> dict[str, float]:
    """Each service's downtime so far, overlaps of its own outages counted once."""
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for o in found:
        end = o.end if o.end is not None else now
        if end > o.start:
            spans[o.service].append((o.start, min(end, now)))
    return {s: union_seconds(spans.get(s, ())) / 60 for s in sorted({*services, *spans})}


def reliability(found: list[Outage], now: float, days: int = WINDOW_DAYS) -> float:
    """1 − the union of every outage's downtime in the last `days` days ÷ those days."""
    start = now - days * 86400
    lost = union_seconds((max(o.start, start), min(now, o.end if o.end is not None else now))
                         for o in found
                         if min(now, o.end if o.end is not None else now) > max(o.start, start))
    return 100 * (1 - lost / (days * 86400))


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
        now = self.c.clock.now()
        everything = Period(date(1970, 1, 1), today(now, "UTC") + timedelta(days=1), "UTC")
        with reading(self.c.engine) as conn:
            found = source.read_outages(self.c, conn, everything, Scope(), now)
        minutes = GaugeMetricFamily(
            "hdc_outage_minutes_total", "Outage minutes so far per catalog service (its own "
            "outages merged; an open one counts to now)", labels=["service"])
        for service, value in outage_minutes(
                found, list(self.c.mappings.catalog.services), now).items():
            minutes.add_metric([service], value)
        percent = GaugeMetricFamily(
            "hdc_reliability_percent", "Reliability by the EMIAS method over a window: 100 × "
            "(1 − minutes with an outage of any service ÷ the window's minutes)",
            labels=["window"])
        percent.add_metric([f"{WINDOW_DAYS}d"], reliability(found, now))
        families = [minutes, percent]
        target = self.c.config.reports.target_percent
        if target is not None:
            families.append(GaugeMetricFamily(
                "hdc_reliability_target_percent", "The reliability the team aims at "
                "(reports.target_percent)", value=target))
        return families
