"""/metrics for SLA clocks: how many per policy and state, and how many reached a warning or a
breach — read from the store at scrape time, so every process tells the same."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from connector.context import FeatureContext
from connector.features.sla import store
from connector.store.db import reading

log = logging.getLogger(__name__)


class SlaGauges(Collector):
    """hdc_sla_clocks{policy,state,reached}: open, warned and breached clocks per policy."""

    def __init__(self, c: FeatureContext) -> None:
        self.c = c

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with reading(self.c.engine) as conn:
                counts = store.count_by_state(conn)
        except SQLAlchemyError as exc:
            log.warning("SLA gauges unavailable: %s", type(exc).__name__)
            return
        family = GaugeMetricFamily(
            "hdc_sla_clocks", "SLA clocks by policy, state (running, paused, met, cancelled) "
            "and the highest threshold reached (none, warned: below 100 %, breached)",
            labels=["policy", "state", "reached"])
        for (policy, state, reached), n in sorted(counts.items()):
            family.add_metric([policy, state, reached], n)
        yield family
