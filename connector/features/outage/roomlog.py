"""The room's log, as recorded live (Telegram has no history API): every message people wrote
in the outage's rooms since they opened, then the timeline — the file attached to the ticket
when the outage closes."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME
from connector.features.outage.timeline import timeline_text
from connector.mappings import Mapping
from connector.store import threads
from connector.store.schema import chat_messages
from connector.timestamps import from_epoch
from connector.wording import local_time, no_mentions, ticket_label

MAX_CHARS = 1_000_000  # trackers cap attachments (Mantis: 5 MB by default); UTF-8 doubles


def room_log(c: FeatureContext, conn: Connection, row: Row[Any], mapping: Mapping) -> str:
    ref = TicketRef.parse(row.ticket)
    lines = [c.render("outage_log_header", mapping.name, ticket=ticket_label(ref),
                      service=c.mappings.catalog.services[row.service].title)]
    for room in threads.for_ticket(conn, row.ticket):
        if room.channel != HOME:
            continue
        query = select(chat_messages).where(
            chat_messages.c.chat == room.chat, chat_messages.c.channel_id == room.channel_id,
            # chats date messages in whole seconds: the room's second counts
            chat_messages.c.at >= from_epoch(math.floor(room.created_at) - 1),
        ).order_by(chat_messages.c.at, chat_messages.c.id)
        if room.thread_id:
            query = query.where(chat_messages.c.thread_id == room.thread_id)
        for m in conn.execute(query):
            known = c.mappings.catalog.person(m.chat, m.author_id) if m.author_id else None
            lines.append(c.render("outage_log_message" if known or not m.author_id
                                  else "outage_log_message_other", mapping.name,
                                  time=local_time(m.at, mapping.timezone),
                                  who=known.name if known else no_mentions(m.author or "—"),
                                  id=no_mentions(m.author_id), text=no_mentions(m.text)))
    lines.append(c.render("outage_log_timeline", mapping.name))
    lines.append(timeline_text(c, mapping, store.timeline(conn, row.id), row.kind))
    text = "\n".join(lines) + "\n"
    if len(text) <= MAX_CHARS:
        return text
    half = MAX_CHARS // 2  # the start and the end (with the timeline) of a very long room
    return text[:half] + c.render("outage_log_cut", mapping.name) + "\n" + text[-half:]


def members(conn: Connection, outage_id: int) -> dict[str, list[str]]:
    """Who was let into the outage's rooms, per chat (to take out of a pool room)."""
    found: dict[str, list[str]] = {}
    for e in store.timeline(conn, outage_id):
        if e["kind"] == "join" and e.get("approved") and e.get("user"):
            found.setdefault(str(e.get("chat")), []).append(str(e["user"]))
    return {chat: list(dict.fromkeys(users)) for chat, users in found.items()}
