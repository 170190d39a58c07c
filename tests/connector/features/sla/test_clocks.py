"""A clock follows the ticket: it starts, pauses while the request waits for the applicant,
resumes, stops when the request is taken into work — and its due time is exact."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from connector.events import TicketEvent, TicketRef
from connector.features.sla.clocks import Clock, WallClock, due, elapsed
from connector.features.sla.history import Ticket, observe
from connector.features.sla.shared import Shared
from connector.mappings import load_mappings
from tests.conftest import REPO

MAPPINGS = load_mappings(REPO / "mappings")
INTAKE = MAPPINGS.get("sevastopol-miac").sla[0]
TRIAGE = MAPPINGS.get("belarus-ehr").sla[0]
SEVASTOPOL, BELARUS = MAPPINGS.calendars["sevastopol"], MAPPINGS.calendars["belarus"]
SIMFEROPOL, MINSK = ZoneInfo("Europe/Simferopol"), ZoneInfo("Europe/Minsk")
H = 3600.0
REQUEST = TicketEvent(TicketRef("mantis", "1", "7"), "ticket", "open", "", status="Новая")


def at(text: str, zone: ZoneInfo = SIMFEROPOL) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


def local(instant: float | None, zone: ZoneInfo = SIMFEROPOL) -> str | None:
    return None if instant is None else datetime.fromtimestamp(instant, zone).strftime(
        "%Y-%m-%d %H:%M")


def run(history: list[tuple[str, str]]) -> Clock | None:
    """The intake clock after the request passed through (time, status) in order."""
    clock = None
    for when, status in history:
        clock = observe(INTAKE, clock, replace(REQUEST, status=status), at(when), at(when))
    return clock


@pytest.mark.parametrize(("history", "breach"), [
    pytest.param([("2026-03-02 10:00", "Новая")], "2026-03-03 09:00", id="a working day"),
    pytest.param([("2026-03-06 16:00", "Новая")], "2026-03-10 15:00",
                 id="friday, weekend, 9 march off after women's day"),
    pytest.param([("2026-03-01 22:00", "Новая")], "2026-03-02 16:00", id="arrives sunday night"),
    pytest.param([("2026-03-02 10:00", "Новая"), ("2026-03-02 12:00", "Обратная связь"),
                  ("2026-03-03 10:00", "Новая")], "2026-03-03 16:00",
                 id="paused in feedback, resumed"),
    pytest.param([("2026-03-02 10:00", "Новая"), ("2026-03-02 12:00", "Обратная связь"),
                  ("2026-03-02 12:30", "Новая"), ("2026-03-02 15:00", "Обратная связь"),
                  ("2026-03-04 09:00", "Новая")], "2026-03-04 12:30", id="two pauses"),
])
def test_sevastopol_intake_breach_time(history: list[tuple[str, str]], breach: str) -> None:
    clock = run(history)
    assert clock is not None and clock.state == "running"
    assert local(due(clock, SEVASTOPOL, 8 * H, 100, at(history[-1][0]))) == breach


def test_a_waiting_request_has_no_due_time_and_keeps_its_used_time() -> None:
    clock = run([("2026-03-02 10:00", "Новая"), ("2026-03-02 13:00", "Обратная связь")])
    assert clock is not None and clock.state == "paused"
    assert due(clock, SEVASTOPOL, 8 * H, 100, at("2026-03-05 10:00")) is None
    assert elapsed(clock, SEVASTOPOL, at("2026-03-05 10:00")) == 3 * H


@pytest.mark.parametrize("taken", ["Рассматривается", "Назначена", "Закрыта"])
def test_taking_the_request_into_work_stops_the_clock(taken: str) -> None:
    clock = run([("2026-03-02 10:00", "Новая"), ("2026-03-02 11:30", taken)])
    assert clock is not None and clock.state == "met"
    assert elapsed(clock, SEVASTOPOL, at("2026-03-09 10:00")) == 1.5 * H
    assert due(clock, SEVASTOPOL, 8 * H, 100, at("2026-03-02 11:30")) is None
    # later changes do not restart a settled clock
    back = at("2026-03-03 10:00")
    again = observe(INTAKE, clock, replace(REQUEST, status="Новая"), back, back)
    assert again is not None and again.state == "met"


def test_a_request_arriving_in_another_status_starts_no_clock() -> None:
    clock = run([("2026-03-02 10:00", "Назначена")])
    assert clock is not None and clock.state == "idle"  # kept for a start delivered late
    assert due(clock, SEVASTOPOL, 8 * H, 100, at("2026-03-05 10:00")) is None


ISSUE = TicketEvent(TicketRef("gitlab", "1", "23"), "ticket", "open", "", state="opened")


@pytest.mark.parametrize(("change", "state"), [
    ({"labels": ("Priority: High",), "assignees": ("ivanova",)}, "met"),
    ({"labels": ("Priority: High",)}, "running"),  # no responsible L1 yet
    ({"assignees": ("ivanova",)}, "running"),  # no priority label yet
    ({"state": "closed"}, "cancelled"),
])
def test_belarus_triage_needs_both_a_priority_and_a_responsible(
        change: dict[str, object], state: str) -> None:
    opened, changed = at("2026-03-06 15:00", MINSK), at("2026-03-06 15:30", MINSK)
    started = observe(TRIAGE, None, ISSUE, opened, opened)
    assert local(due(started, BELARUS, 4 * H, 100, 0), MINSK) == "2026-03-09 11:15"
    after = observe(TRIAGE, started, replace(ISSUE, **change), changed, changed)
    assert after.state == state


def test_a_wall_clock_target_counts_every_second() -> None:
    clock = Clock("running", 1000.0, pauses=[(1100.0, 1200.0)])
    assert elapsed(clock, WallClock(), 1500.0) == 400.0
    assert due(clock, WallClock(), 1000.0, 100, 1500.0) == 2100.0


def test_a_clock_survives_the_store_its_observations_in_the_tickets_history() -> None:
    clock = run([("2026-03-02 10:00", "Новая"), ("2026-03-02 12:00", "Обратная связь"),
                 ("2026-03-03 10:00", "Новая")])
    assert clock is not None and len(clock.seen) == 3
    assert Clock.from_json(clock.to_json()) == replace(clock, seen=[])  # the row: no history
    history = Ticket.alone(INTAKE.name, clock).history
    assert Shared.from_json(history.to_json()).view(INTAKE.name) == clock.seen
