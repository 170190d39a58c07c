"""An alert storm against `/webhooks/alerts`: N Alertmanager bodies of M alerts (one group, as
Alertmanager sends a growing group) at a rate, the ack latency of the connector (`run`, its
worker busy with the alerts) against the durable-insert baseline in the same run."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from bench.baseline_app import connector_settings
from bench.procs import REPO, Processes, free_port, signals_as_exit, wait_http
from bench.report import percentile
from tests.alertmanager_bodies import storm

USAGE = """
    .venv/bin/python -m bench.alerts_storm [--bodies 30] [--alerts 5000] [--rate 1] [--store URL]

Both servers are gunicorn processes with the settings `helpdesk-connector run` gives gunicorn:
the baseline (bench/baseline_app.py) commits each body as one row, unparsed; the connector is
`helpdesk-connector run` with an alerts section, once as the receiver alone (worker.embedded:
false) and once with its embedded worker, which splits each body and processes its alerts while
the next bodies arrive. Bodies are sent open loop at --rate (the latency runs from each body's
scheduled send to its answer), servers one after the other, each its own alerts.
Prints a Markdown table with the load average; the machine may be shared: compare ratios.
"""
TOKEN = "storm-alerts-token"


def options(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.alerts_storm", description=USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bodies", type=int, default=30, help="bodies sent to each server")
    p.add_argument("--alerts", type=int, default=5000, help="alerts per body (5,000 ≈ 2.4 MB)")
    p.add_argument("--rate", type=float, default=1.0, help="bodies per second, open loop")
    p.add_argument("--senders", type=int, default=8, help="bodies in flight at most")
    p.add_argument("--threads", type=int, default=8, help="gunicorn threads, both servers")
    p.add_argument("--store", default="", help="PostgreSQL URL (default: SQLite files)")
    p.add_argument("--json", type=Path, help="also write the results here")
    return p.parse_args(argv)


def config(tmp: Path, store: str, embedded: bool) -> Path:
    """The connector's config: GitLab never called, the alerts receiver on."""
    data = {"store": {"url": store}, "mappings_dir": str(REPO / "mappings"),
            "roles": {"infrastructure_owner": "a", "new_client_owner": "b",
                      "head_of_support": "c"},
            "trackers": {"gitlab": {"base_url": "http://127.0.0.1:9", "token": "",
                                    "webhook_secret": "s", "projects": [
                                        {"id": 1, "mapping": "belarus-ehr"}],
                                    "reconcile": {"interval_seconds": 3600,
                                                  "lookback_seconds": 1}}},
            "alerts": {"token": TOKEN, "project": 1},
            "worker": {"embedded": embedded},
            "logging": {"level": "WARNING", "format": "json"}}
    path = tmp / f"connector-{'worker' if embedded else 'alone'}.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def send_all(port: int, bodies: list[bytes], rate: float, senders: int) -> list[float]:
    """Each body at its scheduled time; seconds from that time to a 200 answer, in order."""
    start = time.monotonic() + 0.5

    def one(i: int) -> float:
        due = start + i / rate
        time.sleep(max(0.0, due - time.monotonic()))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)  # idle ones close
        try:
            conn.request("POST", "/webhooks/alerts", bodies[i], {
                "Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
            answer = conn.getresponse()
            text = answer.read()
        finally:
            conn.close()
        if answer.status != 200:
            raise RuntimeError(f"body {i}: HTTP {answer.status} {text[:200]!r}")
        return time.monotonic() - due

    with ThreadPoolExecutor(senders) as pool:
        return list(pool.map(one, range(len(bodies))))


def measure(procs: Processes, name: str, args: list[str], port: int, first: int,
            o: argparse.Namespace) -> dict[str, Any]:
    """Start the server, send it the storm (alerts numbered from `first`), stop it."""
    bodies = [storm(o.alerts, first=first + i * o.alerts) for i in range(o.bodies)]
    child = procs.python(name, *args)
    try:
        wait_http(child, port, "/healthz", 180)
        load_before = os.getloadavg()[0]
        acks = send_all(port, bodies, o.rate, o.senders)
        load_after = os.getloadavg()[0]
    finally:
        procs.stop(child)
    ms = [a * 1000 for a in acks]
    return {"p50": percentile(ms, 50), "p99": percentile(ms, 99), "max": max(ms),
            "load": f"{load_before:.1f} → {load_after:.1f}"}


def main(argv: list[str] | None = None) -> int:
    o = options(argv)
    size = len(storm(o.alerts)) / 1e6
    with tempfile.TemporaryDirectory(prefix="hdc-storm-") as tmp_name, signals_as_exit():
        tmp = Path(tmp_name)
        procs = Processes(tmp)
        try:
            store = o.store or f"sqlite:///{tmp / 'connector.db'}"
            alone_store = o.store or f"sqlite:///{tmp / 'alone.db'}"
            settings, _ = connector_settings(o.threads)
            base_store = o.store or f"sqlite:///{tmp / 'baseline.db'}"
            port = free_port()
            results = {"baseline": measure(procs, "baseline", [
                "bench.baseline_app", "--port", str(port), "--store", base_store,
                "--table", "storm_baseline", "--settings", json.dumps(settings)],
                port, 0, o)}
            runs = (("connector, receiver alone", config(tmp, alone_store, False)),
                    ("connector with its worker", config(tmp, store, True)))
            for n, (name, path) in enumerate(runs, start=1):
                port = free_port()
                results[name] = measure(procs, f"connector-{n}", [
                    "connector.cli", "run", "--config", str(path), "--host", "127.0.0.1",
                    "--port", str(port), "--threads", str(o.threads)], port,
                    n * o.bodies * o.alerts, o)
        finally:
            procs.close()
    base = results["baseline"]["p99"]
    print(f"{o.bodies} bodies × {o.alerts} alerts ({size:.2f} MB each) at {o.rate:g}/s, "
          f"{os.cpu_count()} CPUs\n")
    print("| server | ack p50 (ms) | ack p99 (ms) | max (ms) | p99 × baseline | load (1 min) |")
    print("|---|---:|---:|---:|---:|---|")
    for name, r in results.items():
        print(f"| {name} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | "
              f"{r['p99'] / base:.2f} | {r['load']} |")
    if o.json:
        o.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
