"""Tracker events in the inbox: decided outside any write (normalise, read the ticket's state,
run the rules), then written for a whole batch in one short transaction."""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.core import Connector
from connector.errors import PayloadError
from connector.events import Action, TicketEvent, TicketRef
from connector.processing import enqueue_actions, finish
from connector.rules.engine import RuleWarning, decide
from connector.rules.state import TicketState
from connector.store import tickets
from connector.store.db import reading

log = logging.getLogger(__name__)


@dataclass
class Plan:
    """What one event comes to: its outcome, and the ticket's new state and actions."""

    row: Row[Any]
    status: str  # done | ignored | failed
    outcome: str
    ref: TicketRef | None = None
    state: TicketState | None = None  # to save; None: the state stays as it is
    actions: list[Action] = field(default_factory=list)
    warnings: list[RuleWarning] = field(default_factory=list)
    mapping: str = ""


def plan(c: Connector, row: Row[Any]) -> Plan:
    """Decide what an event does, reading the store but writing nothing. Safe outside a
    transaction: no other worker holds the same ticket (claims keep one ticket in order)."""
    plugin = c.plugins[row.source]
    try:
        event = plugin.normalize(row.event_name, json.loads(row.payload))
    except PayloadError as exc:
        return Plan(row, "failed", f"bad payload: {exc.reason}")
    if event is None:
        return Plan(row, "ignored", "not a ticket event the rules handle")
    with reading(c.engine) as conn:
        state = tickets.read_state(conn, event.ref) or TicketState()
    bot = c.bot_username(row.source)
    if event.own or (event.actor and event.actor == bot):
        if event.kind != "ticket":
            return Plan(row, "ignored", "caused by the connector itself")
        state.observe(event.labels, event.priority, event.impact, event.updated_at)
        return Plan(row, "ignored", "caused by the connector itself", event.ref, state)
    event = _as_connector_sees_it(event, bot)
    polled = row.event_name == plugin.reconcile_event
    if event.kind == "ticket" and event.updated_at and state.seen_updated_at:
        # A polled copy of a change seen before adds nothing; a webhook delivered late,
        # after a newer state of the ticket was seen, must not act on the older state.
        if polled and event.updated_at <= state.seen_updated_at:
            return Plan(row, "ignored", "change already seen")
        if event.updated_at < state.seen_updated_at:
            return Plan(row, "ignored", "older than the ticket as last seen")
    mapping = c.mapping_for(event.ref)
    if mapping is None:
        return Plan(row, "ignored", f"no mapping for project {event.ref.project}")
    decision = decide(mapping, event, state, c.context())
    return Plan(row, "done", "", event.ref, decision.state, decision.actions,
                decision.warnings, mapping.name)


def apply(c: Connector, conn: Connection, p: Plan) -> str:
    """Write a plan inside the caller's transaction; returns the outcome."""
    if p.ref is not None and p.state is not None:
        tickets.save_state(conn, p.ref, p.state)
    if p.status != "done":
        return finish(c, conn, p.row, p.status, p.outcome)
    count = enqueue_actions(c, conn, p.row.dedup_key, p.actions, p.row.id)
    return finish(c, conn, p.row, "done", f"{count} action(s)")


def report(c: Connector, p: Plan) -> None:
    """Log and count what a written plan did (after its commit)."""
    for warning in p.warnings:
        log.warning("%s: %s (mapping %s)", p.ref, warning.text, p.mapping,
                    extra={"rule": warning.rule, "field": warning.field,
                           "value": warning.value})
        c.metrics.warnings.labels(p.row.source, warning.field).inc()
    if p.status == "done":
        log.info("%s: %d action(s) by %s", p.ref, len(p.actions), p.mapping,
                 extra={"inbox_id": p.row.id, "actions": [a.kind for a in p.actions]})


def _as_connector_sees_it(event: TicketEvent, bot: str) -> TicketEvent:
    """The bot's own changes are the connector's, not a person's (never L1's right), and a
    ticket the bot created is not an applicant's request."""
    if not bot:
        return event
    return dataclasses.replace(
        event, by_connector=event.author == bot,
        changed_by={k: p for k, p in event.changed_by.items() if p.name != bot})
