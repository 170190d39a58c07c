"""A clock's history: thresholds fired stay fired for the same run, a reset fires afresh, the
history is bounded, and a late threshold knows why (clocks stored before it was kept:
test_upgrade.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from connector.events import TicketEvent, TicketRef
from connector.features.sla import history
from connector.features.sla.clocks import Clock, WallClock, advance, holding
from connector.features.sla.history import lateness, observe, too_old
from connector.features.sla.models import SlaPolicy, Threshold, When

SIMFEROPOL = ZoneInfo("Europe/Simferopol")
H = 3600.0
POLICY = SlaPolicy(name="every", title="Все условия", target_hours=8,
                   start=When(status=["open", "reopened"]), pause=When(status=["waiting"]),
                   stop=When(status=["done"]), cancel=When(status=["void"]),
                   reset=When(status=["reopened"]),
                   thresholds=[Threshold(at=50), Threshold(at=100)])
TICKET = TicketEvent(TicketRef("mantis", "1", "7"), "ticket", "update", "", status="open")
T0 = datetime(2026, 3, 16, 9, 0, tzinfo=SIMFEROPOL).timestamp()


def seen(clock: Clock | None, hour: float, status: str, learned: float | None = None) -> Clock:
    """`status` at T0 + `hour` hours, learned then unless told otherwise."""
    at = T0 + hour * H
    return observe(POLICY, clock, replace(TICKET, status=status), at,
                   at if learned is None else learned)


def test_thresholds_fired_stay_fired_when_a_late_event_moves_the_start_earlier() -> None:
    clock = seen(None, 2, "open")
    clock.fired = [50]

    earlier = seen(clock, 0, "open")

    assert (earlier.started_at, earlier.fired) == (T0, [50])


def test_a_reset_placed_after_the_run_began_fires_afresh() -> None:
    clock = seen(seen(None, 0, "open"), 5, "other")
    clock.fired = [50]

    reset = seen(clock, 1, "reopened")  # delivered late

    assert (reset.started_at, reset.fired) == (T0 + H, [])


def test_a_long_history_keeps_its_newest_changes_and_folds_the_oldest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "KEEP", 4)
    statuses = ["open", "waiting", "other", "waiting", "other", "waiting", "other"]
    clock: Clock | None = None
    run: Clock | None = None
    for hour, status in enumerate(statuses):
        clock = seen(clock, hour, status)
        run = advance(run, holding(POLICY, replace(TICKET, status=status)), T0 + hour * H)
    assert clock is not None and run is not None

    assert [o.at for o in clock.seen] == [T0 + h * H for h in (3, 4, 5, 6)]
    assert clock.base is not None and clock.base.until == T0 + 2 * H
    assert (clock.state, clock.started_at, clock.pauses) == (run.state, T0, run.pauses)
    # a change among those kept is placed; one older than the folded part cannot be
    assert seen(clock, 3.5, "done").stopped_at == T0 + 3.5 * H
    assert too_old(clock.base, T0 + 1.5 * H) and seen(clock, 1.5, "done") == clock


@pytest.mark.parametrize(("deliveries", "why"), [
    pytest.param([(0, "open", 0)], "down", id="known in time: the connector was not running"),
    pytest.param([(0, "open", 5)], "unknown_ticket", id="the ticket reached it after the due"),
    pytest.param([(0, "open", 0), (1, "waiting", 1), (2, "open", 6)], "unknown_change",
                 id="the resume reached it after the due"),
    pytest.param([(0, "open", 0), (1, "waiting", 1), (2, "open", 2)], "down",
                 id="the resume reached it in time"),
])
def test_a_threshold_fired_late_knows_why(deliveries: list[tuple[float, str, float]],
                                          why: str) -> None:
    """Wall-clock hours; the 50% threshold, 4 hours of running."""
    clock: Clock | None = None
    for hour, status, learned_hour in deliveries:
        clock = seen(clock, hour, status, T0 + learned_hour * H)
    assert clock is not None
    when = T0 + 4 * H + (1 * H if len(deliveries) > 1 else 0)  # the pause took an hour

    assert lateness(clock, WallClock(), 8 * H, 50, when) == why
