"""The order webhooks arrive in never changes a clock: every event carries the tracker's time
and takes its place there (issue 17, item 9 — Sevastopol's intake, a request that waited for
the applicant over a weekend, its webhooks delivered out of order)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from connector.clock import FakeClock
from connector.core import Connector
from connector.events import TicketEvent, TicketRef
from connector.features.sla import store
from connector.features.sla.clocks import Clock, advance, due, holding
from connector.features.sla.commands import describe
from connector.features.sla.history import observe
from connector.features.sla.models import SlaPolicy, Threshold, When
from connector.inbox_processing import drain_inbox
from connector.mappings import load_mappings
from connector.store import inbox
from connector.store.schema import inbox as inbox_table
from connector.store.schema import sla_clocks
from tests.conftest import REPO
from tests.mantis_hooks import plugin_input
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis

SIMFEROPOL = ZoneInfo("Europe/Simferopol")  # Sevastopol's calendar: Mon–Fri 08:00–17:00
REPORTED = ("2026-03-13T07:00:00Z", "new")  # Friday 10:00 local: the request arrives
WAITING = ("2026-03-13T09:00:00Z", "feedback")  # Friday 12:00: asked the applicant
BACK = ("2026-03-16T07:30:00Z", "new")  # Monday 10:30: the applicant answered
# 2 working hours used on Friday (10:00–12:00), 6 left from Monday 10:30: due 16:30.
DUE = datetime(2026, 3, 16, 16, 30, tzinfo=SIMFEROPOL).timestamp()


@pytest.fixture
def c(sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
      make_connector: Callable[..., Connector]) -> Connector:
    # every webhook reaches the connector on Monday, 10:35
    clock = FakeClock(datetime(2026, 3, 16, 10, 35, tzinfo=SIMFEROPOL).timestamp())
    return make_connector(sqlite_url, standin_gitlab, mantis=standin_mantis, clock=clock)


def webhooks(mantis: StandInMantis) -> dict[tuple[str, str], dict[str, Any]]:
    """The plugin's webhook for each change, the issue as it was just after it."""
    mantis.add_issue(7, status="new", reporter="ivanova", updated_at=REPORTED[0])
    sent = {REPORTED: _webhook("issue_reported", mantis.issue(7), {})}
    for at, status in (WAITING, BACK):
        before = mantis.issue(7)["status"]["name"]
        mantis.change_status(7, status, at, by="l1-petrov")
        sent[(at, status)] = _webhook("issue_updated", mantis.issue(7),
                                      {"status": {"old": before, "new": status}})
    return sent


