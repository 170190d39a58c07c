"""The request flow as the helpdesk received it: one row per ticket — when the tracker created
it, its priority in the regulation's words (GitLab: its priority label), whether it ever waited
in the regulation's feedback status (Sevastopol's «Обратная связь») — kept up to date by every
ticket event, so a day's flow is a query, not a walk over the inbox."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from connector.context import FeatureContext
from connector.events import TicketEvent
from connector.mappings import Mapping
from connector.rules.models import IntakeValidation, SinglePriorityLabel
from connector.rules.vocab import read_event
from connector.store.db import insert_ignore, now
from connector.store.schema import requests
from connector.timestamps import to_epoch


def on_ticket(c: FeatureContext, conn: Connection, event: TicketEvent) -> None:
    """Every event of a governed ticket: the row made or brought up to date."""
    mapping = c.mapping_for(event.ref)
    if mapping is None:
        return
    seen = read_event(mapping, event)
    priority = priority_of(mapping, seen)
    waited = seen.status is not None and seen.status in feedback_statuses(mapping)
    ticket, t = str(event.ref), now(conn)
    created = to_epoch(event.created_at) if event.created_at else t
    if insert_ignore(conn, requests, {
            "ticket": ticket, "tracker": event.ref.tracker, "mapping": mapping.name,
            "created_at": created, "priority": priority, "feedback": waited,
            "updated_at": t}, returning=requests.c.ticket) is not None:
        return
    values: dict[str, object] = {"updated_at": t}
    if priority:
        values["priority"] = priority
    if waited:
        values["feedback"] = True
    if event.created_at:
        values["created_at"] = created  # a first event without it was dated when seen
    conn.execute(update(requests).where(requests.c.ticket == ticket).values(**values))


def priority_of(mapping: Mapping, seen: TicketEvent) -> str:
    """The priority field (Mantis, Znuny), else the regulation's priority label (GitLab)."""
    if seen.priority:
        return seen.priority
    for rule in mapping.rules:
        if isinstance(rule, SinglePriorityLabel):
            present = [label for label in rule.labels if label in seen.labels]
            return present[-1] if present else ""  # the highest, as the rule keeps it
    return ""


def feedback_statuses(mapping: Mapping) -> set[str]:
    """Where the regulation makes a request wait for the applicant."""
    return {rule.incomplete_status for rule in mapping.rules
            if isinstance(rule, IntakeValidation)}


def created_between(conn: Connection, start: float, end: float) -> list[tuple[str, str, str,
                                                                             float, bool]]:
    """(ticket, tracker, priority, created_at, feedback) of the requests created in [start,
    end), oldest first."""
    rows = conn.execute(select(requests.c.ticket, requests.c.tracker, requests.c.priority,
                               requests.c.created_at, requests.c.feedback)
                        .where(requests.c.created_at >= start, requests.c.created_at < end)
                        .order_by(requests.c.created_at))
    return [(r.ticket, r.tracker, r.priority, float(r.created_at), bool(r.feedback))
            for r in rows]
