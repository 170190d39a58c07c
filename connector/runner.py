"""The work of one process: a lane per inbox source and per outbox target, each on its own
threads, and the reconciliation timers. A slow or hung service holds up only its own lane."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from connector.core import Connector
from connector.dispatch import dispatch_outbox
from connector.errors import ActionError
from connector.logs import every_so_often
from connector.pipeline import drain_inbox
from connector.reconcile import reconcile_all

log = logging.getLogger(__name__)

THREADS_PER_TARGET = 2  # two tickets of one service at a time; a ticket's actions stay in order
# Acks come first: while webhooks keep arriving, a lane that did some work gives the
# receivers' threads the interpreter for a moment before it does more.
RECEIVING_WINDOW, YIELD_SECONDS = 0.05, 0.02


class Lane:
    """One kind of work on its own threads: run it until it finds nothing, then wait for a
    wake-up or the poll interval. Several processes may run the same lanes on one store."""

    def __init__(self, name: str, work: Callable[[], int], every: float,
                 stopping: threading.Event, *, threads: int = 1,
                 after: Callable[[], None] | None = None,
                 receiving: Callable[[], bool] = lambda: False) -> None:
        self.name, self.work, self.every, self.after = name, work, every, after
        self.receiving = receiving
        self.stopping, self.wakeup = stopping, threading.Event()
        self.threads = [threading.Thread(target=self._run, name=f"{name}#{i}", daemon=True)
                        for i in range(threads)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def wake(self) -> None:
        self.wakeup.set()

    def join(self, timeout: float) -> None:
        for thread in self.threads:
            thread.join(timeout)

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.wakeup.clear()
            try:
                done = self.work()
            except Exception:  # boundary: a lane never dies; the row it was on is re-leased
                every_so_often(log, f"lane {self.name} failed", exc_info=True)
                done = 0
            if done and self.after is not None:
                self.after()
            if not done:
                self.wakeup.wait(self.every)
            elif self.receiving():
                self.stopping.wait(YIELD_SECONDS)


class Runner:
    """Owns the lanes and timers of one process; several processes may share one store."""

    def __init__(self, connector: Connector, *, reconcile: bool = True) -> None:
        self.c = connector
        self.stopping = threading.Event()
        self.last_received = 0.0  # monotonic time a receiver last stored an event
        every = connector.config.worker.poll_interval_seconds
        self.outbox = {target: Lane(f"outbox:{target}", self._dispatch(target), every,
                                    self.stopping, threads=THREADS_PER_TARGET,
                                    receiving=self._receiving)
                       for target in connector.adapters}
        sources = [*connector.plugins, *connector.chat_plugins]
        if connector.config.alerts is not None:
            sources.append("alerts")
        self.inbox = {source: Lane(f"inbox:{source}", self._drain(source), every,
                                   self.stopping, after=self._wake_outbox,
                                   receiving=self._receiving)
                      for source in sources}
        self.scheduler = BackgroundScheduler(timezone=UTC)
        opts = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        for kind, tracker in connector.config.trackers.configured().items():
            if reconcile and tracker.projects:
                self.scheduler.add_job(self._reconcile, "interval", args=[kind],
                                       id=f"reconcile:{kind}",
                                       seconds=tracker.reconcile.interval_seconds,
                                       next_run_time=datetime.now(UTC), **opts)

    def start(self) -> None:
        for lane in [*self.inbox.values(), *self.outbox.values()]:
            lane.start()
        self.scheduler.start()
        log.info("worker %s started: %d inbox and %d outbox lanes", self.c.worker_id,
                 len(self.inbox), len(self.outbox))

    def stop(self) -> None:
        self.stopping.set()
        for lane in [*self.inbox.values(), *self.outbox.values()]:
            lane.wake()
        self.scheduler.shutdown(wait=True)
        for lane in [*self.inbox.values(), *self.outbox.values()]:
            lane.join(timeout=30)

    def received(self, source: str) -> None:
        """A receiver stored an event: take it now (and let receivers go first meanwhile)."""
        self.last_received = time.monotonic()
        self.wake(source)

    def _receiving(self) -> bool:
        return time.monotonic() - self.last_received < RECEIVING_WINDOW

    def wake(self, source: str | None = None) -> None:
        """New events were stored (by a receiver or a poll): process them now."""
        lanes = [self.inbox[source]] if source in self.inbox else self.inbox.values()
        for lane in lanes:
            lane.wake()

    def _wake_outbox(self) -> None:
        for lane in self.outbox.values():
            lane.wake()

    def _drain(self, source: str) -> Callable[[], int]:
        return lambda: drain_inbox(self.c, source, self.stopping.is_set)

    def _dispatch(self, target: str) -> Callable[[], int]:
        return lambda: dispatch_outbox(self.c, target, self.stopping.is_set)

    def _reconcile(self, kind: str) -> None:
        try:
            if reconcile_all(self.c, kind):
                self.wake(kind)
        except ActionError as exc:  # the tracker is down or the list was unsettled: next tick
            every_so_often(log, f"reconciliation of {kind}: {exc}; tried again at the next "
                                "poll")
        except Exception:  # boundary: a failed poll is logged and tried at the next tick
            every_so_often(log, f"reconciliation of {kind} failed", exc_info=True)
