"""Benchmark of the head of support's report (issue 19's targets), beside a baseline measured
in the same run.

    .venv/bin/python -m bench.reliability [--outages 5000] [--services 300]
                                          [--inbox 1000000] [--store URL]

A year (2025) of outages over the catalog's services, each with the timeline live handling
writes (declared, a stated start, the room, four stage moves), beside a year of request flow
(a request per ten inbox events), their SLA clocks, and the inbox events themselves (which
the report must not read). Measured:

- the year's report (`report.build`: every figure) against a bare scan of the same rows
  (outages, their timelines, the requests, the clocks — selected and fetched, nothing
  computed) — target within 3× and under 2 s;
- its peak memory (tracemalloc) with the inbox at a tenth of its size and at full size — target
  flat: the history is streamed, not loaded.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import insert, select

from connector.assembly import build_connector
from connector.clock import FakeClock
from connector.config import Config
from connector.core import Connector
from connector.features.reports.period import Period
from connector.features.reports.report import build
from connector.features.reports.source import Scope
from connector.store.schema import inbox, outage_timeline, outages, requests, sla_clocks

REPO = Path(__file__).resolve().parent.parent
ZONE = "Europe/Minsk"
YEAR = Period(date(2025, 1, 1), date(2025, 12, 31), ZONE)
STAGES = ("registered", "diagnosing", "fixing", "restored", "reporting", "closed")
BATCH = 5000
NOW = datetime(2026, 1, 15, tzinfo=ZoneInfo(ZONE)).timestamp()  # the history's reader's now


def mappings_with(services: int, tmp: Path) -> Path:
    """The shipped mappings with a catalog of `services` services (their people the shipped
    ones)."""
    target = tmp / "mappings"
    target.mkdir()
    for path in (REPO / "mappings").glob("*.yml"):
        (target / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    catalog = yaml.safe_load((target / "catalog.yml").read_text(encoding="utf-8"))
    entries = catalog["catalog"]["services"]
    for i in range(services - len(entries)):
        entries[f"svc-{i:03d}"] = {"title": f"Сервис {i}", "responsible": ["erp-owner"],
                                   "duty": ["duty"]}
    (target / "catalog.yml").write_text(yaml.safe_dump(catalog, allow_unicode=True),
                                        encoding="utf-8")
    return target


def fill_outages(c: Connector, outage_count: int, seed: int = 7) -> None:
    """A year of outages with the timelines live handling writes, in batches."""
    rng = random.Random(seed)
    services = sorted(c.mappings.catalog.services)
    rows, timeline = [], []
    for i in range(outage_count):
        start = rng.uniform(YEAR.start, YEAR.end - 86400)
        declared = start + rng.uniform(900, 3600)
        moves = [declared + rng.uniform(60, 600)]
        for _ in STAGES[2:]:
            moves.append(moves[-1] + rng.uniform(600, 7200))
        rows.append({"id": i + 1, "ticket": f"gitlab:1#{i + 1}", "mapping": "belarus-ehr",
                     "service": rng.choice(services), "stage": STAGES[-1],
                     "declared_at": declared, "stage_since": moves[-1],
                     "updated_at": moves[-1], "kind": "outage", "origin": "live"})
        detail = [("declared", declared, {"stage": STAGES[0], "title": "Сбой", "url": ""}),
                  ("start", declared, {"start": start, "source": "stated"}),
                  ("room", declared + 2, {"chat": "slack", "link": ""})]
        detail += [("stage", at, {"stage": stage, "previous": before})
                   for at, stage, before in zip(moves, STAGES[1:], STAGES, strict=False)]
        timeline += [{"outage_id": i + 1, "at": at, "kind": kind, "who": "",
                      "detail": json.dumps(d, ensure_ascii=False)} for kind, at, d in detail]
    _insert(c, outages, rows)
    _insert(c, outage_timeline, timeline)


def fill_flow(c: Connector, events: int, first: int, seed: int = 11) -> None:
    """`events` inbox events, and the requests (one per ten events) and SLA clocks of their
    tickets, numbered from `first`."""
    rng = random.Random(seed + first)
    tickets = range(first, first + events // 10)
    _insert(c, requests, [{"ticket": f"gitlab:1#{i}", "tracker": "gitlab",
                           "mapping": "belarus-ehr",
                           "created_at": rng.uniform(YEAR.start, YEAR.end),
                           "priority": rng.choice(["Priority: Low", "Priority: High", ""]),
                           "feedback": False, "updated_at": YEAR.end} for i in tickets])
    starts = {i: rng.uniform(YEAR.start, YEAR.end) for i in tickets}
    _insert(c, sla_clocks, [{
        "ticket": f"gitlab:1#{i}", "policy": "triage", "mapping": "belarus-ehr",
        "clock": json.dumps({"state": "met", "started_at": starts[i]}), "state": "met",
        "level": rng.choice([0, 0, 0, 100]), "status": "done", "due_at": None,
        "ordering_key": f"gitlab:1#{i}|triage", "attempts": 0, "updated_at": YEAR.end,
        "started_at": starts[i]} for i in tickets])
    payload = json.dumps({"object_kind": "issue", "note": "x" * 200})
    for start in range(0, events, BATCH):
        _insert(c, inbox, [{"source": "gitlab", "dedup_key": f"bench-{first}-{start + i}",
                            "event_name": "Issue Hook", "ordering_key": "gitlab:1#1",
                            "payload": payload, "received_at": YEAR.start, "status": "done",
                            "attempts": 1} for i in range(min(BATCH, events - start))])


def _insert(c: Connector, table: Any, rows: list[dict[str, Any]]) -> None:
    with c.engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[start:start + BATCH])


def bare_scan(c: Connector) -> int:
    """The same rows the report reads, selected and fetched, nothing computed."""
    with c.engine.connect() as conn:
        found = len(conn.execute(select(outages).where(outages.c.declared_at < YEAR.end))
                    .all())
        found += len(conn.execute(select(outage_timeline)).all())
        found += len(conn.execute(select(requests).where(
            requests.c.created_at >= YEAR.start, requests.c.created_at < YEAR.end)).all())
        found += len(conn.execute(select(sla_clocks.c.ticket, sla_clocks.c.policy,
                                         sla_clocks.c.state, sla_clocks.c.level).where(
            sla_clocks.c.started_at >= YEAR.start, sla_clocks.c.started_at < YEAR.end)).all())
    return found


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """The history's size and store, and how many times each measure is taken."""
    p = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    p.add_argument("--outages", type=int, default=5000)
    p.add_argument("--services", type=int, default=300)
    p.add_argument("--inbox", type=int, default=1_000_000)
    p.add_argument("--store", default="", help="PostgreSQL URL (default: a fresh SQLite file)")
    p.add_argument("--repeat", type=int, default=5)
    return p


