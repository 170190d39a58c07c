"""Circuit breakers per target: a service failing again and again is left alone for a while,
so its own work waits and nobody else's does."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

OPEN_AFTER = 3  # failures in a row
FIRST_PAUSE, LONGEST_PAUSE = 5.0, 60.0  # seconds; doubled for every further failure


@dataclass
class _State:
    failures: int = 0
    until: float = 0.0  # monotonic time the circuit stays open until


class Circuits:
    """Consecutive failures per target (a tracker, a chat). Open: callers skip the target
    until the pause is over; then one try (half-open) closes it or opens it for longer."""

    def __init__(self, changed: Callable[[str, bool], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, _State] = {}
        self._changed = changed  # told (target, is_open) when a circuit opens or closes

    def failed(self, target: str) -> None:
        with self._lock:
            state = self._states.setdefault(target, _State())
            state.failures += 1
            if state.failures >= OPEN_AFTER:
                pause = min(LONGEST_PAUSE, FIRST_PAUSE * 2 ** (state.failures - OPEN_AFTER))
                state.until = time.monotonic() + pause
            opened = state.failures == OPEN_AFTER
        if opened and self._changed is not None:
            self._changed(target, True)

    def succeeded(self, target: str) -> None:
        with self._lock:
            state = self._states.pop(target, None)
        if state is not None and state.failures >= OPEN_AFTER and self._changed is not None:
            self._changed(target, False)

    def pause_left(self, target: str) -> float:
        """Seconds the target is still left alone; 0 when it may be tried."""
        with self._lock:
            state = self._states.get(target)
            return max(0.0, state.until - time.monotonic()) if state else 0.0

    def is_open(self, target: str) -> bool:
        return self.pause_left(target) > 0

    def on_trial(self, target: str) -> bool:
        """Its pause is over but it has not worked since: try one thing, not a batch."""
        with self._lock:
            state = self._states.get(target)
            return state is not None and state.failures >= OPEN_AFTER
