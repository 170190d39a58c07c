"""The measurements of bench.spine: each starts its servers, loads them, and stops them."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench import report
from bench.baseline_app import connector_settings
from bench.hooks import PROJECT, SECRET, BodyTemplate
from bench.procs import REPO, Child, Processes, free_port, wait_http
from bench.standin import BenchGitLab, serve_gitlab
from bench.stores import Stores

# Each measurement sends its own issue numbers, so no two events share a ticket by accident.
IIDS = {"effect": 1, "steady": 100_001, "peak": 200_001, "receiver": 300_001,
        "backlog": 400_001, "warmup": 900_001}


class LoadError(RuntimeError):
    """The load generator failed or overran; the message names its log."""


@dataclass
class Server:
    """A started server: its process, port, store URL and (connector) config file."""

    child: Child
    port: int
    store: str
    config: Path | None = None


class Bench:
    """One run: the options, its processes and stores, the stand-in GitLab, and the results."""

    def __init__(self, opts: argparse.Namespace, procs: Processes, stores: Stores, clock: str,
                 tmp: Path) -> None:
        self.o, self.procs, self.stores = opts, procs, stores
        self.clock = clock
        self.now: Callable[[], float] = time.monotonic if clock == "monotonic" else time.time
        self.tmp = tmp
        self.results: dict[str, Any] = {"steady": {}, "peak": {}, "drain": {}, "effect": {},
                                        "gitlab_requests": {}}
        self.settings, self.settings_source = connector_settings(opts.threads)

    def say(self, text: str) -> None:
        """A progress line on stderr."""
        print(f"[spine {time.strftime('%H:%M:%S')}] {text}", flush=True, file=sys.stderr)

    # ---- servers ----------------------------------------------------------------------------

    def write_config(self, name: str, store: str, embedded: bool,
                     gitlab: BenchGitLab | None) -> Path:
        """A connector config file as the brief describes it; its path."""
        data = {
            "store": {"url": store},
            "mappings_dir": str(REPO / "mappings"),
            "roles": {"infrastructure_owner": "a", "new_client_owner": "b",
                      "head_of_support": "c"},
            "trackers": {"gitlab": {
                "base_url": gitlab.url if gitlab else "http://127.0.0.1:9",
                "token": gitlab.token if gitlab else "", "webhook_secret": SECRET,
                "projects": [{"id": PROJECT, "mapping": "belarus-ehr"}],
                "reconcile": {"interval_seconds": 3600, "lookback_seconds": 1}}},
            "worker": {"embedded": embedded},
            "logging": {"level": "WARNING", "format": "json"},
        }
        path = self.tmp / f"{name}.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    def start_connector(self, name: str, embedded: bool, gitlab: BenchGitLab) -> Server:
        """`helpdesk-connector run` on a fresh store, once /healthz answers."""
        store = self.stores.connector_url(name)
        config = self.write_config(name, store, embedded, gitlab)
        port = free_port()
        child = self.procs.python(name, "connector.cli", "run", "--config", str(config),
                                  "--host", "127.0.0.1", "--port", str(port),
                                  "--threads", str(self.o.threads))
        took = wait_http(child, port, "/healthz", self.o.start_timeout)
        self.say(f"{name} up on :{port} in {took:.1f} s (log {child.log_path})")
        return Server(child, port, store, config)

    def start_baseline(self) -> Server:
        """The baseline receiver on a fresh table, once /healthz answers."""
        store, table = self.stores.table("baseline")
        port = free_port()
        child = self.procs.python("baseline", "bench.baseline_app", "--port", str(port),
                                  "--store", store, "--table", table,
                                  "--settings", json.dumps(self.settings))
        took = wait_http(child, port, "/healthz", self.o.start_timeout)
        self.say(f"baseline up on :{port} in {took:.1f} s (log {child.log_path})")
        return Server(child, port, store)

    def load(self, label: str, port: int, mode: str, *, iid_start: int, seconds: float = 0,
             warmup: float = 0, rate: float = 0, count: int = 0,
             concurrency: int = 16, body: str = "conflict") -> dict[str, Any]:
        """Run the load generator in its own process and return its records."""
        out = self.tmp / f"load-{label}.json"
        child = self.procs.python(
            f"load-{label}", "bench.load", "--port", str(port), "--mode", mode,
            "--seconds", str(seconds), "--warmup", str(warmup), "--rate", str(rate),
            "--count", str(count), "--concurrency", str(concurrency),
            "--iid-start", str(iid_start), "--key-prefix", f"{self.stores.run}-{label}",
            "--clock", self.clock, "--out", str(out), "--body", body)
        limit = seconds + warmup + 120 + count / 10
        try:
            code = child.proc.wait(limit)
        except subprocess.TimeoutExpired:
            raise LoadError(f"load {label} overran {limit:.0f} s; log {child.log_path}") from None
        finally:
            self.procs.stop(child)
        if code != 0:
            raise LoadError(f"load {label} exited {code}; log {child.log_path}\n{child.tail()}")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        out.unlink()
        return result

    def settle(self, server: Server, what: str) -> int:
        """Wait (bounded) for the worker to catch up; rows still pending."""
        left = self.stores.wait_settled(server.store, self.o.settle)
        if left:
            self.say(f"{what}: {left} inbox/outbox rows still pending after {self.o.settle} s")
        return left

    # ---- measurements -----------------------------------------------------------------------

    def steady_load(self, label: str, port: int) -> dict[str, Any]:
        """Open loop at --rate for --seconds after --warmup."""
        o = self.o
        return self.load(label, port, "open", iid_start=IIDS["steady"], seconds=o.seconds,
                         warmup=o.warmup, rate=o.rate, concurrency=o.open_threads)

    def peak_load(self, label: str, port: int, iid_start: int) -> dict[str, Any]:
        """Closed loop, --concurrency connections, 1 s warm-up then --peak-seconds."""
        o = self.o
        return self.load(label, port, "closed", iid_start=iid_start, seconds=o.peak_seconds,
                         warmup=1.0, concurrency=o.concurrency)

    def baseline_receiver(self) -> None:
        """Steady and peak against the bare Flask receiver."""
        srv = self.start_baseline()
        self.say(f"baseline: steady {self.o.rate:g} req/s for {self.o.seconds:g} s")
        self.results["steady"]["baseline"] = report.steady(self.steady_load("steady-base",
                                                                            srv.port))
        self.say(f"baseline: peak, {self.o.concurrency} connections")
        self.results["peak"]["baseline"] = report.peak(
            self.peak_load("peak-base", srv.port, IIDS["peak"]))

    def connector_with_worker(self) -> None:
        """Effect, steady and peak against `run` with its embedded worker."""
        with serve_gitlab(self.now) as gitlab:  # its own: no other run's edits to poll
            try:
                self._connector_with_worker(gitlab)
            finally:
                self.procs.close()
                self.results["gitlab_requests"]["connector"] = gitlab.counts()

    def _connector_with_worker(self, gitlab: BenchGitLab) -> None:
        o = self.o
        events = round(o.effect_rate * o.effect_seconds)
        for iid in range(IIDS["effect"], IIDS["effect"] + events):
            gitlab.add_conflict_issue(iid)
        srv = self.start_connector("connector", embedded=True, gitlab=gitlab)
        self.load("warmup", srv.port, "open", iid_start=IIDS["warmup"], seconds=1,
                  rate=o.effect_rate, concurrency=4)
        self.settle(srv, "after warm-up")
        self.say(f"connector: webhook → effect, {o.effect_rate:g} ev/s for {o.effect_seconds:g} s")
        since = self.now()
        res = self.load("effect", srv.port, "open", iid_start=IIDS["effect"],
                        seconds=o.effect_seconds, rate=o.effect_rate, concurrency=4)
        acked = {r[1] for r in res["records"] if 200 <= r[5] < 300}
        deadline = time.monotonic() + 60
        while not acked <= gitlab.first_puts(since).keys() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.results["effect"] = {**report.effect(res, gitlab.first_puts(since)),
                                  "rate": o.effect_rate, "seconds": o.effect_seconds}
        self.settle(srv, "after effect")
        self.say(f"connector: steady {o.rate:g} req/s for {o.seconds:g} s")
        steady = report.steady(self.steady_load("steady-conn", srv.port))
        steady["pending_after_settle"] = self.settle(srv, "after steady")
        self.results["steady"]["connector"] = steady
        self.say(f"connector: peak with worker, {o.concurrency} connections")
        self.results["peak"]["connector_worker"] = report.peak(
            self.peak_load("peak-conn", srv.port, IIDS["peak"]))

    def receiver_alone(self) -> None:
        """Backlog drain by `worker`, then peak against `run` without a worker."""
        with serve_gitlab(self.now) as gitlab:
            try:
                self._receiver_alone(gitlab)
            finally:
                self.procs.close()
                self.results["gitlab_requests"]["receiver"] = gitlab.counts()

    def _receiver_alone(self, gitlab: BenchGitLab) -> None:
        o = self.o
        srv = self.start_connector("receiver", embedded=False, gitlab=gitlab)
        assert srv.config is not None
        self.say(f"receiver alone: loading {o.backlog} events")
        res = self.load("backlog", srv.port, "count", iid_start=IIDS["backlog"],
                        count=o.backlog, concurrency=o.concurrency)
        pending = self.stores.pending(srv.store, "inbox")
        failed = sum(1 for r in res["records"] if not 200 <= r[5] < 300)
        self.say(f"inbox: {pending} pending ({failed} failed requests); starting `worker`")
        worker = self.procs.python("worker", "connector.cli", "worker", "--config",
                                   str(srv.config))
        self.results["drain"]["connector_worker"] = self.drain(worker, srv.store, "inbox",
                                                               pending, must_live=True)
        self.procs.stop(worker)
        self.say(f"receiver alone: peak, {o.concurrency} connections")
        self.results["peak"]["receiver_alone"] = report.peak(
            self.peak_load("peak-recv", srv.port, IIDS["receiver"]))

    def minimal_worker(self) -> None:
        """Backlog drain by the baseline worker: the reference (--batch, one event per durable
        cycle by default) and, for context, batches of 100."""
        for key, batch in (("baseline_worker", self.o.batch), ("baseline_worker_100", 100)):
            url, table = self.stores.table(f"queue_{batch}")
            text = BodyTemplate().render(IIDS["backlog"]).decode()
            self.stores.fill_queue(url, table, self.o.backlog, text)
            self.say(f"minimal worker: {self.o.backlog} rows, batches of {batch}")
            worker = self.procs.python("baseline-worker", "bench.baseline_worker", "--store",
                                       url, "--table", table, "--batch", str(batch))
            self.results["drain"][key] = self.drain(worker, url, table, self.o.backlog,
                                                    must_live=False)
            self.procs.stop(worker)

    def drain(self, worker: Child, url: str, table: str, rows: int,
              must_live: bool) -> dict[str, Any]:
        """Time a started worker until `table` has no pending row."""
        spawned = time.monotonic()

        def alive() -> bool:
            code = worker.proc.poll()
            return code is None or (code == 0 and not must_live)

        d = self.stores.watch_drain(url, table, self.o.drain_timeout, alive,
                                    f"{worker.name} (log {worker.log_path})")
        busy = d.empty - d.first_claim
        rate, first, last = self.stores.done_span(url, table)
        return {"rows": rows, "rows_at_end": d.rows, "seconds": busy,
                "per_s": rows / busy if busy > 0 else None, "done_per_s": rate,
                "start_s": d.first_claim - spawned,
                "with_start_per_s": rows / (d.empty - spawned),
                # how the two figures relate: first claim seen → first processed_at, and last
                # processed_at → "none pending" seen (poll delay)
                "claim_to_first_done_s": first - (d.first_claim + d.wall_offset),
                "last_done_to_empty_s": d.empty + d.wall_offset - last}
