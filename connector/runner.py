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
from connector.errors import ActionError
from connector.inbox_processing import drain_inbox
from connector.logs import every_so_often
from connector.outbox_dispatch import dispatch_outbox
from connector.reconcile import reconciliation_jobs
from connector.registry import Job
from connector.store.claims import release_worker
from connector.work import Between

log = logging.getLogger(__name__)

THREADS_PER_TARGET = 2  # two tickets of one service at a time; a ticket's actions stay in order
# Acks come first: during a burst (receivers answering several requests at once), a lane rests
# REST_RATIO times as long as its last piece of work took (at most MAX_REST) before the next,
# so receivers get most of the interpreter and the work waits, durably. One request in flight
# (likely the one that woke the lane) is no burst: the lane does not rest for it.
REST_RATIO, MAX_REST = 3.0, 0.25


class Lane:
    """One kind of work on its own threads: run it until it finds nothing, then wait for a
    wake-up or the poll interval. Several processes may run the same lanes on one store."""

    def __init__(self, name: str, work: Callable[[Between], int], every: float,
                 stopping: threading.Event, *, threads: int = 1,
                 after: Callable[[], None] | None = None,
                 receiving: Callable[[], bool] = lambda: False) -> None:
        self.name, self.work, self.every, self.after = name, work, every, after
        self.receiving = receiving  # are webhooks being answered in this process right now?
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
        pace = Pace(self.stopping, self.receiving, self.after)
        while not self.stopping.is_set():
            self.wakeup.clear()
            pace.since = time.monotonic()
            try:
                done = self.work(pace)
            except Exception:  # boundary: a lane never dies; the row it was on is re-leased
                every_so_often(log, f"lane {self.name} failed", exc_info=True)
                done = 0
            if not done:
                self.wakeup.wait(self.every)
            else:
                pace()


class Pace:
    """What a lane's work calls after each piece: passes the news on (the outbox lanes have
    new actions), rests during a burst of webhooks, then answers whether to stop."""

    def __init__(self, stopping: threading.Event, receiving: Callable[[], bool],
                 after: Callable[[], None] | None = None) -> None:
        self.stopping, self.receiving, self.after = stopping, receiving, after
        self.since = time.monotonic()

    def __call__(self, more: bool = False) -> bool:
        if self.after is not None:  # each batch's news at once: a backlog's first actions go
            self.after()            # out while the next batches are decided
        if self.receiving():
            self.stopping.wait(min(MAX_REST, (time.monotonic() - self.since) * REST_RATIO))
        self.since = time.monotonic()
        return self.stopping.is_set()


class Runner:
    """Owns the lanes and timers of one process; several processes may share one store."""

    def __init__(self, connector: Connector, *, jobs: bool = True) -> None:
        self.c = connector
        self.stopping = threading.Event()
        # Set by the web app it runs in: are receivers answering requests right now?
        self.receiving: Callable[[], bool] = lambda: False
        connector.receivers_busy = self._receiving  # the worker's writes: slices in a burst
        every = connector.config.worker.poll_interval_seconds
        self.outbox = {target: Lane(f"outbox:{target}", self._dispatch(target), every,
                                    self.stopping, threads=THREADS_PER_TARGET,
                                    receiving=self._receiving)
                       for target in connector.adapters}
        sources = [*connector.plugins, *connector.config.chats.configured(),
                   *connector.registry.sources]
        self.inbox = {source: Lane(f"inbox:{source}", self._drain(source), every,
                                   self.stopping, after=self._wake_outbox,
                                   receiving=self._receiving)
                      for source in sources}
        self.scheduler = BackgroundScheduler(timezone=UTC)
        opts = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        for job in [*reconciliation_jobs(connector), *connector.registry.jobs] if jobs else []:
            self.scheduler.add_job(self._run_job, "interval", args=[job], id=job.name,
                                   seconds=job.every_seconds, next_run_time=datetime.now(UTC),
                                   **opts)

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
        release_worker(self.c.engine, self.c.worker_id)  # others take over now, not after lease

    def _receiving(self) -> bool:
        return self.receiving()

    def wake(self, source: str | None = None) -> None:
        """New events were stored (by a receiver or a poll): process them now."""
        lanes = [self.inbox[source]] if source in self.inbox else self.inbox.values()
        for lane in lanes:
            lane.wake()

    def _wake_outbox(self) -> None:
        for lane in self.outbox.values():
            lane.wake()

    def _drain(self, source: str) -> Callable[[Between], int]:
        return lambda pace: drain_inbox(self.c, source, pace)

    def _dispatch(self, target: str) -> Callable[[Between], int]:
        return lambda pace: dispatch_outbox(self.c, target, pace)

    def _run_job(self, job: Job) -> None:
        try:
            for source in job.run(self.c):
                self.wake(source)
        except ActionError as exc:  # the service is down or its list was unsettled: next tick
            every_so_often(log, f"{job.name}: {exc}; tried again at the next tick")
        except Exception:  # boundary: a failed job is logged and run again at the next tick
            every_so_often(log, f"{job.name} failed", exc_info=True)
