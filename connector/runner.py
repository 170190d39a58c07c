"""Background jobs on APScheduler: drain the inbox, dispatch the outbox, reconcile by polling."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from connector.core import Connector
from connector.dispatch import dispatch_outbox
from connector.errors import ActionError
from connector.pipeline import drain_inbox
from connector.reconcile import reconcile_all

log = logging.getLogger(__name__)


class Runner:
    """Owns the scheduler of one process; several processes may share one store."""

    def __init__(self, connector: Connector, *, reconcile: bool = True) -> None:
        self.c = connector
        self.scheduler = BackgroundScheduler(timezone=UTC)
        every = connector.config.worker.poll_interval_seconds
        opts = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        self.scheduler.add_job(self._inbox, "interval", seconds=every, id="inbox", **opts)
        self.scheduler.add_job(self._outbox, "interval", seconds=every, id="outbox", **opts)
        for kind, tracker in connector.config.trackers.configured().items():
            if reconcile and tracker.projects:
                self.scheduler.add_job(self._reconcile, "interval", args=[kind],
                                       id=f"reconcile:{kind}",
                                       seconds=tracker.reconcile.interval_seconds,
                                       next_run_time=datetime.now(UTC), **opts)

    def start(self) -> None:
        self.scheduler.start()
        log.info("worker %s started", self.c.worker_id)

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)

    def wake(self, job: str = "inbox") -> None:
        """Run a job now instead of at its next tick (called after an event is stored)."""
        if self.scheduler.running:
            self.scheduler.modify_job(job, next_run_time=datetime.now(UTC))

    def _inbox(self) -> None:
        if drain_inbox(self.c):
            self.wake("outbox")

    def _outbox(self) -> None:
        dispatch_outbox(self.c)

    def _reconcile(self, kind: str) -> None:
        try:
            if reconcile_all(self.c, kind):
                self.wake("inbox")
        except ActionError as exc:  # the tracker is down or the list was unsettled: next tick
            log.warning("reconciliation of %s: %s; tried again at the next poll", kind, exc)
        except Exception:  # boundary: a failed poll is logged and tried at the next tick
            log.exception("reconciliation of %s failed", kind)
