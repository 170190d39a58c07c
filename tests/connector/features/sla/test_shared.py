"""A ticket's observations are kept once for all its policies: an event writes the ticket's
history row and only the clocks whose run changed; a policy never started has no row; each
policy still orders changes of one second as a ticket's life goes, and its clock is the one it
would have alone, whatever the delivery order — folding beyond KEEP too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from connector.clock import FakeClock
from connector.core import Connector
from connector.events import TicketEvent, TicketRef
from connector.features.sla import history, store
from connector.features.sla.clocks import Clock, holding
from connector.features.sla.commands import describe
from connector.features.sla.flows import on_ticket
from connector.features.sla.history import Ticket, observe, place
from connector.features.sla.models import SlaPolicy, Threshold, When
from connector.store.schema import sla_clocks
from tests.connector.features.sla.label_clocks import label_clock_mappings
from tests.standins.gitlab import StandInGitLab

MINSK = ZoneInfo("Europe/Minsk")
OPENED = datetime(2026, 3, 6, 10, 0, tzinfo=MINSK).timestamp()
ISSUE = TicketEvent(TicketRef("gitlab", "1", "23"), "ticket", "update", "", state="opened",
                    labels=("API",))


def stamp(minutes: float) -> str:
    """The tracker's time `minutes` after the issue was opened."""
    return datetime.fromtimestamp(OPENED + minutes * 60, ZoneInfo("UTC")).strftime(
        "%Y-%m-%dT%H:%M:%S.000000Z")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPENED + 60)


@pytest.fixture
def c(db_url: str, standin_gitlab: StandInGitLab, clock: FakeClock, tmp_path: Path,
      make_connector: Callable[..., Connector]) -> Connector:
    return make_connector(db_url, standin_gitlab, clock=clock,
                          mappings_dir=label_clock_mappings(tmp_path / "mappings"))


def deliver(c: Connector, minutes: float, **change: object) -> None:
    with c.engine.begin() as conn:
        on_ticket(c, conn, replace(ISSUE, updated_at=stamp(minutes), **change))


def stored(c: Connector) -> dict[str, tuple[str, float]]:
    """policy → (state, updated_at) of each row of the ticket."""
    with c.engine.connect() as conn:
        return {r.policy: (r.state, r.updated_at) for r in conn.execute(select(sla_clocks))}


def test_an_event_writes_the_history_and_only_the_clocks_it_moves(
        c: Connector, clock: FakeClock) -> None:
    """Belarus has four policies; a new issue starts triage alone."""
    deliver(c, 0)
    first = stored(c)
    assert sorted(first) == ["triage", "~"]  # the outage norms and the report: no row

    clock.advance(60)
    deliver(c, 1, title="renamed")  # triage runs on as it did: its row is not written
    clock.advance(60)
    deliver(c, 2, labels=("API", "Сбой: диагностика"))  # a norm starts: its row, now

    rows = stored(c)
    assert rows["triage"] == first["triage"]
    assert rows["~"][1] == rows["outage_diagnosing"][1] == OPENED + 180
    assert sorted(rows) == ["outage_diagnosing", "triage", "~"]


# Two policies reading the same two changes of one second in opposite orders: for `intake` the
# request arrives and is paused; for `review` it is the pause that starts it and the arrival
# that stops it.
INTAKE = SlaPolicy(name="intake", title="Приём", target_hours=8, start=When(status=["new"]),
                   pause=When(status=["feedback"]), stop=When(status=["done"]),
                   thresholds=[Threshold(at=100)])
REVIEW = SlaPolicy(name="review", title="Рассмотрение", target_hours=8,
                   start=When(status=["feedback"]), stop=When(status=["new"]),
                   thresholds=[Threshold(at=100)])
POLICIES = [INTAKE, REVIEW]
REQUEST = TicketEvent(TicketRef("mantis", "1", "7"), "ticket", "update", "", status="new")


def shared(changes: list[tuple[float, str]]) -> Ticket:
    """One ticket holding both policies, the changes delivered in this order."""
    ticket = Ticket()
    for n, (at, status) in enumerate(changes):
        event = replace(REQUEST, status=status)
        place(ticket, {p.name: holding(p, event) for p in POLICIES
                       if not history.too_old(ticket.base(p.name), at)}, at, float(n))
    return ticket


