"""Once an outage's room is open (its link known only then): the room goes on the timeline, a
notice with the link goes to the service's info channels and a letter to its mailing lists."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from connector.adapters import Performed
from connector.core import Connector
from connector.events import Action
from connector.features.outage import store
from connector.features.outage.flows import RULE
from connector.store import outbox
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


ROOM_KINDS = ("post_in_room", "update_room", "open_form", "close_room")


def after_room_failed(c: Connector, conn: Connection, item: OutboxItem, reason: str) -> None:
    """No room could be opened (a name nobody may take, rights missing): the info channels and
    the ticket hear of the outage anyway, and that its room is missing (the reason is in the
    log and on the failed outbox row for the admin)."""
    action = item.action
    if action.kind != "open_room" or action.reason != RULE:
        return
    row = store.by_ticket(conn, str(action.ticket))
    mapping = c.mappings.by_name.get(row.mapping) if row is not None else None
    if row is None or mapping is None or row.service not in c.mappings.catalog.services:
        return
    store.record(conn, row.id, "room_failed", "", chat=action.target)
    outbox.cancel_pending(conn, str(action.ticket), action.target, ROOM_KINDS,
                          "the outage room could not be opened")
    entry, ref = c.mappings.catalog.services[row.service], action.ticket
    text = c.render("outage_room_failed", mapping.name, service=entry.title,
                    ticket=ticket_label(ref), url=_ticket_url(c, conn, row.id))
    actions = [Action("add_note", ref.tracker, ref, {"body": text}, RULE),
               *(Action("notify", "chat", ref, {"channel": channel, "text": text}, RULE)
                 for channel in entry.info_channels)]
    enqueue_actions(c, conn, f"outage|{ref}|room-failed|{action.target}", actions, None)


def _ticket_url(c: Connector, conn: Connection, outage_id: int) -> str:
    declared = next((e for e in store.timeline(conn, outage_id) if e["kind"] == "declared"), {})
    return str(declared.get("url") or "")
