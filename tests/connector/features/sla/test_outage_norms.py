"""Per-stage norms of an accident: the stage's label (put on by the outage feature) starts its
clock on the wall clock; moving on stops it; past the norm, a note — once, in wall-clock
words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import select

from connector.clock import FakeClock
from connector.core import Connector
from connector.events import TicketEvent, TicketRef
from connector.features.sla.flows import on_ticket, tick
from connector.outbox_dispatch import dispatch_outbox
from connector.store.schema import sla_clocks
from tests.standins.gitlab import StandInGitLab

T0 = 1_772_700_000.0  # 2026-03-05 08:40 UTC
ISSUE = TicketEvent(TicketRef("gitlab", "1", "23"), "ticket", "update", "helpdesk-bot",
                    state="opened", labels=("Priority: High", "Accident", "Сбой: диагностика"),
                    assignees=("erp-owner",), updated_at="2026-03-05T08:40:00.000000Z")


def test_a_stage_past_its_norm_gets_a_note_and_moving_on_stops_the_clock(
        sqlite_url: str, standin_gitlab: StandInGitLab,
        make_connector: Callable[..., Connector]) -> None:
    standin_gitlab.add_issue(1, 23, labels=list(ISSUE.labels), assignee_ids=[51])
    clock = FakeClock(T0)
    c = make_connector(sqlite_url, standin_gitlab, clock=clock)
    with c.engine.begin() as conn:
        on_ticket(c, conn, ISSUE)
    clock.advance(31 * 60)  # the diagnosing norm is 30 minutes of wall-clock time
    tick(c)
    tick(c)
    dispatch_outbox(c)

    notes = [n["body"] for n in standin_gitlab.issue(1, 23)["notes"] if "⏱" in n["body"]]
    assert len(notes) == 1 and "Норма этапа «Диагностика»" in notes[0]
    assert "(0 ч 30 мин из 0 ч 30 мин)" in notes[0]  # wall-clock time: no «рабочего времени»
    assert "рабочего" not in notes[0]

    moved = replace(ISSUE, labels=("Priority: High", "Accident", "Сбой: устранение"),
                    updated_at="2026-03-05T09:15:00.000000Z")
    with c.engine.begin() as conn:
        on_ticket(c, conn, moved)
        states = dict(conn.execute(select(sla_clocks.c.policy, sla_clocks.c.state)).all())
    assert states["outage_diagnosing"] == "met" and states["outage_fixing"] == "running"
