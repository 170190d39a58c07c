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
from connector.rules.engine import RuleWarning, decide
from connector.rules.state import TicketState
from connector.store import inbox, outbox, tickets
from connector.store.db import now, reading
from connector.unlisted import tell_unlisted
from connector.work import enqueue_actions, fanned_out, finish

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
    event: TicketEvent | None = None  # for the features' ticket hooks (SLA clocks)
    late: bool = False  # older than the ticket as last seen: only hooks that place it see it


def plan_batch(c: Connector, rows: list[Row[Any]]) -> list[Plan | Crash]:
    """Decide what each event does, reading the store (the tickets' states, in one query) but
    writing nothing. Safe outside a transaction: no other worker holds the same tickets
    (claims keep one ticket's events in order, one at a time)."""
    events: list[TicketEvent | Plan | Crash] = []
    for row in rows:
        try:
            events.append(_normalise(c, row))
        except Exception as exc:  # boundary: a normaliser bug parks this event only
            events.append(Crash(row, exc))
    refs = [e.ref for e in events if isinstance(e, TicketEvent)]
    with reading(c.engine) as conn:
        states = tickets.read_states(conn, refs)
    planned: list[Plan | Crash] = []
    for row, item in zip(rows, events, strict=True):
        if not isinstance(item, TicketEvent):
            planned.append(item)
            continue
        try:
            planned.append(_decide(c, row, item, states.get(item.ref) or TicketState()))
        except Exception as exc:  # boundary: a rule bug parks this event only
            planned.append(Crash(row, exc))
    return planned


@dataclass(frozen=True)
class Crash:
    """An event whose normalising or deciding raised: it is parked, the others go on."""

    row: Row[Any]
    error: Exception


def _normalise(c: Connector, row: Row[Any]) -> TicketEvent | Plan:
    try:
        event = c.plugins[row.source].normalize(row.event_name, json.loads(row.payload))
    except PayloadError as exc:
        return Plan(row, "failed", f"bad payload: {exc.reason}")
    if event is None:
        return Plan(row, "ignored", "not a ticket event the rules handle")
    return event


def _decide(c: Connector, row: Row[Any], event: TicketEvent, state: TicketState) -> Plan:
    bot = c.bot_username(row.source)
    if event.own or (event.actor and event.actor == bot):
        if event.kind != "ticket":
            return Plan(row, "ignored", "caused by the connector itself")
        state.observe(event.labels, event.priority, event.impact, event.updated_at)
        return Plan(row, "ignored", "caused by the connector itself", event.ref, state,
                    event=event)
    event = _as_connector_sees_it(event, bot)
    polled = row.event_name == c.plugins[row.source].reconcile_event
    if event.kind == "ticket" and event.updated_at and state.seen_updated_at:
        # A polled copy of a change seen before adds nothing; a webhook delivered late,
        # after a newer state of the ticket was seen, must not act on the older state.
        if polled and event.updated_at <= state.seen_updated_at:
            return Plan(row, "ignored", "change already seen")
        if event.updated_at < state.seen_updated_at:
            return Plan(row, "ignored", "older than the ticket as last seen", event=event,
                        late=True)
    mapping = c.mapping_for(event.ref)
    if mapping is None:
        tell_unlisted(c, event.ref)
        return Plan(row, "ignored", f"no mapping for project {event.ref.project}")
    decision = decide(mapping, event, state, c.rules_context())
    return Plan(row, "done", "", event.ref, decision.state, decision.actions,
                decision.warnings, mapping.name, event)


class LeaseLost(Exception):
    """Another worker took over an event of the batch: nothing of the batch may be kept."""


def apply_batch(c: Connector, conn: Connection, plans: list[Plan]) -> None:
    """Write a batch of plans with three statements: states, outbox actions, outcomes."""
    tickets.save_states(conn, [(p.ref, p.state) for p in plans
                               if p.ref is not None and p.state is not None])
    t = now(conn)
    outbox.enqueue_many(conn, [outbox.row(action, key, t, p.row.id) for p in plans
                               if p.status == "done"
                               for action, key in fanned_out(c, p.row.dedup_key, p.actions)])
    for p in plans:
        _hooks(c, conn, p)
    if not inbox.finish_events(conn, c.worker_id, [(p.row.id, p.status, _outcome(p))
                                                   for p in plans]):
        raise LeaseLost()


def apply(c: Connector, conn: Connection, p: Plan) -> str:
    """Write one plan inside the caller's transaction; returns the outcome."""
    if p.ref is not None and p.state is not None:
        tickets.save_state(conn, p.ref, p.state)
    if p.status == "done":
        enqueue_actions(c, conn, p.row.dedup_key, p.actions, p.row.id)
    _hooks(c, conn, p)
    return finish(c, conn, p.row, p.status, _outcome(p))


def _hooks(c: Connector, conn: Connection, p: Plan) -> None:
    """Features see the ticket as the event shows it (the connector's own changes too; one
    delivered late only those that place it at its time)."""
    if p.event is not None and p.event.kind == "ticket":
        for hook in c.registry.late_ticket_hooks if p.late else c.registry.ticket_hooks:
            hook(c, conn, p.event)


def _outcome(p: Plan) -> str:
    return f"{len(p.actions)} action(s)" if p.status == "done" else p.outcome


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
