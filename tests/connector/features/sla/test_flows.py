"""Belarus §4.1 on the stand-in GitLab: a new issue without a priority label gets its triage
clock; when the target passes, a note and «SLA: нарушен» land on the issue — once, however
many processes tick, and marked late when the connector was down at the due time."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from prometheus_client import generate_latest
from sqlalchemy import select

from connector.clock import FakeClock
from connector.core import Connector
from connector.events import TicketEvent, TicketRef
from connector.features.sla import store
from connector.features.sla.calendars import WorkCalendar
from connector.features.sla.clocks import Clock
from connector.features.sla.flows import on_ticket, tick
from connector.inbox_processing import drain_inbox
from connector.outbox_dispatch import dispatch_outbox
from connector.store import inbox
from connector.store.schema import sla_clocks
from tests.conftest import issue_hook
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis

MINSK = ZoneInfo("Europe/Minsk")
OPENED = datetime(2026, 3, 6, 15, 0, tzinfo=MINSK)  # a Friday, 1h45 before the short day ends
DUE = datetime(2026, 3, 9, 11, 15, tzinfo=MINSK).timestamp()  # + 4 working hours
TRIAGE = sla_clocks.c.policy == "triage"  # the outage norms keep the issue idle beside it


def opened_without_priority(c: Connector, key: str = "hook-1") -> None:
    payload = issue_hook()  # labels: API only; assigned to user1
    stamp = OPENED.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    payload["object_attributes"].update(created_at=stamp, updated_at=stamp)
    with c.engine.begin() as conn:
        inbox.add_event(conn, source="gitlab", dedup_key=key, event_name="Issue Hook",
                        ordering_key="gitlab:1#23", payload=json.dumps(payload))
    drain_inbox(c)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPENED.timestamp() + 60)


@pytest.fixture
def c(db_url: str, standin_gitlab: StandInGitLab, clock: FakeClock,
      make_connector: Callable[..., Connector]) -> Connector:
    standin_gitlab.add_issue(1, 23, labels=["API"], assignee_ids=[51])
    return make_connector(db_url, standin_gitlab, clock=clock)


def sla_notes(gl: StandInGitLab) -> list[str]:
    return [n["body"] for n in gl.issue(1, 23)["notes"] if "⏱" in n["body"]]


def test_the_clock_starts_at_the_issues_own_time(c: Connector) -> None:
    opened_without_priority(c)
    with c.engine.connect() as conn:
        row = conn.execute(select(sla_clocks).where(TRIAGE)).one()
    assert (row.ticket, row.policy, row.state, row.status) == (
        "gitlab:1#23", "triage", "running", "pending")
    assert row.due_at == DUE


def test_nothing_fires_before_the_due_time_and_the_breach_once_after(
        c: Connector, clock: FakeClock, standin_gitlab: StandInGitLab) -> None:
    opened_without_priority(c)
    clock.set(DUE - 1)
    tick(c)
    dispatch_outbox(c)
    assert sla_notes(standin_gitlab) == []

    clock.set(DUE + 5)
    tick(c)
    tick(c)
    dispatch_outbox(c)

    [note] = sla_notes(standin_gitlab)
    assert "Приоритет и ответственный L1 (п. 4.1)" in note and "100%" in note
    assert "09.03.2026 11:15" in note and "опозданием" not in note
    assert "SLA: нарушен" in standin_gitlab.issue(1, 23)["labels"]


def test_metrics_show_open_and_breached_clocks_per_policy(
        c: Connector, clock: FakeClock) -> None:
    opened_without_priority(c)
    assert 'hdc_sla_clocks{policy="triage",reached="none",state="running"} 1.0' in \
        generate_latest(c.metrics.scrape()).decode()
    clock.set(DUE + 5)
    tick(c)
    assert 'hdc_sla_clocks{policy="triage",reached="breached",state="running"} 1.0' in \
        generate_latest(c.metrics.scrape()).decode()


def test_a_priority_label_in_time_stops_the_clock(
        c: Connector, clock: FakeClock, standin_gitlab: StandInGitLab) -> None:
    opened_without_priority(c)
    payload = issue_hook("Priority: High", action="update")
    stamp = OPENED.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    payload["object_attributes"].update(created_at=stamp,
                                        updated_at=stamp.replace("12:00", "13:00"))
    with c.engine.begin() as conn:
        inbox.add_event(conn, source="gitlab", dedup_key="hook-2", event_name="Issue Hook",
                        ordering_key="gitlab:1#23", payload=json.dumps(payload))
    drain_inbox(c)
    clock.set(DUE + 3600)
    tick(c)
    dispatch_outbox(c)

    assert sla_notes(standin_gitlab) == []
    with c.engine.connect() as conn:
        assert conn.execute(select(sla_clocks.c.state).where(TRIAGE)).scalar_one() == "met"


def test_two_processes_ticking_at_once_fire_the_breach_once(
        c: Connector, db_url: str, clock: FakeClock, standin_gitlab: StandInGitLab,
        make_connector: Callable[..., Connector]) -> None:
    other = make_connector(db_url, standin_gitlab, clock=clock)  # its own engine and worker id
    opened_without_priority(c)
    clock.set(DUE + 5)
    start = threading.Barrier(2)

    def ticking(connector: Connector) -> None:
        start.wait()
        for _ in range(5):
            tick(connector)

    threads = [threading.Thread(target=ticking, args=(x,)) for x in (c, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    dispatch_outbox(c)

    assert len(sla_notes(standin_gitlab)) == 1


def test_a_breach_missed_while_down_fires_once_at_start_marked_late(
        c: Connector, db_url: str, clock: FakeClock, standin_gitlab: StandInGitLab,
        make_connector: Callable[..., Connector]) -> None:
    opened_without_priority(c)
    c.engine.dispose()  # the process is gone before the due time…
    clock.set(DUE + 3 * 3600)  # …and back three hours after it
    restarted = make_connector(db_url, standin_gitlab, clock=clock)

    tick(restarted)
    tick(restarted)
    dispatch_outbox(restarted)

    [note] = sla_notes(standin_gitlab)
    assert "Отмечено с опозданием" in note and "09.03.2026 11:15" in note


def test_mantis_statuses_are_read_in_the_regulations_words(
        db_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
        clock: FakeClock, make_connector: Callable[..., Connector]) -> None:
    """Mantis sends `new`, `feedback`; the Sevastopol policy speaks of «Новая», «Обратная связь»."""
    c = make_connector(db_url, standin_gitlab, mantis=standin_mantis, clock=clock)
    request = TicketEvent(TicketRef("mantis", "1", "7"), "ticket", "open", "reporter",
                          status="new", updated_at="2026-03-02T07:00:00.000000Z")  # 10:00 MSK
    with c.engine.begin() as conn:
        on_ticket(c, conn, request)
        on_ticket(c, conn, replace(request, status="feedback",
                                   updated_at="2026-03-02T09:00:00.000000Z"))
        rows = conn.execute(select(sla_clocks).where(sla_clocks.c.state != "history")
                            .order_by(sla_clocks.c.policy)).all()
    assert [(r.policy, r.state) for r in rows] == [("feedback", "running"), ("intake", "paused")]
    assert rows[1].due_at is None  # §4.6 waits while the applicant is asked (§2.9's clock runs)


def test_a_calendar_without_working_time_holds_up_no_event(c: Connector) -> None:
    # config load refuses such a calendar; one that slipped through still holds nothing up
    c.mappings.calendars["belarus"] = WorkCalendar.model_construct(timezone="Europe/Minsk",
                                                                   hours={"sat": []})
    opened_without_priority(c)

    with c.engine.connect() as conn:
        assert inbox.count_by_status(conn) == {"done": 1}
        row = conn.execute(select(sla_clocks).where(TRIAGE)).one()
    assert (row.state, row.status, row.due_at) == ("running", "done", None)


def test_a_ticket_event_while_a_tick_fires_the_clock_is_not_overwritten(
        c: Connector, clock: FakeClock) -> None:
    opened_without_priority(c)
    clock.set(DUE + 5)
    with c.engine.begin() as conn:
        [claimed] = store.claim_due(conn, c.worker_id, 10, 30)
    triaged = TicketEvent(TicketRef("gitlab", "1", "23"), "ticket", "update", "head",
                          state="opened", labels=("API", "Priority: High"),
                          assignees=("ivanova",), updated_at="2026-03-06T12:30:00.000000Z")
    with c.engine.begin() as conn:  # the head of support triages while the tick fires
        on_ticket(c, conn, triaged)

    with c.engine.begin() as conn:
        settled = store.settle(conn, claimed.id, c.worker_id, Clock.from_json(claimed.clock),
                               None)
        state = conn.execute(select(sla_clocks.c.state).where(TRIAGE)).scalar_one()
    assert (settled, state) == (False, "met")
