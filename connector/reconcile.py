"""Polling reconciliation: feed changes no webhook told us about through the same inbox."""

from __future__ import annotations

import json
import logging
from functools import partial

from connector.configbase import ReconcileConfig
from connector.core import Connector
from connector.events import TicketRef
from connector.registry import Job
from connector.store import inbox, tickets
from connector.store.db import reading
from connector.timestamps import from_epoch

log = logging.getLogger(__name__)


def reconcile(c: Connector, source: str, project: str, settings: ReconcileConfig) -> int:
    """Enqueue every ticket of a project changed since the watermark and not yet seen.

    The first poll looks back `lookback_seconds`. A ticket is new (the new-ticket rules, e.g.
    the «Новая задача» reminder) when never seen AND created after the watermark AND within
    `lookback_seconds` (or `interval_seconds`, if longer) of now: its webhook was lost lately.
    The watermark, the newest change ever read, stays old while the connector is stopped, the
    project is out of the config or nothing changes in it: alone it is no bound.
    """
    tracker, plugin = c.trackers[source], c.plugins[source]
    name = f"{source}:{project}"
    with reading(c.engine) as conn:
        mark = tickets.get_watermark(conn, name)
    window = from_epoch(c.clock.now() - max(settings.lookback_seconds,
                                            settings.interval_seconds))
    since = mark or from_epoch(c.clock.now() - settings.lookback_seconds)
    newest, queued, fresh = since, 0, max(since, window)
    for change in tracker.list_changes(project, since):
        ref = TicketRef(source, project, change.key)
        with c.engine.begin() as conn:
            state = tickets.read_state(conn, ref)
            newest = max(newest, change.updated_at)
            if state is not None and change.updated_at <= state.seen_updated_at:
                continue
            is_new = state is None and change.created_at >= fresh
            payload = json.dumps({"issue": change.payload, "is_new": is_new}, ensure_ascii=False)
            if inbox.add_event(conn, source=source, dedup_key=f"poll:{ref}@{change.updated_at}",
                               event_name=plugin.reconcile_event, ordering_key=str(ref),
                               payload=payload):
                queued += 1
    with c.engine.begin() as conn:
        tickets.set_watermark(conn, name, newest)
    if queued:
        log.info("reconcile %s: %d change(s) no webhook delivered", name, queued)
    return queued


def reconcile_all(c: Connector, only: str | None = None) -> int:
    """One reconciliation pass over every configured project (of one tracker, if given)."""
    return sum(reconcile(c, kind, p.id, cfg.reconcile)
               for kind, cfg in c.config.trackers.configured().items()
               if only in (None, kind) for p in cfg.projects)


def reconciliation_jobs(c: Connector) -> list[Job]:
    """Each tracker's poll as a timed job (the spine's own, beside the features'): it wakes the
    tracker's lane when it found work."""
    return [Job(f"reconcile:{kind}", tracker.reconcile.interval_seconds, partial(_poll, c, kind))
            for kind, tracker in c.config.trackers.configured().items() if tracker.projects]


def _poll(c: Connector, kind: str, _: object) -> list[str]:
    """One pass over a tracker's projects: its lane to wake if it found work. A failed pass is
    counted (hdc_reconcile_errors_total) and left to the job's boundary to log."""
    try:
        found = reconcile_all(c, kind)
    except Exception:
        c.metrics.reconcile_errors.labels(kind).inc()
        raise
    return [kind] if found else []
