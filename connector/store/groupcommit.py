"""Group commit for the receivers: inserts that arrive while a commit is under way are written
together in the next transaction, so many acknowledgements share one flush to disk.

Each request still answers only after its own rows are committed; under light load a batch is
one request and nothing waits. A failed batch of several requests is retried one request at a
time, so one request's failure is never another's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from connector.errors import StoreError

T = TypeVar("T")
R = TypeVar("R")
MAX_BATCH = 256  # requests in one transaction: bounds the leader's extra wait


class _Job(Generic[T, R]):
    __slots__ = ("error", "item", "result", "state", "turn")

    def __init__(self, item: T) -> None:
        self.item = item
        self.result: R | None = None
        self.error: BaseException | None = None
        self.state = "queued"  # → "leading" (write the next batch) → "done"
        self.turn = threading.Event()  # set when the state changes from "queued"


class GroupCommit(Generic[T, R]):
    """Runs `write(items)` (one transaction, one result per item, in order) for everything
    queued, one batch at a time; the thread of the oldest queued request does the writing."""

    def __init__(self, write: Callable[[list[T]], list[R]]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._queue: list[_Job[T, R]] = []
        self._leading = False

    def submit(self, item: T) -> R:
        """Write `item` (with whatever else is queued) and return its result once committed;
        raises what writing it raised."""
        job: _Job[T, R] = _Job(item)
        with self._lock:
            self._queue.append(job)
            if not self._leading:
                self._leading, job.state = True, "leading"
        if job.state == "queued":
            job.turn.wait()
        if job.state == "leading":
            self._lead()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def _lead(self) -> None:
        """Write one batch (which holds the leader's own job), then pass the lead on."""
        with self._lock:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        try:
            self._write_batch(batch)
        finally:
            for job in batch:
                if job.result is None and job.error is None:
                    job.error = StoreError("the write was interrupted")
                job.state = "done"
                job.turn.set()
            with self._lock:
                successor = self._queue[0] if self._queue else None
                self._leading = successor is not None
                if successor is not None:
                    successor.state = "leading"
            if successor is not None:
                successor.turn.set()

    def _write_batch(self, batch: list[_Job[T, R]]) -> None:
        try:
            results = self._write([job.item for job in batch])
        except Exception as exc:  # handed to the request's own thread, which answers it
            if len(batch) == 1:
                batch[0].error = exc
                return
            for job in batch:  # one request's fault must not be the others'
                self._write_batch([job])
            return
        for job, result in zip(batch, results, strict=True):
            job.result = result
