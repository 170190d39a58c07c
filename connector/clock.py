"""The one clock business time is read from: what the store stamps, leases and retries expire
by, polls look back from, SLA timers will count on. Tests freeze and advance a FakeClock
instead of sleeping. (In-process pacing — lane rests, log rate limits, caches — stays on the
monotonic clock: it is not business time.)"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """Wall-clock seconds since the epoch."""

    def now(self) -> float: ...


class SystemClock:
    """The real time."""

    def now(self) -> float:
        return time.time()


class FakeClock:
    """Time that moves only when told to; safe to read and move from several threads."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._now, self._lock = start, threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move forward (never back) and return the new time."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, when: float) -> None:
        with self._lock:
            if when < self._now:
                raise ValueError("a clock does not go back")
            self._now = when


SYSTEM_CLOCK = SystemClock()
