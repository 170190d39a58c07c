"""Prometheus metrics, one registry per connector so every test app starts from zero."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

disable_created_metrics()  # `_created` series only double the scrape for these counters


class StoreGauges(Collector):
    """Outbox and inbox depth read from the store at scrape time, right across processes."""

    def __init__(self, read: Callable[[], tuple[dict[str, int], dict[str, int]]]) -> None:
        self.read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            inbox, outbox = self.read()
        except SQLAlchemyError as exc:  # store down: /healthz says so, counters still scrape
            log.warning("store gauges unavailable: %s", type(exc).__name__)
            return
        family = GaugeMetricFamily("hdc_outbox_actions", "Outbox actions by status",
                                   labels=["status"])
        for status in ("pending", "failed", "done", "dry_run"):
            family.add_metric([status], outbox.get(status, 0))
        yield family
        family = GaugeMetricFamily("hdc_inbox_events", "Inbox events by status", labels=["status"])
        for status in ("pending", "done", "ignored", "failed"):
            family.add_metric([status], inbox.get(status, 0))
        yield family


class Metrics:
    """Counters the receivers and workers update."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.received = Counter("hdc_events_received", "Webhook events accepted into the inbox",
                                ["source"], registry=r)
        self.deduplicated = Counter("hdc_events_deduplicated", "Webhook deliveries seen before",
                                    ["source"], registry=r)
        self.rejected = Counter("hdc_events_rejected", "Webhook requests answered with a 4xx",
                                ["source", "status"], registry=r)
        self.processed = Counter("hdc_events_processed", "Inbox events processed by the rules",
                                 ["source", "outcome"], registry=r)
        self.warnings = Counter("hdc_rule_warnings", "Values a regulation's rules could not act "
                                "on (e.g. an impact the table lacks)", ["tracker", "field"],
                                registry=r)
        self.actions = Counter("hdc_actions", "Outbox action attempts by outcome",
                               ["target", "kind", "outcome"], registry=r)
        self.latency = Histogram(
            "hdc_action_latency_seconds", "From decision to effect on the service",
            ["target"], registry=r,
            buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
        )

    def watch_store(self, read: Callable[[], tuple[dict[str, int], dict[str, int]]]) -> None:
        """Publish inbox/outbox depth from the store."""
        self.registry.register(StoreGauges(read))
