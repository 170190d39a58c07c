"""Sevastopol §4.6, L2: «сроки решения устанавливаются согласно требованиям текущих
государственных контрактов». One clock per priority (§4.10) from the escalation to 2 ЛТП
(Линия: L2) to «Решена», in the `sevastopol` calendar (08:00–17:00, the Russian production
calendar). The shipped hours are examples the mapping marks as the contract's to set; these
tests walk the calendar with them: the business clock frozen and moved past each due time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from connector.clock import FakeClock
from connector.core import Connector
from connector.events import TicketEvent, TicketRef
from connector.features.sla.flows import on_ticket, tick
from connector.outbox_dispatch import dispatch_outbox
from connector.store.schema import sla_clocks
from tests.standins.mantis import StandInMantis

SEV = ZoneInfo("Europe/Simferopol")
FRIDAY_15 = datetime(2026, 3, 6, 15, 0, tzinfo=SEV)  # then a weekend and 9 March (8 March moved)
REF = TicketRef("mantis", "1", "42")

# priority (Mantis) → policy, its example hours, and when it falls due after Fri 15:00
DEADLINES = [
    ("immediate", "l2_immediate", 4, datetime(2026, 3, 10, 10, 0, tzinfo=SEV)),
    ("high", "l2_high", 8, datetime(2026, 3, 10, 14, 0, tzinfo=SEV)),
    ("normal", "l2_normal", 27, datetime(2026, 3, 12, 15, 0, tzinfo=SEV)),
    ("low", "l2_low", 45, datetime(2026, 3, 16, 15, 0, tzinfo=SEV)),
]


def escalated(priority: str, at: datetime) -> TicketEvent:
    """The request handed to 2 ЛТП (the custom field Линия: L2) at `at`, as Mantis sends it."""
    return TicketEvent(REF, "ticket", "update", "l1-petrov", status="assigned",
                       priority=priority, fields={"Линия": "L2", "severity": "major"},
                       updated_at=at.astimezone(ZoneInfo("UTC")).isoformat())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FRIDAY_15.timestamp())


@pytest.fixture
def c(db_url: str, standin_mantis: StandInMantis, clock: FakeClock,
      make_connector: Callable[..., Connector]) -> Connector:
    standin_mantis.add_issue(42, summary="Не формируется реестр", severity="major")
    return make_connector(db_url, mantis=standin_mantis, clock=clock)


def breaches(mantis: StandInMantis, policy_title: str) -> list[str]:
    return [n["text"] for n in mantis.issue(42).get("notes", [])
            if policy_title in n["text"] and "100%" in n["text"]]


def started(c: Connector) -> dict[str, str]:
    with c.engine.connect() as conn:
        return {r.policy: r.state for r in conn.execute(
            select(sla_clocks).where(sla_clocks.c.policy.like("l2_%")))}


@pytest.mark.parametrize(("priority", "policy", "hours", "due"), DEADLINES,
                         ids=[d[1] for d in DEADLINES])
def test_section_4_6_l2_deadline_per_priority_walks_the_calendar(
        c: Connector, clock: FakeClock, standin_mantis: StandInMantis, priority: str,
        policy: str, hours: int, due: datetime) -> None:
    """§4.6 + §4.10: escalated on Friday 15:00, the priority's clock alone runs and its
    breach lands once, at the working hour the contract's term runs out — not before."""
    with c.engine.begin() as conn:
        on_ticket(c, conn, escalated(priority, FRIDAY_15))
    assert started(c) == {policy: "running"}
    [mapped] = [p for p in c.mappings.get("sevastopol-miac").sla if p.name == policy]
    assert mapped.target_hours == hours

    clock.set(due.timestamp() - 60)
    tick(c)
    dispatch_outbox(c)
    assert breaches(standin_mantis, mapped.title) == []
    clock.set(due.timestamp() + 60)
    tick(c)
    tick(c)
    dispatch_outbox(c)
    [breach] = breaches(standin_mantis, mapped.title)
    assert due.strftime("%d.%m.%Y %H:%M") in breach


def test_section_4_6_resolved_in_time_fires_nothing(
        c: Connector, clock: FakeClock, standin_mantis: StandInMantis) -> None:
    """§4.6: L2 resolving before the term stops the clock: no breach."""
    request = escalated("high", FRIDAY_15)
    with c.engine.begin() as conn:
        on_ticket(c, conn, request)
        on_ticket(c, conn, replace(request, status="resolved",
                                   updated_at="2026-03-10T07:00:00+00:00"))
    assert started(c) == {"l2_high": "met"}
    clock.set(datetime(2026, 3, 20, 12, 0, tzinfo=SEV).timestamp())
    tick(c)
    dispatch_outbox(c)
    assert standin_mantis.issue(42).get("notes", []) == []


def test_section_4_10_a_priority_changed_on_l2_starts_that_priority_clock(
        c: Connector) -> None:
    """§4.5/§4.10: L1 lowers the priority while L2 works: the old priority's clock is
    cancelled, the new one's runs from the change."""
    request = escalated("high", FRIDAY_15)
    with c.engine.begin() as conn:
        on_ticket(c, conn, request)
        on_ticket(c, conn, replace(request, priority="normal",
                                   updated_at="2026-03-06T12:30:00+00:00"))
    assert started(c) == {"l2_high": "cancelled", "l2_normal": "running"}