def _webhook(event: str, issue: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    return {"event": event, "delivery_id": f"{event}-{issue['updated_at']}",
            "mantis_url": "https://mantis.test/",
            "actor": {"id": 5, "name": "l1-petrov", "access_level": {"id": 55,
                                                                    "name": "developer"}},
            "issue": plugin_input(issue), "changes": changes, "note": None}


def deliver(c: Connector, payloads: list[dict[str, Any]]) -> None:
    """Each webhook received (one after another, in this order) and processed."""
    for payload in payloads:
        with c.engine.begin() as conn:
            inbox.add_event(conn, source="mantis", dedup_key=payload["delivery_id"],
                            event_name=payload["event"], ordering_key="mantis:1#7",
                            payload=json.dumps(payload))
        drain_inbox(c)


def shown(c: Connector) -> tuple[str, float | None]:
    """What `sla show` prints for the intake clock, and its next due time."""
    with c.engine.connect() as conn:
        row = conn.execute(select(sla_clocks).where(sla_clocks.c.policy == "intake")).one()
        return describe(c, row, store.history_of(conn, row.ticket)), row.due_at


@pytest.mark.parametrize("order", [
    pytest.param([REPORTED, WAITING, BACK], id="in order"),
    pytest.param([REPORTED, BACK, WAITING], id="the tester's: feedback delivered last"),
    pytest.param([BACK, WAITING, REPORTED], id="backwards"),
])
def test_the_due_time_does_not_depend_on_the_order_webhooks_arrive_in(
        c: Connector, standin_mantis: StandInMantis, order: list[tuple[str, str]]) -> None:
    sent = webhooks(standin_mantis)
    deliver(c, [sent[change] for change in order])

    text, due_at = shown(c)
    assert "state: running; started 13.03.2026 10:00 MSK" in text
    assert "paused: 13.03.2026 12:00 MSK – 16.03.2026 10:30 MSK" in text
    assert "due (100%): 16.03.2026 16:30 MSK" in text
    assert "history: 3 change(s) from the tracker, 13.03.2026 10:00 MSK – 16.03.2026 10:30 MSK" \
        in text
    assert due_at == DUE - 2 * 3600  # the first threshold, 75%: 6:00 of 8:00, Monday 14:30


def test_a_late_webhook_moves_the_clock_but_the_rules_ignore_it(
        c: Connector, standin_mantis: StandInMantis) -> None:
    sent = webhooks(standin_mantis)
    deliver(c, [sent[REPORTED], sent[BACK], sent[WAITING]])

    with c.engine.connect() as conn:
        outcomes = [r.outcome for r in conn.execute(select(inbox_table).order_by(
            inbox_table.c.id))]
    assert outcomes[2] == "older than the ticket as last seen"  # no rule acts on the past
    assert "paused: 13.03.2026 12:00 MSK – 16.03.2026 10:30 MSK" in shown(c)[0]


# The pure clock: Sevastopol's intake through a handful of changes, in every order.
INTAKE = load_mappings(REPO / "mappings").get("sevastopol-miac").sla[0]
SEVASTOPOL = load_mappings(REPO / "mappings").calendars["sevastopol"]
REQUEST = TicketEvent(TicketRef("mantis", "1", "7"), "ticket", "update", "", status="Новая")
CHANGES = [("2026-03-13 10:00", "Новая"), ("2026-03-13 12:00", "Обратная связь"),
           ("2026-03-16 10:30", "Новая"), ("2026-03-16 11:00", "Обратная связь"),
           ("2026-03-16 15:00", "Новая")]
# used: Friday 10:00–12:00 and Monday 10:30–11:00, 2:30 of 8:00; 5:30 left from Monday 15:00
# — 2:00 on Monday, 3:30 on Tuesday from 08:00
DUE_AFTER_CHANGES = "17.03.2026 11:30"


def local(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SIMFEROPOL).timestamp()


def delivered(policy: SlaPolicy, changes: list[tuple[str, str]]) -> Clock:
    """The clock after the changes were delivered in this order, each learned as it came."""
    clock: Clock | None = None
    for n, (when, status) in enumerate(changes):
        clock = observe(policy, clock, replace(REQUEST, status=status), local(when), float(n))
    assert clock is not None
    return clock


def run_of(clock: Clock) -> tuple[object, ...]:
    """All a clock says of the ticket (not when the connector learned it)."""
    return (clock.state, clock.started_at, clock.paused_at, clock.pauses, clock.stopped_at,
            [(o.at, o.held) for o in clock.seen])


@pytest.mark.parametrize("order", [pytest.param(p, id="-".join(str(i + 1) for i in p))
                                   for p in itertools.permutations(range(len(CHANGES)))])
def test_every_delivery_order_of_a_handful_of_changes_gives_the_same_clock(
        order: tuple[int, ...]) -> None:
    clock = delivered(INTAKE, [CHANGES[i] for i in order])

    assert run_of(clock) == run_of(delivered(INTAKE, CHANGES))
    due_at = due(clock, SEVASTOPOL, 8 * 3600, 100, local("2026-03-16 15:00"))
    assert due_at is not None
    assert datetime.fromtimestamp(due_at, SIMFEROPOL).strftime("%d.%m.%Y %H:%M") == \
        DUE_AFTER_CHANGES


# Every condition a policy has, reset too: `reopened` starts the clock again from zero.
EVERY = SlaPolicy(name="every", title="Все условия", target_hours=8,
                  start=When(status=["open", "reopened"]), pause=When(status=["waiting"]),
                  stop=When(status=["done"]), cancel=When(status=["void"]),
                  reset=When(status=["reopened"]), thresholds=[Threshold(at=100)])
STATUSES = ["open", "waiting", "done", "void", "reopened", "other"]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A ticket's changes at distinct minutes, and the same changes in a delivery order."""
    minutes = draw(st.lists(st.integers(0, 60 * 24 * 7), min_size=1, max_size=8, unique=True))
    changes = [((datetime(2026, 3, 13, tzinfo=SIMFEROPOL) + timedelta(minutes=m))
                .replace(tzinfo=None).isoformat(" "), draw(st.sampled_from(STATUSES)))
               for m in sorted(minutes)]
    return changes, draw(st.permutations(changes))


@settings(max_examples=300, deadline=None)
@given(histories())
def test_any_delivery_order_gives_the_clock_the_changes_in_order_give(
        history: tuple[list[tuple[str, str]], list[tuple[str, str]]]) -> None:
    in_order, shuffled = history
    run: Clock | None = None  # the state machine alone, fed in the tracker's order
    for when, status in in_order:
        run = advance(run, holding(EVERY, replace(REQUEST, status=status)), local(when))

    clock = delivered(EVERY, shuffled)

    assert run_of(clock) == run_of(delivered(EVERY, in_order))
    assert run_of(clock)[:5] == (run_of(run)[:5] if run is not None else
                                 ("idle", 0.0, None, [], None))
