"""The worker's lanes: woken as often as events arrive, they log nothing about it, give way to
receivers answering requests, and stop cleanly."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pytest

from connector.core import Connector
from connector.runner import MAX_REST, Pace, Runner


def test_waking_the_lanes_a_thousand_times_logs_no_warning(
    sqlite_url: str, make_connector: Callable[..., Connector], caplog: pytest.LogCaptureFixture
) -> None:
    c = make_connector(sqlite_url)
    runner = Runner(c, jobs=False)
    runner.start()
    caplog.clear()  # what building the connector said is not the point here
    try:
        with caplog.at_level(logging.DEBUG):
            for _ in range(1000):
                runner.wake("gitlab")
            time.sleep(0.5)
    finally:
        runner.stop()
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert noisy == []
    assert not any(t.is_alive() for lane in runner.inbox.values() for t in lane.threads)


class RecordingStop(threading.Event):
    """A stop flag that records how long the lane asked to rest, without resting."""

    def __init__(self) -> None:
        super().__init__()
        self.rests: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.rests.append(timeout or 0.0)
        return self.is_set()


@pytest.mark.parametrize(("answering", "rests"), [(True, 2), (False, 0)])
def test_work_gives_way_to_receivers_only_while_they_answer(answering: bool, rests: int) -> None:
    stop = RecordingStop()
    pace = Pace(stop, lambda: answering)
    for _ in range(2):
        time.sleep(0.001)  # a piece of work
        assert pace() is False
    assert len(stop.rests) == rests
    assert all(0 < rest <= MAX_REST for rest in stop.rests)


def test_a_stopping_lane_says_so_between_pieces() -> None:
    stop = RecordingStop()
    stop.set()
    assert Pace(stop, lambda: False)() is True


@pytest.mark.parametrize("more", [True, False])
def test_the_outbox_hears_of_new_actions_after_every_batch_of_a_backlog(more: bool) -> None:
    """A backlog's first batch of actions goes out while the next batches are decided: the
    outbox lanes are woken after each batch, not only at the backlog's end."""
    woken: list[int] = []
    pace = Pace(threading.Event(), lambda: False, after=lambda: woken.append(1))

    pace(more=more)

    assert woken == [1]
