"""The request flow and the SLA clocks counted by the database itself, alike on SQLite and
PostgreSQL: per day of the team's zone, per tracker, priority and outcome."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from connector.clock import FakeClock
from connector.core import Connector
from connector.features.outage import store as outage_store
from connector.features.reports import flow, source
from connector.features.reports.period import Period
from connector.features.reports.source import Scope
from connector.store.schema import requests, sla_clocks
from tests.outage_history import Down, record
from tests.outage_history import at as minsk

ZONE = "Europe/Simferopol"
WEEK = Period(date(2026, 3, 2), date(2026, 3, 8), ZONE)


def at(text: str) -> float:
    return datetime.strptime(text, "%d.%m.%Y %H:%M").replace(tzinfo=ZoneInfo(ZONE)).timestamp()


def test_the_database_counts_as_the_figures_would(
        db_url: str, make_connector: Callable[..., Connector]) -> None:
    c = make_connector(db_url)
    made = [("mantis:1#1", "mantis", "Высокий", "02.03.2026 00:10", True),
            ("mantis:1#2", "mantis", "Высокий", "02.03.2026 23:50", False),
            ("mantis:1#3", "mantis", "Низкий", "03.03.2026 09:00", True),
            ("gitlab:1#4", "gitlab", "", "03.03.2026 09:00", False),
            ("mantis:1#5", "mantis", "Низкий", "09.03.2026 00:00", True)]  # after the week
    with c.engine.begin() as conn:
        conn.execute(insert(requests), [
            {"ticket": t, "tracker": k, "mapping": "sevastopol-miac", "created_at": at(when),
             "priority": p, "feedback": f, "updated_at": at(when)}
            for t, k, p, when, f in made])
        conn.execute(insert(sla_clocks), [
            {"ticket": t, "policy": "intake", "mapping": "sevastopol-miac",
             "clock": json.dumps({"started_at": at(when)}), "state": state, "level": level,
             "status": "done", "due_at": None, "ordering_key": f"{t}|intake", "attempts": 0,
             "updated_at": at(when), "started_at": at(when)}
            for (t, _, _, when, _), (state, level) in zip(made, [
                ("met", 0), ("met", 100), ("running", 75), ("met", 0), ("met", 0)],
                strict=True)])
        rows = flow.requests(WEEK, source.request_facts(conn, WEEK, Scope()))
        clocks = flow.sla(source.clocks(conn, WEEK, Scope()))
    assert rows == [
        {"day": "2026-03-02", "tracker": "mantis", "priority": "Высокий", "count": 2,
         "feedback": 1},
        {"day": "2026-03-03", "tracker": "gitlab", "priority": "", "count": 1, "feedback": 0},
        {"day": "2026-03-03", "tracker": "mantis", "priority": "Низкий", "count": 1,
         "feedback": 1}]
    total = next(r for r in clocks if r["tracker"] is None)
    assert (total["met"], total["breached"], total["running"]) == (2, 1, 1)
    assert {(r["tracker"], r["priority"]) for r in clocks if r["tracker"]} == {
        ("mantis", "Высокий"), ("mantis", "Низкий"), ("gitlab", "")}


def test_a_window_reads_only_the_outages_that_can_touch_it(
        db_url: str, make_connector: Callable[..., Connector]) -> None:
    """An outage that ended before the window cannot touch it (its end is never after its
    timeline's last entry); one never ended runs to now and is read however old."""
    clock = FakeClock(minsk("01.01.2026 00:00"))
    c = make_connector(db_url, clock=clock)
    record(c, clock, [
        Down("gitlab:1#1", "erp-api", minsk("05.01.2026 11:00"), minsk("05.01.2026 12:00")),
        Down("gitlab:1#2", "erp-mis", minsk("10.01.2026 09:00"), None),  # still down
        Down("gitlab:1#3", "erp-api", minsk("02.03.2026 10:00"), minsk("02.03.2026 11:00")),
        Down("gitlab:1#4", "erp-api", minsk("28.02.2026 23:00"), minsk("01.03.2026 01:00")),
    ], then=minsk("20.03.2026 12:00"))
    with c.engine.begin() as conn:  # concluded with a corrected downtime, long ago
        corrected = outage_store.declare(conn, "gitlab:1#5", "belarus-ehr", "erp-mis",
                                         "fixing")
        assert corrected is not None
        outage_store.record_at(conn, corrected, minsk("02.01.2026 10:00"), "declared", "",
                               service="erp-mis", stage="fixing", title="", url="",
                               reference="")
        outage_store.record_at(conn, corrected, minsk("02.01.2026 11:00"), "downtime", "",
                               start=minsk("30.12.2025 10:00"), end=minsk("31.12.2025 10:00"),
                               source="stated", end_source="stated", minutes=1440)
        # imported as already closed: no entry into a stage ends it, so it runs to now
        closed = outage_store.declare(conn, "gitlab:1#6", "belarus-ehr", "erp-mis", "closed",
                                      at=minsk("03.01.2026 10:00"), origin="imported")
        assert closed is not None
        outage_store.record_at(conn, closed, minsk("03.01.2026 10:00"), "declared", "",
                               service="erp-mis", stage="closed", title="", url="",
                               reference="")
    march = Period(date(2026, 3, 1), date(2026, 3, 20), "Europe/Minsk")
    now = clock.now()
    with c.engine.begin() as conn:
        everything = source.read_outages(c, conn, march, Scope(), now)
        window = source.read_outages(c, conn, march, Scope(), now, since=march.start)
    assert sorted(o.ticket for o in everything) == [f"gitlab:1#{i}" for i in range(1, 7)]
    assert sorted(o.ticket for o in window) == ["gitlab:1#2", "gitlab:1#3", "gitlab:1#4",
                                                "gitlab:1#6"]
    touching = {o.ticket for o in everything if o.interval(march, now) is not None}
    assert touching <= {o.ticket for o in window}
