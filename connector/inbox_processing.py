"""Inbox processing: claimed events → normalised → rules → outbox. Tracker events are decided
and written a batch at a time; other sources go to the processor a feature registered."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Row

from connector import ticketevents
from connector.alertintake import BODY_EVENT, split_body
from connector.chatevents import process_chat_event
from connector.core import Connector
from connector.slices import Slicer
from connector.store import inbox
from connector.work import Between, batches, finish, never_stop

log = logging.getLogger(__name__)
TRACKER_WRITES = Slicer()  # decided tracker events, written a slice at a time

def drain_inbox(c: Connector, source: str | None = None, between: Between = never_stop) -> int:
    """Process pending events (from one source, if given) until none is claimable; returns
    how many were processed. Tracker events of a claimed batch are decided first and written
    together in one short transaction; other events, which may ask a service something on the
    way, one by one."""
    total = 0
    for rows in batches(c, inbox.claim_events, source=source):
        ticket_rows = [row for row in rows if row.source in c.plugins]
        for row in rows:
            if row.source not in c.plugins:
                total += _one(c, row)
        total += _tracker_batch(c, ticket_rows)
        if between(more=len(rows) >= c.config.worker.batch_size):
            break  # stopping: what is left stays pending for the next start
    return total


def _one(c: Connector, row: Row[Any]) -> int:
    try:
        outcome = process_event(c, row)
    except Exception as exc:  # boundary: one bad event must not stop the worker
        log.exception("processing inbox event %s failed; parked", row.id)
        _park(c, row, exc)
        return 0
    c.metrics.processed.labels(row.source, outcome.split(":")[0]).inc()
    return 1


def _tracker_batch(c: Connector, rows: list[Row[Any]]) -> int:
    """Decide a batch of tracker events, then write it in short transactions (slices); if one
    fails (a lease taken over), write its events one by one, each on its own."""
    plans: list[ticketevents.Plan] = []
    for item in ticketevents.plan_batch(c, rows):
        if isinstance(item, ticketevents.Crash):
            log.error("processing inbox event %s failed; parked", item.row.id,
                      exc_info=item.error)
            _park(c, item.row, item.error)
        else:
            plans.append(item)
    written: list[ticketevents.Plan] = []
    for piece in TRACKER_WRITES.pieces(c.engine, plans, c.receivers_busy):
        try:
            with c.engine.begin() as conn:
                ticketevents.apply_batch(c, conn, list(piece))
            written += piece
        except Exception:  # boundary: fall back to one transaction per event
            log.warning("writing a batch of %d inbox events failed; writing them one by one",
                        len(piece), exc_info=True)
            for p in piece:
                try:
                    with c.engine.begin() as conn:
                        ticketevents.apply(c, conn, p)
                    written.append(p)
                except Exception:  # boundary: lease lost or store refused: claimed again later
                    log.exception("writing inbox event %s failed", p.row.id)
    for p in written:
        ticketevents.report(c, p)
        c.metrics.processed.labels(p.row.source, p.status).inc()
    return len(written)


def process_event(c: Connector, row: Row[Any]) -> str:
    """Route a non-tracker event: a chat's update to the chat spine, an alerts body to be
    split, anything else to the processor a feature registered for its source."""
    if row.source in c.config.chats.configured():
        return process_chat_event(c, row)
    if row.event_name == BODY_EVENT:  # an alerts body: its alerts become events of their own
        return split_body(c, row)
    processor = c.registry.sources.get(row.source)
    if processor is not None:
        return processor(c, row)
    with c.engine.begin() as conn:
        return finish(c, conn, row, "failed", f"no source {row.source!r} configured")


def _park(c: Connector, row: Row[Any], exc: Exception) -> None:
    """A crash on one event is not retried in a loop: the event is parked as failed at once,
    so the events queued behind it for the same ticket go on (`helpdesk-connector retry`)."""
    with c.engine.begin() as conn:
        inbox.finish_event(conn, row.id, c.worker_id, "failed",
                           f"crashed: {type(exc).__name__}: {exc}"[:500])
    c.metrics.processed.labels(row.source, "failed").inc()
