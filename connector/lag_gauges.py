"""The gauges an admin alerts on, read from the store at scrape time so every process tells
the same: how long each lane's oldest pending work has waited, when each tracker's poll last
went through."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from connector.core import Connector
from connector.store import ages
from connector.store.db import reading

log = logging.getLogger(__name__)


class LagGauges(Collector):
    """Ages of the oldest pending event per inbox source and action per outbox target (0 when
    none waits), and each tracker's last complete reconciliation (0: never)."""

    def __init__(self, connector: Connector) -> None:
        self.c = connector

    def collect(self) -> Iterator[GaugeMetricFamily]:
        c = self.c
        polls = {kind: [f"{kind}:{p.id}" for p in cfg.projects]
                 for kind, cfg in c.config.trackers.configured().items() if cfg.projects}
        try:
            with reading(c.engine) as conn:
                events = ages.oldest_pending_events(conn)
                actions = ages.oldest_pending_actions(conn)
                polled = ages.polled_at(conn, [name for names in polls.values()
                                               for name in names])
        except SQLAlchemyError as exc:  # store down: /healthz says so, counters still scrape
            log.warning("lag gauges unavailable: %s", type(exc).__name__)
            return
        now = c.clock.now()
        sources = [*c.plugins, *c.config.chats.configured(), *c.registry.sources]
        yield _ages("hdc_inbox_oldest_pending_seconds",
                    "Age of the oldest event waiting in an inbox lane (0: none waits)",
                    "source", now, {s: None for s in sources} | events)
        yield _ages("hdc_outbox_oldest_pending_seconds",
                    "Age of the oldest action waiting in an outbox lane (0: none waits)",
                    "target", now, {t: None for t in c.adapters} | actions)
        family = GaugeMetricFamily(
            "hdc_reconcile_last_success_timestamp_seconds",
            "When every project of a tracker was last polled to the end (0: never)",
            labels=["tracker"])
        for kind, names in polls.items():
            family.add_metric([kind], min(polled.get(name, 0.0) for name in names))
        yield family


def _ages(name: str, documentation: str, label: str, now: float,
          since: dict[str, float | None]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for lane, at in sorted(since.items()):
        family.add_metric([lane], 0.0 if at is None else max(0.0, now - at))
    return family
