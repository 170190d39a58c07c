"""One writer at a time on a SQLite file, across the threads of a process and across processes
(`run`'s receivers and its worker, operator commands), each waiter woken the moment it may go."""

from __future__ import annotations

import fcntl
import os
import threading
from typing import IO

from connector.errors import StoreError


class WriterLock:
    """Threads of a process take turns by a lock that wakes the next one at once. Processes take
    turns by flock, which the kernel hands over at once (SQLite's own busy handler sleeps
    1–100 ms between its tries), through a turnstile: a process waits for `<database>.writer`
    while holding `<database>.turn`, so the holder of the writer lock, wanting it again, queues
    behind that waiter instead of taking it back before the waiter is scheduled — a busy worker
    cannot starve the receivers' inserts, nor they the worker."""

    def __init__(self, database: str | None) -> None:
        self.threads = threading.RLock()
        self.base = database if database and database != ":memory:" else None
        self.depth = 0  # changed only by the thread holding `threads`
        self.files: tuple[int, IO[bytes], IO[bytes]] | None = None  # pid, turnstile, writer

    def acquire(self) -> None:
        self.threads.acquire()
        try:
            if self.depth == 0 and self.base is not None:
                self._take()
        except BaseException:
            self.threads.release()
            raise
        self.depth += 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.files is not None:
            fcntl.flock(self.files[2], fcntl.LOCK_UN)
        self.threads.release()

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def _take(self) -> None:
        try:
            _, turn, writer = self._files()
            fcntl.flock(turn, fcntl.LOCK_EX)
            try:
                fcntl.flock(writer, fcntl.LOCK_EX)
            finally:
                fcntl.flock(turn, fcntl.LOCK_UN)
        except OSError as exc:
            raise StoreError(f"cannot lock {self.base}.writer: {exc.strerror or exc}") from exc

    def _files(self) -> tuple[int, IO[bytes], IO[bytes]]:
        """The lock files, opened once per process (a forked child opens its own: flock locks
        belong to the open file, which a fork would share)."""
        if self.files is None or self.files[0] != os.getpid():
            self.files = (os.getpid(), open(f"{self.base}.turn", "a+b"),  # noqa: SIM115
                          open(f"{self.base}.writer", "a+b"))  # noqa: SIM115 - the process's
        return self.files
