"""Prometheus metrics, one registry per connector so every test app starts from zero; with
PROMETHEUS_MULTIPROC_DIR set, /metrics sums every gunicorn worker's counters instead."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    start_http_server,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from connector import __version__
from connector.errors import ConfigError

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

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
        for status in ("pending", "failed", "done", "dry_run", "cancelled"):
            family.add_metric([status], outbox.get(status, 0))
        yield family
        family = GaugeMetricFamily("hdc_inbox_events", "Inbox events by status", labels=["status"])
        for status in ("pending", "done", "ignored", "failed", "cancelled"):
            family.add_metric([status], inbox.get(status, 0))
        yield family


class BuildInfo(Collector):
    """hdc_build_info{version} = 1: which release runs, for dashboards and upgrade checks."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("hdc_build_info", "The running helpdesk-connector release",
                                   labels=["version"])
        family.add_metric([__version__], 1)
        yield family


class Metrics:
    """Counters the receivers and workers update."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.store_gauges: StoreGauges | None = None
        self.store_collectors: list[Collector] = []
        shared = multiprocess_dir()
        if shared:  # every counter of this process is a file there, made at its first use
            Path(shared).mkdir(parents=True, exist_ok=True)
        r = self.registry
        r.register(BUILD_INFO)
        self.received = Counter("hdc_events_received", "Webhook events accepted into the inbox",
                                ["source"], registry=r)
        self.deduplicated = Counter("hdc_events_deduplicated", "Webhook deliveries seen before",
                                    ["source"], registry=r)
        self.rejected = Counter("hdc_events_rejected", "Webhook requests answered with a 4xx",
                                ["source", "status"], registry=r)
        self.processed = Counter("hdc_events_processed", "Inbox events processed by the rules",
                                 ["source", "outcome"], registry=r)
        self.alerts_rejected = Counter("hdc_alerts_rejected", "Alerts left out of an "
                                       "accepted body as bad (their group kept)", ["reason"],
                                       registry=r)
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
        self.reconcile_errors = Counter("hdc_reconcile_errors", "Reconciliation passes over a "
                                        "tracker's projects that failed", ["tracker"],
                                        registry=r)
        self.circuit_open = Gauge("hdc_circuit_open", "1 while a target's circuit is open: "
                                  "3 failures in a row, until an action there succeeds",
                                  ["target"], registry=r, multiprocess_mode="livemax")

    def watch_circuits(self, targets: list[str]) -> None:
        """Every target's circuit shows, closed (0) until it opens."""
        for target in targets:
            self.circuit_open.labels(target).set(0)

    def circuit_changed(self, target: str, is_open: bool) -> None:
        self.circuit_open.labels(target).set(1 if is_open else 0)

    def watch_store(self, read: Callable[[], tuple[dict[str, int], dict[str, int]]]) -> None:
        """Publish inbox/outbox depth from the store."""
        self.store_gauges = StoreGauges(read)
        self.registry.register(self.store_gauges)

    def watch(self, collector: Collector) -> None:
        """More gauges read from the store at scrape time (a feature's), counted once."""
        self.store_collectors.append(collector)
        self.registry.register(collector)

    def scrape(self) -> CollectorRegistry:
        """What /metrics shows: this process's registry or, in multiprocess mode, the counters
        of every process that wrote to the directory, summed, and the store read once."""
        if not multiprocess_dir():
            return self.registry
        registry = CollectorRegistry(auto_describe=True)
        MultiProcessCollector(registry)
        registry.register(BUILD_INFO)
        if self.store_gauges is not None:
            registry.register(self.store_gauges)
        for collector in self.store_collectors:
            registry.register(collector)
        return registry

    def serve(self, host: str, port: int, source: str = "<memory>") -> None:
        """Split mode: a `worker` process's own counters at http://host:port/metrics. The store
        depth is left to the web's /metrics, so a sum over scrape targets counts it once."""
        if multiprocess_dir():
            raise ConfigError.at(source, "worker.metrics_port",
                                 f"{MULTIPROC_ENV} is set for this worker: its counters "
                                 "would be counted twice", f"unset {MULTIPROC_ENV} for `worker`")
        if self.store_gauges is not None:
            self.registry.unregister(self.store_gauges)
            self.store_gauges = None
        for collector in self.store_collectors:
            self.registry.unregister(collector)
        self.store_collectors = []
        try:
            start_http_server(port, host, registry=self.registry)
        except OSError as exc:
            raise ConfigError.at(source, "worker.metrics_port",
                                 f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                                 "choose a free port") from None
        log.info("worker metrics at http://%s:%d/metrics", host, port)


BUILD_INFO = BuildInfo()


def multiprocess_dir() -> str | None:
    """The shared directory when prometheus_client counts in multiprocess mode (it decides
    once, from the environment, when it is first imported), else None."""
    if values.ValueClass is values.MutexValue:
        return None
    return os.environ.get(MULTIPROC_ENV) or None


def clear_multiprocess_dir(workers: int = 1) -> None:
    """Before the first worker starts: drop the counter files of earlier runs (their pids may
    come back, and their values would be added to the new ones). Several workers without a
    usable shared directory would answer /metrics each with its own counts, and a directory
    the workers cannot write would fail every request that counts: ConfigError either way."""
    shared = multiprocess_dir()
    if not shared:
        if workers > 1:
            raise ConfigError([f"{MULTIPROC_ENV}: not set, with {workers} gunicorn workers — "
                               "set it to a directory only this gunicorn writes, e.g. "
                               "/run/helpdesk-connector"])
        return
    clear_shared_dir(shared)


def clear_shared_dir(shared: str) -> None:
    """Make `shared` (PROMETHEUS_MULTIPROC_DIR) an empty directory this user writes, or a
    ConfigError says why it is not."""
    try:
        Path(shared).mkdir(parents=True, exist_ok=True)
        for stale in Path(shared).glob("*.db"):
            stale.unlink(missing_ok=True)
        with tempfile.NamedTemporaryFile(dir=shared):
            pass
    except OSError as exc:
        raise ConfigError([f"{MULTIPROC_ENV}: {shared}: cannot write there "
                           f"({exc.strerror or exc}) — give it to the user gunicorn runs as"
                           ]) from None


def process_exited(pid: int) -> None:
    """A gunicorn worker exited: its counters stay in the sums, its live gauges go."""
    if multiprocess_dir():
        mark_process_dead(pid)
