"""Inbox → normalised event → rules → outbox, one transaction per event."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from sqlalchemy.engine import Row

from connector import alerts, chatevents
from connector.core import Connector
from connector.errors import PayloadError
from connector.events import TicketEvent
from connector.processing import batches, enqueue_actions, finish
from connector.rules.engine import decide
from connector.store import inbox, tickets

log = logging.getLogger(__name__)

def drain_inbox(c: Connector, source: str | None = None) -> int:
    """Process pending events (from one source, if given) until none is claimable; returns
    how many were processed."""
    total = 0
    for rows in batches(c, inbox.claim_events, source=source):
        for row in rows:
            try:
                outcome = process_event(c, row)
            except Exception as exc:  # boundary: one bad event must not stop the worker
                log.exception("processing inbox event %s failed; parked", row.id)
                _park(c, row, exc)
                continue
            c.metrics.processed.labels(row.source, outcome.split(":")[0]).inc()
            total += 1
    return total


def process_event(c: Connector, row: Row[Any]) -> str:
    """Route an event to the processor of its source; returns its outcome."""
    if row.source in c.plugins:
        return process_ticket_event(c, row)
    if row.source in c.chat_plugins:
        return chatevents.process_chat_event(c, row)
    if row.source == alerts.SOURCE:
        return alerts.process_alert(c, row)
    with c.engine.begin() as conn:
        return finish(c, conn, row, "failed", f"no source {row.source!r} configured")


def process_ticket_event(c: Connector, row: Row[Any]) -> str:
    """Decide and enqueue the actions for one tracker event."""
    plugin = c.plugins[row.source]
    with c.engine.begin() as conn:
        try:
            event = plugin.normalize(row.event_name, json.loads(row.payload))
        except PayloadError as exc:
            return finish(c, conn, row, "failed", f"bad payload: {exc.reason}")
        if event is None:
            return finish(c, conn, row, "ignored", "not a ticket event the rules handle")
        state = tickets.lock_state(conn, event.ref)
        if event.own or (event.actor and event.actor == c.bot_username(row.source)):
            if event.kind == "ticket":
                state.observe(event.labels, event.priority, event.impact, event.updated_at)
                tickets.save_state(conn, event.ref, state)
            return finish(c, conn, row, "ignored", "caused by the connector itself")
        event = _as_connector_sees_it(event, c.bot_username(row.source))
        polled = row.event_name == plugin.reconcile_event
        if event.kind == "ticket" and event.updated_at and state.seen_updated_at:
            # A polled copy of a change seen before adds nothing; a webhook delivered late,
            # after a newer state of the ticket was seen, must not act on the older state.
            if polled and event.updated_at <= state.seen_updated_at:
                return finish(c, conn, row, "ignored", "change already seen")
            if event.updated_at < state.seen_updated_at:
                return finish(c, conn, row, "ignored", "older than the ticket as last seen")
        mapping = c.mapping_for(event.ref)
        if mapping is None:
            return finish(c, conn, row, "ignored", f"no mapping for project {event.ref.project}")
        decision = decide(mapping, event, state, c.context())
        count = enqueue_actions(c, conn, row.dedup_key, decision.actions, row.id)
        tickets.save_state(conn, event.ref, decision.state)
        for warning in decision.warnings:
            log.warning("%s: %s (mapping %s)", event.ref, warning.text, mapping.name,
                        extra={"rule": warning.rule, "field": warning.field,
                               "value": warning.value})
            c.metrics.warnings.labels(event.ref.tracker, warning.field).inc()
        log.info("%s: %d action(s) by %s", event.ref, count, mapping.name,
                 extra={"inbox_id": row.id, "actions": [a.kind for a in decision.actions]})
        return finish(c, conn, row, "done", f"{count} action(s)")


def _as_connector_sees_it(event: TicketEvent, bot: str) -> TicketEvent:
    """The bot's own changes are the connector's, not a person's (never L1's right), and a
    ticket the bot created is not an applicant's request."""
    if not bot:
        return event
    return dataclasses.replace(
        event, by_connector=event.author == bot,
        changed_by={k: p for k, p in event.changed_by.items() if p.name != bot})


def _park(c: Connector, row: Row[Any], exc: Exception) -> None:
    """A crash on one event is not retried in a loop: the event is parked as failed at once,
    so the events queued behind it for the same ticket go on (`helpdesk-connector retry`)."""
    with c.engine.begin() as conn:
        inbox.finish_event(conn, row.id, c.worker_id, "failed",
                           f"crashed: {type(exc).__name__}: {exc}"[:500])
    c.metrics.processed.labels(row.source, "failed").inc()
