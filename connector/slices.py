"""The worker's writes cut into short transactions: on SQLite one writer holds the file at a
time, and a webhook's insert waits behind whatever the worker is committing — a whole batch of
events with their SLA hooks took 100–200 ms; a slice takes about WRITE_SLICE."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy.engine import Engine

T = TypeVar("T")

WRITE_SLICE = 0.008  # seconds a worker's write transaction aims at (an ack's wait behind it)
FIRST_GUESS = 0.002  # seconds per item before any was measured
LEARN = 0.3  # weight of the newest measurement in the running estimate


class Slicer:
    """Cuts a list of writes into pieces of about `budget` seconds each, learning an item's cost
    from the pieces written (one estimate per kind of write; lanes share it — a lost update of
    a float between threads only delays the learning)."""

    def __init__(self, budget: float = WRITE_SLICE, first_guess: float = FIRST_GUESS,
                 timer: Callable[[], float] = time.perf_counter) -> None:
        self.budget, self.per_item, self.timer = budget, first_guess, timer

    def pieces(self, engine: Engine, items: Sequence[T],
               busy: Callable[[], bool] = lambda: True) -> Iterator[Sequence[T]]:
        """Each piece is written (in its own transaction) by the caller before the next is
        asked for. While webhooks are not arriving (`busy`: a burst now), or on PostgreSQL,
        which locks rows, not the database, the rest goes in one piece: a backlog drains at
        a commit per batch."""
        i = 0
        while i < len(items):
            if engine.dialect.name != "sqlite" or not busy():
                yield items[i:]
                return
            n = max(1, int(self.budget / self.per_item))
            piece = items[i:i + n]
            started = self.timer()
            yield piece
            cost = (self.timer() - started) / len(piece)
            self.per_item = max(1e-5, (1 - LEARN) * self.per_item + LEARN * cost)
            i += n
