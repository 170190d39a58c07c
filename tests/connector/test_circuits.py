"""A target failing again and again is left alone for a while (its own work waits), then tried
with one action; one success closes the circuit."""

from __future__ import annotations

import pytest

from connector import circuits
from connector.circuits import Circuits


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(circuits.time, "monotonic", lambda: now[0])
    return now


def test_three_failures_in_a_row_open_the_circuit_for_a_while(clock: list[float]) -> None:
    c = Circuits()
    c.failed("gitlab")
    c.failed("gitlab")
    assert not c.is_open("gitlab")
    c.failed("gitlab")
    assert c.is_open("gitlab") and c.pause_left("gitlab") == 5.0
    assert not c.is_open("slack")  # others are not affected
    clock[0] += 5.0
    assert not c.is_open("gitlab") and c.on_trial("gitlab")


def test_a_failed_trial_pauses_longer_up_to_a_minute(clock: list[float]) -> None:
    c = Circuits()
    pauses = []
    for _ in range(8):
        c.failed("gitlab")
        pauses.append(c.pause_left("gitlab"))
    assert pauses == [0.0, 0.0, 5.0, 10.0, 20.0, 40.0, 60.0, 60.0]


def test_one_success_closes_it(clock: list[float]) -> None:
    c = Circuits()
    for _ in range(4):
        c.failed("gitlab")
    c.succeeded("gitlab")
    assert not c.is_open("gitlab") and not c.on_trial("gitlab")
