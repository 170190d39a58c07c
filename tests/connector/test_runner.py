"""The worker's lanes: woken as often as events arrive, they log nothing about it, and stop
cleanly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest

from connector.core import Connector
from connector.runner import Runner


def test_waking_the_lanes_a_thousand_times_logs_no_warning(
    sqlite_url: str, make_connector: Callable[..., Connector], caplog: pytest.LogCaptureFixture
) -> None:
    c = make_connector(sqlite_url)
    runner = Runner(c, reconcile=False)
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
