"""`/metrics <service>` in an outage room asks Prometheus the catalog's queries for that service
(the room's own service when none is named); the answer is posted in the room and goes on the
timeline. Affected-users samples come back the same way and land on the status message."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Connection

from connector.adapters import Performed
from connector.context import FeatureContext
from connector.events import Action, ChatCommand, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME, RULE, is_over
from connector.features.outage.status import status_actions
from connector.store.outbox import OutboxItem
from connector.wording import no_mentions
from connector.work import enqueue_actions

log = logging.getLogger(__name__)


def on_metrics(c: FeatureContext, conn: Connection, ev: ChatCommand) -> list[Action]:
    row = store.by_room(conn, ev.chat, ev.channel_id, HOME, ev.thread_id)
    if row is None or is_over(c, row):
        return []  # only in an open outage's room
    catalog, ref = c.mappings.catalog, TicketRef.parse(row.ticket)
    person = catalog.person(ev.chat, ev.user_id)
    if person is None:  # a stranger in the room: answered without repeating what they wrote
        return [_say(c, ref, row.mapping, "outage_metrics_not_allowed")]
    asked = ev.text.split()[0].lower() if ev.text.split() else row.service
    who = person.name
    service = catalog.services.get(asked)
    if service is None or not service.monitoring:
        known = "; ".join(f"«{e.title}» — {s}" for s, e in catalog.services.items()
                          if e.monitoring) or "—"
        return [_say(c, ref, row.mapping, "outage_metrics_unknown",
                     service=no_mentions(asked[:40]),
                     known=known)]
    store.record(conn, row.id, "metrics", who, service=asked)
    return [Action("query_metrics", "prometheus", ref, {
        "queries": [(q.title, q.promql) for q in service.monitoring], "purpose": "ask",
        "who": who}, RULE)]


def after_query(c: FeatureContext, conn: Connection, item: OutboxItem,
                performed: Performed) -> None:
    """What Prometheus answered: into the room (asked), onto the status message (sampled)."""
    action = item.action
    if action.kind != "query_metrics" or action.reason != RULE:
        return
    row = store.by_ticket(conn, str(action.ticket))
    mapping = c.mappings.by_name.get(row.mapping) if row is not None else None
    if row is None or mapping is None or mapping.outage is None:
        return
    answers: list[dict[str, Any]] = performed.result.get("answers") or []
    purpose, ref = action.params.get("purpose"), action.ticket
    key = f"outage|{ref}|{item.idempotency_key}"
    if performed.status == "dry_run" and purpose == "affected":
        return  # no Prometheus configured: nothing sampled, nothing to show
    if purpose == "affected":
        value = _first_value(answers)
        store.record(conn, row.id, "affected", "", stage=row.stage, users=value)
        if store.room_failed(conn, row.id):
            return  # no room to show it in; it is on the timeline
        stage = mapping.outage.of(row.kind).stage(row.stage)
        enqueue_actions(c, conn, key, status_actions(c, conn, row, stage, row.stage_since),
                        None)
        return
    lines = "\n".join(_lines(c, mapping.name, answers)) or c.render(
        "outage_metrics_off" if performed.status == "dry_run" else "outage_metrics_no_data",
        mapping.name)
    service = c.mappings.catalog.services[row.service].title
    enqueue_actions(c, conn, key, [Action("post_in_room", "chat", ref, {
        "channel": HOME, "text": c.render("outage_metrics", mapping.name, service=service,
                                          who=str(action.params.get("who") or ""),
                                          lines=lines)}, RULE)], None)


def _lines(c: FeatureContext, mapping: str, answers: list[dict[str, Any]]) -> list[str]:
    lines = []
    for answer in answers:
        if answer.get("down"):
            log.warning("Prometheus unavailable for %r: %s", answer.get("title"), answer["down"])
            value = c.render("outage_metrics_down", mapping)
        elif answer.get("error"):
            log.warning("Prometheus refused %r: %s", answer.get("title"), answer["error"])
            value = c.render("outage_metrics_error", mapping)
        elif not answer.get("values"):
            value = c.render("outage_metrics_no_data", mapping)
        else:
            value = "; ".join(f"{name} {_number(v)}".strip() for name, v in answer["values"])
        lines.append(c.render("outage_metrics_line", mapping, title=answer.get("title", ""),
                              value=value))
    return lines


def _first_value(answers: list[dict[str, Any]]) -> float | None:
    for answer in answers:
        for _, value in answer.get("values") or []:
            return float(value)
    return None


def _number(value: float) -> str:
    """Russian style: 1 234,5 — a figure as people read it, not a float's repr."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return text.replace(",", " ").replace(".", ",")


def _say(c: FeatureContext, ref: TicketRef, mapping: str, template: str, **values: str) -> Action:
    return Action("post_in_room", "chat", ref, {"channel": HOME, "text": c.render(
        template, mapping, **values)}, RULE)
