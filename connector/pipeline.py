"""Inbox → normalised event → rules → outbox, one transaction per event."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.engine import Row

from connector.core import Connector
from connector.errors import PayloadError
from connector.rules.engine import decide
from connector.store import inbox, outbox, tickets

log = logging.getLogger(__name__)


def drain_inbox(c: Connector) -> int:
    """Process pending events until none is claimable; returns how many were processed."""
    total = 0
    while True:
        with c.engine.begin() as conn:
            rows = inbox.claim_events(conn, c.worker_id, c.config.worker.batch_size,
                                      c.config.worker.lease_seconds)
        if not rows:
            return total
        for row in rows:
            try:
                outcome = process_event(c, row)
            except Exception:  # boundary: one bad event must not stop the worker
                log.exception("processing inbox event %s failed", row.id)
                _give_up_if_exhausted(c, row)
                continue
            c.metrics.processed.labels(row.source, outcome.split(":")[0]).inc()
            total += 1


def process_event(c: Connector, row: Row[Any]) -> str:
    """Decide and enqueue the actions for one claimed event; returns its outcome."""
    plugin = c.plugins.get(row.source)
    with c.engine.begin() as conn:
        def finish(status: str, outcome: str) -> str:
            if not inbox.finish_event(conn, row.id, c.worker_id, status, outcome):
                raise RuntimeError(f"lost the lease on inbox event {row.id}")
            return f"{status}: {outcome}"

        if plugin is None:
            return finish("failed", f"no tracker {row.source!r} configured")
        try:
            event = plugin.normalize(row.event_name, json.loads(row.payload))
        except PayloadError as exc:
            return finish("failed", f"bad payload: {exc.reason}")
        if event is None:
            return finish("ignored", "not a ticket event the rules handle")
        state = tickets.lock_state(conn, event.ref)
        if event.actor and event.actor == c.bot_username(row.source):
            state.observe(event.labels, event.priority, event.impact, event.updated_at)
            tickets.save_state(conn, event.ref, state)
            return finish("ignored", "caused by the connector itself")
        polled = row.event_name == plugin.reconcile_event
        if polled and event.updated_at and event.updated_at <= state.seen_updated_at:
            return finish("ignored", "change already seen")
        mapping = c.mapping_for(event.ref)
        if mapping is None:
            return finish("ignored", f"no mapping for project {event.ref.project}")
        decision = decide(mapping, event, state, c.context())
        for i, action in enumerate(decision.actions):
            key = f"{row.dedup_key}|{i}|{action.fingerprint()}"
            outbox.enqueue(conn, action, key, row.id)
        tickets.save_state(conn, event.ref, decision.state)
        log.info("%s: %d action(s) by %s", event.ref, len(decision.actions), mapping.name,
                 extra={"inbox_id": row.id, "actions": [a.kind for a in decision.actions]})
        return finish("done", f"{len(decision.actions)} action(s)")


def _give_up_if_exhausted(c: Connector, row: Row[Any]) -> None:
    if row.attempts >= c.config.worker.max_attempts:
        with c.engine.begin() as conn:
            inbox.finish_event(conn, row.id, c.worker_id, "failed", "gave up after errors")