def alone(policy: SlaPolicy, changes: list[tuple[float, str]]) -> Clock:
    """The policy's clock kept on its own, the changes delivered in this order."""
    clock: Clock | None = None
    for n, (at, status) in enumerate(changes):
        clock = observe(policy, clock, replace(REQUEST, status=status), at, float(n))
    assert clock is not None
    return clock


def run_of(clock: Clock) -> tuple[object, ...]:
    return (clock.state, clock.started_at, clock.paused_at, clock.pauses, clock.stopped_at,
            [(o.at, o.held) for o in clock.seen], clock.base)


@pytest.mark.parametrize("order", [[0, 1], [1, 0]], ids=["new first", "feedback first"])
def test_each_policy_orders_changes_of_one_second_as_its_life_goes(order: list[int]) -> None:
    changes = [(OPENED, "new"), (OPENED, "feedback")]

    ticket = shared([changes[i] for i in order])

    intake, review = ticket.clock("intake"), ticket.clock("review")
    assert (intake.state, intake.paused_at) == ("paused", OPENED)
    assert (review.state, review.started_at, review.stopped_at) == ("met", OPENED, OPENED)


STATUSES = ["new", "feedback", "done", "other"]


@st.composite
def deliveries(draw: st.DrawFn, distinct: bool) -> list[tuple[float, str]]:
    """A ticket's changes (at whole minutes; some in one second unless `distinct`), in a
    delivery order."""
    minutes = st.integers(0, 60 * 24)
    times = draw(st.lists(minutes, min_size=1, max_size=10, unique=distinct))
    return draw(st.permutations([(OPENED + m * 60, draw(st.sampled_from(STATUSES)))
                                 for m in times]))


@settings(max_examples=200, deadline=None)
@given(deliveries(distinct=False))
def test_a_shared_history_gives_each_policy_the_clock_it_has_alone(
        changes: list[tuple[float, str]]) -> None:
    ticket = shared(changes)

    for policy in POLICIES:
        assert run_of(ticket.clock(policy.name)) == run_of(alone(policy, changes))
        assert run_of(ticket.clock(policy.name))[:6] == run_of(alone(policy, sorted(changes)))[:6]


@settings(max_examples=200, deadline=None)
@given(deliveries(distinct=True))
def test_folding_beyond_keep_gives_each_policy_the_clock_it_has_alone(
        changes: list[tuple[float, str]]) -> None:
    keep, history.KEEP = history.KEEP, 3
    try:
        ticket = shared(changes)
        for policy in POLICIES:
            assert run_of(ticket.clock(policy.name)) == run_of(alone(policy, changes))
            assert len(ticket.history.seen) <= 3
            assert (policy.name in ticket.clocks) == (ticket.clock(policy.name).state != "idle")
    finally:
        history.KEEP = keep


def test_folded_changes_go_into_each_policys_base(
        c: Connector, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """KEEP 2: opened, a norm started and stopped, triaged — the two oldest fold: into the
    rows of the clocks that run, into the history for the policies never started."""
    monkeypatch.setattr(history, "KEEP", 2)
    deliver(c, 0)
    deliver(c, 30, labels=("API", "Сбой: диагностика"))
    deliver(c, 60)
    deliver(c, 80, labels=("API", "Priority: High"), assignees=("ivanova",))

    with c.engine.connect() as conn:
        ticket = store.load(conn, "gitlab:1#23")
        shown = "\n".join(describe(c, row, store.history_of(conn, row.ticket))
                          for row in store.find(conn, "gitlab", "23"))
    assert [e[0] for e in ticket.history.seen] == [OPENED + 3600, OPENED + 4800]
    assert sorted(ticket.clocks) == ["outage_diagnosing", "triage"]
    assert ticket.clocks["triage"].base == history.Base(Clock("running", OPENED),
                                                        OPENED + 1800, OPENED + 60)
    assert set(ticket.history.idle) == {"outage_fixing", "outage_report"}
    assert ticket.clock("triage").state == "met"
    assert shown.count("before that: changes up to 06.03.2026 10:30") == 2

    deliver(c, 10, labels=("API", "Сбой: устранение"))  # older than the folded part
    with c.engine.connect() as conn:
        assert store.load(conn, "gitlab:1#23") == ticket
