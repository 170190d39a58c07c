"""The receivers' ack latency while the worker is busy (issue 21 item 5): Issue Hooks for tickets
long past due, each of which the worker turns into a breached SLA clock, a label and a note,
sent open loop to the connector and to the durable-insert baseline in the same run."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import report
from bench.phases import IIDS, Bench, Server
from bench.procs import Processes, free_port, signals_as_exit, wait_http
from bench.standin import BenchGitLab, serve_gitlab
from bench.stores import Stores

USAGE = """
    .venv/bin/python -m bench.apart [--rate 200] [--seconds 15] [--servers baseline,run,w2]
                                    (alone: `run` with worker.embedded: false, no worker)

Every server a separate process on loopback, loaded one after the other by bench/load.py
(open loop: latency from each request's scheduled send) with `--body past-due` hooks: GitLab
issues created in 2013, assigned, without a priority — belarus-ehr's triage clock starts long
breached, so every event costs the worker an SLA clock, a label PUT and a note POST.

- baseline: bench/baseline_app.py (one durable INSERT per request) under the gunicorn settings
  `helpdesk-connector run` uses;
- run: `helpdesk-connector run` (worker.embedded: true) on a fresh SQLite store;
- w2: the docs' several-workers line, `gunicorn -c python:webhooks.gunicorn_conf -w 2
  --threads 8 'webhooks.app:create_app()'`, on a fresh SQLite store.
Prints a Markdown table with the load average; the machine may be shared: compare ratios.
"""
SERVERS = ("baseline", "run", "w2", "alone")


def options(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.apart", description=USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=200.0, help="webhooks per second, open loop")
    p.add_argument("--seconds", type=float, default=15.0, help="measured time per server")
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured lead-in")
    p.add_argument("--open-threads", type=int, default=32, help="max requests in flight")
    p.add_argument("--threads", type=int, default=8, help="gunicorn threads, every server")
    p.add_argument("--servers", default=",".join(SERVERS[:3]), help="which, in this order")
    p.add_argument("--start-timeout", type=float, default=180.0)
    p.add_argument("--settle", type=float, default=180.0,
                   help="max wait for the worker to finish the events after the load")
    p.add_argument("--json", type=Path, help="also write the results here")
    opts = p.parse_args(argv)
    unknown = set(opts.servers.split(",")) - set(SERVERS)
    if unknown:
        p.error(f"unknown servers: {', '.join(sorted(unknown))}")
    return opts


class Apart:
    """One run: the servers measured one after the other, each with its own store."""

    def __init__(self, o: argparse.Namespace, bench: Bench) -> None:
        self.o, self.bench = o, bench
        self.results: dict[str, dict[str, Any]] = {}

    def measure(self, name: str) -> None:
        """Start `name`, load it, let its worker finish, stop it; its figures."""
        if name == "baseline":
            srv = self.bench.start_baseline()
            self.results[name] = self._steady(name, srv)
            return
        with serve_gitlab(self.bench.now) as gitlab:
            try:
                srv = self._start_w2(gitlab) if name == "w2" else \
                    self.bench.start_connector(name, name == "run", gitlab)
                figures = self._steady(name, srv)
                started = time.monotonic()
                figures["pending_after"] = self.bench.settle(srv, name)
                figures["settled_s"] = time.monotonic() - started
            finally:
                self.bench.procs.close()
            figures["gitlab"] = gitlab.counts()
            self.results[name] = figures

    def _steady(self, name: str, srv: Server) -> dict[str, Any]:
        o, before = self.o, os.getloadavg()[0]
        self.bench.say(f"{name}: {o.rate:g} past-due hooks/s for {o.seconds:g} s")
        res = self.bench.load(f"apart-{name}", srv.port, "open", iid_start=IIDS["steady"],
                              seconds=o.seconds, warmup=o.warmup, rate=o.rate,
                              concurrency=o.open_threads, body="past-due")
        return {**report.steady(res), "load": f"{before:.1f} → {os.getloadavg()[0]:.1f}"}

    def _start_w2(self, gitlab: BenchGitLab) -> Server:
        """The docs' line: plain gunicorn, the connector's settings module, two workers."""
        bench = self.bench
        store = bench.stores.connector_url("w2")
        config = bench.write_config("w2", store, True, gitlab)
        port, shared = free_port(), bench.tmp / "w2-metrics"
        shared.mkdir(exist_ok=True)
        child = bench.procs.spawn("w2", [
            sys.executable, "-m", "gunicorn", "-c", "python:webhooks.gunicorn_conf", "-w", "2",
            "--threads", str(self.o.threads), "-b", f"127.0.0.1:{port}",
            "webhooks.app:create_app()"],
            env={"HELPDESK_CONNECTOR_CONFIG": str(config),
                 "PROMETHEUS_MULTIPROC_DIR": str(shared)})
        took = wait_http(child, port, "/healthz", self.o.start_timeout)
        bench.say(f"w2 up on :{port} in {took:.1f} s (log {child.log_path})")
        return Server(child, port, store, config)


def table(results: dict[str, dict[str, Any]], o: argparse.Namespace) -> str:
    """The Markdown table: ack figures, × the baseline's p99, what the worker did."""
    base = results.get("baseline", {}).get("p99")
    lines = [f"{o.rate:g} past-due Issue Hooks/s for {o.seconds:g} s, SQLite, "
             f"{os.cpu_count()} CPUs\n",
             "| server | ack p50 (ms) | ack p99 (ms) | max (ms) | p99 × baseline | failed | "
             "worker after the load | GitLab requests | load (1 min) |",
             "|---|---:|---:|---:|---:|---:|---|---|---|"]
    for name, r in results.items():
        ratio = f"{r['p99'] / base:.1f}" if base else "n/a"
        after = "" if "settled_s" not in r else \
            f"{r['pending_after']} pending after {r['settled_s']:.0f} s"
        calls = ", ".join(f"{k}: {v}" for k, v in sorted(r.get("gitlab", {}).items()))
        lines.append(f"| {name} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {ratio} | "
                     f"{r['failed']} | {after} | {calls} | {r['load']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    o = options(argv)
    with tempfile.TemporaryDirectory(prefix="hdc-apart-") as tmp_name, signals_as_exit():
        tmp = Path(tmp_name)
        procs = Processes(tmp)
        try:
            bench = Bench(argparse.Namespace(**vars(o), store=""), procs,
                          Stores(None, tmp), "monotonic", tmp)
            apart = Apart(o, bench)
            for name in o.servers.split(","):
                apart.measure(name)
        finally:
            procs.close()
            if os.environ.get("HDC_BENCH_KEEP"):
                shutil.copytree(tmp, os.environ["HDC_BENCH_KEEP"], dirs_exist_ok=True)
    print(table(apart.results, o))
    if o.json:
        o.json.write_text(json.dumps(apart.results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