def history_config(url: str, services: int, tmp: Path) -> Config:
    """Belarus on GitLab with a catalog of `services`, the EMIAS target (98.5 %)."""
    return Config.model_validate({
        "store": {"url": url}, "mappings_dir": str(mappings_with(services, tmp)),
        "roles": {"infrastructure_owner": "infra", "new_client_owner": "sales",
                  "head_of_support": "head"},
        "trackers": {"gitlab": {"webhook_secret": "x", "projects": [
            {"id": 1, "mapping": "belarus-ehr"}]}},
        "reports": {"target_percent": 98.5},
        "worker": {"embedded": False}, "logging": {"format": "text", "level": "WARNING"}})


def timed(run: Callable[[], Any], repeat: int) -> list[float]:
    spent = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        spent.append(time.perf_counter() - began)
    return spent


def peak_kib(run: Callable[[], Any]) -> float:
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024


def main() -> None:
    o = arguments(__doc__).parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = o.store or f"sqlite:///{tmp}/reliability.db"
        config = history_config(url, o.services, Path(tmp))
        c = build_connector(config, clock=FakeClock(NOW))
        began = time.perf_counter()
        fill_outages(c, o.outages)
        fill_flow(c, o.inbox // 10, 100_000)  # a tenth of the flow first
        memory_small = peak_kib(lambda: build(c, YEAR, Scope()))
        fill_flow(c, o.inbox - o.inbox // 10, 10_000_000)  # then all of it
        filled = time.perf_counter() - began
        baseline = timed(lambda: bare_scan(c), o.repeat)
        report = timed(lambda: build(c, YEAR, Scope()), o.repeat)
        memory_full = peak_kib(lambda: build(c, YEAR, Scope()))
        figures = build(c, YEAR, Scope())
        c.engine.dispose()
    base, ours = statistics.median(baseline), statistics.median(report)
    print(f"filled in {filled:.1f} s: {o.outages} outages over {o.services} services, "
          f"{o.inbox} inbox events; store {url.split(':')[0]}")
    print(f"reliability for 2025: {figures['reliability']['percent']:.4f} %, "
          f"{len(figures['outages'])} outages")
    print("| measure | baseline | report | ratio | target |")
    print("|---|---:|---:|---:|---|")
    print(f"| the year's report, median of {o.repeat} (s) | {base:.3f} | {ours:.3f} | "
          f"{ours / base:.2f}× | within 3× and < 2 s |")
    print(f"| peak memory, inbox at a tenth / in full (KiB) | {memory_small:,.0f} | "
          f"{memory_full:,.0f} | {memory_full / memory_small:.2f}× | flat |")


if __name__ == "__main__":
    main()
