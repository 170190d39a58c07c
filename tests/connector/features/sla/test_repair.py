"""Repair: a clock recomputed from Mantis' own history equals the clock live events built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import select

from connector.cli import main
from connector.clock import FakeClock
from connector.core import Connector
from connector.errors import PermanentActionError
from connector.events import TicketEvent, TicketRef
from connector.features.sla.clocks import Clock
from connector.features.sla.flows import on_ticket
from connector.features.sla.repair import repair
from connector.store.schema import sla_clocks
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.znuny import StandInZnuny

# Moscow time = UTC+3 (Sevastopol's zone too): 10:00, 12:00 and next day 10:00 local.
HISTORY = [("2026-03-02T07:00:00Z", "new"), ("2026-03-02T09:00:00Z", "feedback"),
           ("2026-03-03T07:00:00Z", "new")]
REF = TicketRef("mantis", "1", "7")


@pytest.fixture
def c(sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
      make_connector: Callable[..., Connector]) -> Connector:
    return make_connector(sqlite_url, standin_gitlab, mantis=standin_mantis,
                          clock=FakeClock(1_772_600_000.0))  # 2026-03-04, after it all


def stored(c: Connector, policy: str = "intake") -> Clock:
    with c.engine.connect() as conn:
        return Clock.from_json(conn.execute(select(sla_clocks.c.clock).where(
            sla_clocks.c.policy == policy)).scalar_one())


def test_repair_from_history_gives_the_clock_live_events_gave(
        c: Connector, standin_mantis: StandInMantis) -> None:
    event = TicketEvent(REF, "ticket", "update", "", status="new")
    with c.engine.begin() as conn:
        for at, status in HISTORY:
            on_ticket(c, conn, replace(event, status=status,
                                       updated_at=at.replace("Z", ".000000Z")))
    live = stored(c)

    standin_mantis.add_issue(7, status="new", updated_at=HISTORY[0][0])
    for at, status in HISTORY[1:]:
        standin_mantis.change_status(7, status, at)
    with c.engine.begin() as conn:
        conn.execute(sla_clocks.delete())
    repaired = repair(c, REF)["intake"]

    assert (repaired.state, repaired.started_at, repaired.pauses) == (
        live.state, live.started_at, live.pauses)
    assert stored(c).pauses == live.pauses


def test_repair_keeps_what_the_connector_knew_and_fired_in_the_same_run(
        c: Connector, standin_mantis: StandInMantis) -> None:
    """The webhook of the applicant's answer was lost; repair adds it from Mantis' history.
    The changes seen live keep the time the connector learned of them; 75 % fired in this
    run is not sent again, even with --fire-missed."""
    event = TicketEvent(REF, "ticket", "update", "", status="new")
    with c.engine.begin() as conn:
        for at, status in HISTORY[:2]:
            on_ticket(c, conn, replace(event, status=status,
                                       updated_at=at.replace("Z", ".000000Z")))
    fired = replace(stored(c), fired=[75]).to_json()
    with c.engine.begin() as conn:
        conn.execute(sla_clocks.update().where(sla_clocks.c.policy == "intake")
                     .values(clock=fired, level=75))
    learned_live = c.clock.now()
    standin_mantis.add_issue(7, status="new", updated_at=HISTORY[0][0])
    for at, status in HISTORY[1:]:
        standin_mantis.change_status(7, status, at)
    clock = c.clock
    assert isinstance(clock, FakeClock)
    clock.advance(3600)

    repaired = repair(c, REF, fire_missed=True)["intake"]

    assert (repaired.state, repaired.fired) == ("running", [75])
    assert [o.learned for o in repaired.seen] == [learned_live, learned_live, clock.now()]


def test_repair_and_show_from_the_command_line(
        c: Connector, standin_mantis: StandInMantis, tmp_path: object,
        write_config: Callable[..., object], capsys: pytest.CaptureFixture[str],
        sqlite_url: str, standin_gitlab: StandInGitLab) -> None:
    standin_mantis.add_issue(7, status="new", updated_at=HISTORY[0][0])
    standin_mantis.change_status(7, "feedback", HISTORY[1][0])
    config = str(write_config(sqlite_url, standin_gitlab, mantis=standin_mantis))

    assert main(["sla", "repair", "--config", config, "--tracker", "mantis", "1#7"]) == 0
    # the request waits in «Обратная связь»: §4.6 paused, the applicant's §2.9 clock running
    assert capsys.readouterr().out.strip() == "mantis:1#7: intake paused, feedback running"
    assert main(["sla", "show", "--config", config, "--tracker", "mantis", "7"]) == 0
    shown = capsys.readouterr().out
    assert "intake: Принятие заявки в работу (п. 4.6)" in shown
    assert "state: paused; started 02.03.2026 10:00" in shown
    assert "elapsed: 2:00 of 8:00 (sevastopol time)" in shown


def test_a_tracker_without_a_history_api_says_so(
        sqlite_url: str, standin_gitlab: StandInGitLab, standin_znuny: StandInZnuny,
        make_connector: Callable[..., Connector]) -> None:
    c = make_connector(sqlite_url, standin_gitlab, otrs=standin_znuny)
    with pytest.raises(PermanentActionError, match="cannot read ticket history"):
        repair(c, TicketRef("otrs", "Support", "1"))


def test_gitlab_repair_from_label_state_and_assignment_events_matches_live(
        sqlite_url: str, standin_gitlab: StandInGitLab,
        make_connector: Callable[..., Connector]) -> None:
    """Belarus triage: opened without a priority at 12:00Z on a Friday, unassigned; assigned at
    13:00Z; «Priority: High» at 14:00Z — the clock met, the same live and repaired."""
    c = make_connector(sqlite_url, standin_gitlab, clock=FakeClock(1_772_900_000.0))
    ref = TicketRef("gitlab", "1", "23")
    opened = TicketEvent(ref, "ticket", "open", "", state="opened", labels=("API",),
                         updated_at="2026-03-06T12:00:00.000000Z")
    with c.engine.begin() as conn:
        on_ticket(c, conn, opened)
        on_ticket(c, conn, replace(opened, assignees=("ivanova",),
                                   updated_at="2026-03-06T13:00:00.000000Z"))
        on_ticket(c, conn, replace(opened, assignees=("ivanova",),
                                   labels=("API", "Priority: High"),
                                   updated_at="2026-03-06T14:00:00.000000Z"))
    live = stored(c, "triage")

    standin_gitlab.add_issue(1, 23, labels=["API"], created_at="2026-03-06T12:00:00Z")
    standin_gitlab.change_at(1, 23, "2026-03-06T13:00:00Z", assignee_ids=[51])
    standin_gitlab.change_at(1, 23, "2026-03-06T14:00:00Z", add=["Priority: High"])
    with c.engine.begin() as conn:
        conn.execute(sla_clocks.delete())
    repaired = repair(c, ref)["triage"]

    assert live.state == "met"
    assert (repaired.state, repaired.started_at, repaired.stopped_at) == (
        live.state, live.started_at, live.stopped_at)
