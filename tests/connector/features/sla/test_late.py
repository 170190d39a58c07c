"""A threshold fired late says why: the connector was not running when it fell due, or it
learned of the request — or of the change that made it due — only after the due time
(issue 17, item 9). Sevastopol's intake on the stand-in Mantis: 8 working hours, 08:00–17:00."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from connector.clock import FakeClock
from connector.core import Connector
from connector.events import TicketEvent, TicketRef
from connector.features.sla.flows import on_ticket, tick
from connector.outbox_dispatch import dispatch_outbox
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis

SIMFEROPOL = ZoneInfo("Europe/Simferopol")
REQUEST = TicketEvent(TicketRef("mantis", "1", "7"), "ticket", "update", "ivanova",
                      status="new")
NOT_RUNNING = "бот поддержки не работал, когда наступил срок 16.03.2026 16:30 MSK"
UNKNOWN_TICKET = "срок 16.03.2026 16:30 MSK наступил до того, как бот поддержки узнал о заявке"
UNKNOWN_CHANGE = ("срок 16.03.2026 16:30 MSK наступил до того, как бот поддержки узнал "
                  "об изменении заявки")


def local(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SIMFEROPOL).timestamp()


def utc(text: str) -> str:
    return datetime.fromtimestamp(local(text), ZoneInfo("UTC")).strftime(
        "%Y-%m-%dT%H:%M:%S.000000Z")


# (when the connector learned it, when the tracker changed it, status); the request is due
# Monday 16:30 (2 working hours on Friday, 6 from Monday 10:30)
CHANGES = [("2026-03-13 10:00", "new"), ("2026-03-13 12:00", "feedback"),
           ("2026-03-16 10:30", "new")]


@pytest.mark.parametrize(("learned", "tick_at", "says"), [
    pytest.param(["2026-03-13 10:01", "2026-03-13 12:01", "2026-03-16 10:31"],
                 "2026-03-16 18:00", NOT_RUNNING, id="known in time, the connector down"),
    pytest.param(["2026-03-16 17:00"] * 3, "2026-03-16 17:00", UNKNOWN_TICKET,
                 id="the request first seen past its due time"),
    pytest.param(["2026-03-13 10:01", "2026-03-13 12:01", "2026-03-16 17:00"],
                 "2026-03-16 17:00", UNKNOWN_CHANGE,
                 id="the applicant's answer reached the connector past the due time"),
])
def test_a_breach_marked_late_says_why(
        sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
        make_connector: Callable[..., Connector], learned: list[str], tick_at: str,
        says: str) -> None:
    standin_mantis.add_issue(7, status="new", reporter="ivanova")
    clock = FakeClock(local(learned[0]))
    c = make_connector(sqlite_url, standin_gitlab, mantis=standin_mantis, clock=clock)
    for (at, status), now in zip(CHANGES, learned, strict=True):
        clock.set(local(now))
        with c.engine.begin() as conn:
            on_ticket(c, conn, replace(REQUEST, status=status, updated_at=utc(at)))

    clock.set(local(tick_at))
    tick(c)
    dispatch_outbox(c)

    [breach] = [n["text"] for n in standin_mantis.issue(7)["notes"] if "100%" in n["text"]]
    assert says in breach
    assert "срок — 16.03.2026 16:30 MSK" in breach and "рабочего времени" in breach


def test_a_breach_in_time_is_not_marked_late(
        sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
        make_connector: Callable[..., Connector]) -> None:
    standin_mantis.add_issue(7, status="new", reporter="ivanova")
    clock = FakeClock(local("2026-03-13 10:01"))
    c = make_connector(sqlite_url, standin_gitlab, mantis=standin_mantis, clock=clock)
    with c.engine.begin() as conn:
        on_ticket(c, conn, replace(REQUEST, updated_at=utc("2026-03-13 10:00")))

    clock.set(local("2026-03-16 09:00") + 30)  # Friday's 7 hours and Monday's first
    tick(c)
    dispatch_outbox(c)

    [breach] = [n["text"] for n in standin_mantis.issue(7)["notes"] if "100%" in n["text"]]
    assert "16.03.2026 09:00 MSK" in breach and "опозданием" not in breach
