"""Business time comes from one injected clock: tests move it instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from connector.clock import FakeClock
from connector.core import Connector
from connector.events import Action, TicketRef
from connector.outbox_dispatch import dispatch_outbox
from connector.store import inbox, outbox
from connector.store.schema import inbox as inbox_table
from tests.standins.gitlab import StandInGitLab


def test_a_fake_clock_moves_only_forward_when_told() -> None:
    clock = FakeClock(1000.0)
    assert clock.now() == clock.now() == 1000.0
    assert clock.advance(2.5) == 1002.5
    clock.set(2000.0)
    assert clock.now() == 2000.0
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="does not go back"):
        clock.set(1999.0)


def test_the_store_stamps_time_from_the_connectors_clock(
        sqlite_url: str, make_connector: Callable[..., Connector]) -> None:
    clock = FakeClock(1_800_000_000.0)
    c = make_connector(sqlite_url, clock=clock)
    with c.engine.begin() as conn:
        inbox.add_event(conn, source="gitlab", dedup_key="k", event_name="Issue Hook",
                        ordering_key="t", payload="{}")
        received = conn.execute(select(inbox_table.c.received_at)).scalar_one()
    assert received == 1_800_000_000.0 and c.clock is clock


def test_a_retry_waits_for_the_clock_not_for_the_wall(
        sqlite_url: str, standin_gitlab: StandInGitLab,
        make_connector: Callable[..., Connector]) -> None:
    """GitLab says 429 with Retry-After: 120; nothing is tried until the clock has moved on."""
    standin_gitlab.add_issue(1, 23, labels=[])
    clock = FakeClock()
    c = make_connector(sqlite_url, standin_gitlab, clock=clock)
    standin_gitlab.fail_next("POST", r"/issues/23/notes$", 429, headers={"Retry-After": "120"})
    with c.engine.begin() as conn:
        outbox.enqueue(conn, Action("add_note", "gitlab", TicketRef("gitlab", "1", "23"),
                                    {"body": "проверка"}, "test"), "key-1")

    dispatch_outbox(c)
    clock.advance(119)
    dispatch_outbox(c)
    assert standin_gitlab.writes("POST", r"/notes$") == []  # the 429 was the only try
    clock.advance(2)
    dispatch_outbox(c)
    assert len(standin_gitlab.writes("POST", r"/notes$")) == 1
    assert len(standin_gitlab.issue(1, 23)["notes"]) == 1
