"""Benchmark of SLA clocks (issue 10's targets), each beside a baseline measured in the same run.

    .venv/bin/python -m bench.sla [--clocks 100000] [--store URL]

- idle tick: `sla:tick` with 100,000 open clocks and none due, against the bare indexed
  query for due rows it has to make (target < 50 ms);
- due time: one 100 %-threshold computation across a month of the Belarus calendar (a target
  of 160 working hours), against adding the same seconds on the wall clock (target p99 < 1 ms);
- memory: resident size before and after 10,000 idle ticks (target: flat);
- a burst: 1,000 clocks due at once, fired (their actions in the outbox) by one tick
  (target < 10 s), against inserting 1,000 outbox rows in one transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from connector.assembly import build_connector
from connector.clock import FakeClock
from connector.config import Config
from connector.core import Connector
from connector.features.sla.clocks import Clock, WallClock
from connector.features.sla.flows import tick
from connector.store.schema import outbox, sla_clocks

NOW = 1_772_600_000.0  # 2026-03-04T05:33:20Z, a Wednesday


def _config(url: str, tmp: Path) -> Config:
    repo = Path(__file__).resolve().parent.parent
    return Config.model_validate({
        "store": {"url": url}, "mappings_dir": str(repo / "mappings"),
        "roles": {"infrastructure_owner": "infra", "new_client_owner": "sales",
                  "head_of_support": "head"},
        "trackers": {"gitlab": {"webhook_secret": "x", "projects": [
            {"id": 1, "mapping": "belarus-ehr"}]}},  # no token: a dry run, nothing leaves
        "worker": {"batch_size": 100, "embedded": False},
        "logging": {"format": "text", "level": "WARNING"}})


def _fill(c: Connector, count: int, due_at: Callable[[int], float]) -> None:
    clock = Clock("running", NOW - 3600).to_json()
    rows = [{"ticket": f"gitlab:1#{i}", "policy": "triage", "mapping": "belarus-ehr",
             "clock": clock, "state": "running", "level": 0, "status": "pending",
             "due_at": due_at(i), "ordering_key": f"gitlab:1#{i}|triage", "attempts": 0,
             "updated_at": NOW} for i in range(count)]
    with c.engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(insert(sla_clocks), rows[start:start + 5000])


def _times(run: Callable[[], Any], repeat: int) -> list[float]:
    spent = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        spent.append((time.perf_counter() - began) * 1000)
    return spent


def _once(compute: Callable[[float, float], float], start: float, seconds: float) -> float:
    began = time.perf_counter()
    compute(start, seconds)
    return (time.perf_counter() - began) * 1000


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def _rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def measure(url: str | None, clocks: int, tmp: Path) -> dict[str, Any]:
    store = url or f"sqlite:///{tmp / 'sla.db'}"
    c = build_connector(_config(store, tmp), clock=FakeClock(NOW))
    _fill(c, clocks, lambda i: NOW + 86400 * 30 + i)  # all due a month from now
    due_now = select(sla_clocks.c.id).where(sla_clocks.c.status == "pending",
                                            sla_clocks.c.due_at <= NOW).limit(100)

    def bare() -> None:
        with c.engine.begin() as conn:
            conn.execute(due_now).all()

    results: dict[str, Any] = {"store": c.engine.dialect.name, "clocks": clocks}
    for _ in range(20):  # warm both
        tick(c)
        bare()
    results["idle_tick_ms"] = _times(lambda: tick(c), 300)
    results["bare_query_ms"] = _times(bare, 300)

    belarus, wall = c.mappings.calendars["belarus"], WallClock()
    rng = random.Random(7)
    starts = [NOW + rng.uniform(0, 86400 * 365) for _ in range(10_000)]
    target = 160 * 3600.0
    results["due_month_ms"] = [_once(belarus.add_working, s, target) for s in starts]
    results["due_wall_ms"] = [_once(wall.add_working, s, target) for s in starts]

    before = _rss_kib()
    for _ in range(10_000):
        tick(c)
    results["rss_kib"] = [before, _rss_kib()]

    overdue = Clock("running", NOW - 86400 * 10).to_json()  # 10 days: past every threshold
    with c.engine.begin() as conn:  # 1,000 clocks fall due at once
        conn.execute(text("UPDATE sla_clocks SET due_at = :t, clock = :c WHERE id <= 1000"),
                     {"t": NOW - 1, "c": overdue})
    began = time.perf_counter()
    tick(c)
    results["burst_s"] = time.perf_counter() - began
    with c.engine.connect() as conn:
        results["burst_actions"] = conn.execute(text("SELECT count(*) FROM outbox")).scalar()
    rows = [{"idempotency_key": f"bench-{i}", "target": "gitlab", "ticket": f"gitlab:1#{i}",
             "ordering_key": f"gitlab|gitlab:1#{i}", "kind": "add_note", "params": "{}",
             "reason": "bench", "status": "pending", "attempts": 0, "next_attempt_at": NOW,
             "created_at": NOW} for i in range(1000)]
    began = time.perf_counter()
    with c.engine.begin() as conn:
        conn.execute(insert(outbox), rows)
    results["baseline_insert_s"] = time.perf_counter() - began
    c.engine.dispose()
    return results


def report(r: dict[str, Any]) -> str:
    idle, bare = r["idle_tick_ms"], r["bare_query_ms"]
    month, wallc = r["due_month_ms"], r["due_wall_ms"]
    rss_before, rss_after = r["rss_kib"]
    rows = [
        ("idle tick p50 / p99 (ms)", f"{_p(bare, 50):.2f} / {_p(bare, 99):.2f}",
         f"{_p(idle, 50):.2f} / {_p(idle, 99):.2f}", f"{_p(idle, 99) / _p(bare, 99):.1f}×",
         "< 50 ms", "met" if _p(idle, 99) < 50 else "MISSED"),
        ("due time, a month of calendar, p50 / p99 (ms)",
         f"{_p(wallc, 50):.4f} / {_p(wallc, 99):.4f}", f"{_p(month, 50):.3f} / {_p(month, 99):.3f}",
         f"{_p(month, 99) / _p(wallc, 99):.0f}×", "p99 < 1 ms",
         "met" if _p(month, 99) < 1 else "MISSED"),
        ("resident memory over 10,000 idle ticks (KiB)", f"{rss_before}", f"{rss_after}",
         f"{rss_after / rss_before:.3f}×", "flat", "met" if rss_after - rss_before < 4096
         else "MISSED"),
        ("1,000 thresholds due at once (s)", f"{r['baseline_insert_s']:.3f}",
         f"{r['burst_s']:.3f} ({r['burst_actions']} actions)",
         f"{r['burst_s'] / r['baseline_insert_s']:.0f}×", "< 10 s",
         "met" if r["burst_s"] < 10 else "MISSED"),
    ]
    head = ("| measure | baseline | SLA | ratio | target | verdict |\n"
            "|---|---:|---:|---:|---|---|")
    return "\n".join([head, *(f"| {' | '.join(row)} |" for row in rows)]) + \
        f"\n\n- store: {r['store']}, {r['clocks']:,} open clocks; baselines: the bare indexed " \
        "query for due rows; wall-clock addition; one INSERT of 1,000 outbox rows"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.sla", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clocks", type=int, default=100_000)
    p.add_argument("--store", default="", help="PostgreSQL URL (default: a fresh SQLite file)")
    p.add_argument("--json", type=Path)
    opts = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = measure(opts.store or None, opts.clocks, Path(tmp))
    print(report(results))
    if opts.json:
        opts.json.write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
