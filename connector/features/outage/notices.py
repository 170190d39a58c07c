"""Once an outage's room is open (its link known only then): the room goes on the timeline, a
notice with the link goes to the service's info channels and a letter to its mailing lists."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from connector.adapters import Performed
from connector.core import Connector
from connector.events import Action
from connector.features.outage import store
from connector.features.outage.flows import RULE
from connector.store.outbox import OutboxItem
from connector.wording import ticket_label
from connector.work import enqueue_actions


def after_room_opened(c: Connector, conn: Connection, item: OutboxItem,
                      performed: Performed) -> None:
    action = item.action
    if action.kind != "open_room" or action.reason != RULE:
        return
    row = store.by_ticket(conn, str(action.ticket))
    mapping = c.mappings.by_name.get(row.mapping) if row is not None else None
    link = str(performed.result.get("link") or "")
    if row is None or mapping is None or row.service not in c.mappings.catalog.services:
        return
    chat = str(performed.result.get("chat") or action.target)
    store.record(conn, row.id, "room", "", chat=chat, room=str(performed.result.get("room")
                                                                or ""), link=link)
    entry, ref = c.mappings.catalog.services[row.service], action.ticket
    values = {"service": entry.title, "ticket": ticket_label(ref), "link": link or "—",
              "url": _ticket_url(c, conn, row.id)}
    actions = [Action("notify", "chat", ref, {"channel": channel, "text": c.render(
        "outage_notice", mapping.name, **values)}, RULE) for channel in entry.info_channels]
    if entry.mailing_lists:
        actions.append(Action("send_mail", "mail", ref, {
            "to": entry.mailing_lists,
            "subject": c.render("outage_mail_subject", mapping.name, **values),
            "body": c.render("outage_mail_body", mapping.name, **values)}, RULE))
    enqueue_actions(c, conn, f"outage|{ref}|room|{chat}", actions, None)


def _ticket_url(c: Connector, conn: Connection, outage_id: int) -> str:
    declared = next((e for e in store.timeline(conn, outage_id) if e["kind"] == "declared"), {})
    return str(declared.get("url") or "")
