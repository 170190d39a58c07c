"""Once an outage's room is open (its link known only then): the room goes on the timeline, a
notice with the link goes to the service's info channels (but the one a thread room is in) and
a letter to its mailing lists.
A problem's room is announced as EMIAS does, «информирование о регистрации проблемы» — in
texts of its own (problem_notice, problem_mail_*), never as an outage."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from connector.adapters import Performed
from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME, RULE
from connector.store import outbox
from connector.store.outbox import OutboxItem
from connector.wording import no_mentions, ticket_label
from connector.work import enqueue_actions


def after_room_opened(c: FeatureContext, conn: Connection, item: OutboxItem,
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
    entry, ref, kind = c.mappings.catalog.services[row.service], action.ticket, row.kind
    values = {"service": entry.title, "ticket": ticket_label(ref), "link": link or "—",
              **_declared(conn, row.id)}
    thread = mapping.outage is not None and mapping.outage.room == "thread"
    actions = [Action("notify", "chat", ref, {"channel": channel, "text": c.render(
        f"{kind}_notice", mapping.name, **values)}, RULE) for channel in entry.info_channels
        if not (thread and _same_channel(c, chat, channel, HOME))]
    if entry.mailing_lists:
        actions.append(Action("send_mail", "mail", ref, {
            "to": entry.mailing_lists,
            "subject": c.render(f"{kind}_mail_subject", mapping.name, **values),
            "body": c.render(f"{kind}_mail_body", mapping.name, **values)}, RULE))
    enqueue_actions(c, conn, f"outage|{ref}|room|{chat}", actions, None)


ROOM_KINDS = ("post_in_room", "update_room", "open_form", "close_room")


def after_room_failed(c: FeatureContext, conn: Connection, item: OutboxItem, reason: str) -> None:
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
    text = c.render(f"{row.kind}_room_failed", mapping.name, service=entry.title,
                    ticket=ticket_label(ref), **_declared(conn, row.id))
    actions = [Action("add_note", ref.tracker, ref, {"body": text}, RULE),
               *(Action("notify", "chat", ref, {"channel": channel, "text": text}, RULE)
                 for channel in entry.info_channels)]
    enqueue_actions(c, conn, f"outage|{ref}|room-failed|{action.target}", actions, None)


def _same_channel(c: FeatureContext, chat: str, channel: str, other: str) -> bool:
    """Two logical channels are one chat channel here: a thread room's own channel needs no
    notice about it beside the accident's message (Belarus §4.3.1: #ehr_community is both)."""
    ids = getattr(getattr(c.config.chats, chat, None), "channels", None) or {}
    return ids.get(channel) is not None and ids.get(channel) == ids.get(other)


def _declared(conn: Connection, outage_id: int) -> dict[str, str]:
    """The ticket's link and title as declared; for a problem, the outages it came from."""
    events = store.timeline(conn, outage_id)
    declared = next((e for e in events if e["kind"] == "declared"), {})
    outages = [ticket_label(TicketRef.parse(e["ticket"])) for e in events
               if e["kind"] == "outage" and e.get("ticket")]
    return {"url": str(declared.get("url") or ""), "title": no_mentions(str(
        declared.get("title") or "")), "outages": ", ".join(outages) or "—"}
