"""Outage rooms are private (issue 20 item 5) in a Telegram forum too: in topic mode one
supergroup holds every outage's topic and topics have no members of their own, so the people an
outage let in (joins.py) are recorded against it, and when it closes they are taken out again —
unless another open outage in the same forum still needs them (they are its service's
responders, or it let them in too), or they are the forum's own people (the chat's
`forum_members`). Someone who never came in through an outage's link — a member from before
any outage — is never taken out. Each removal is an outbox action with a key of its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME, RULE
from connector.store import threads
from connector.store.db import insert_ignore, now
from connector.store.schema import room_admissions


def admit(conn: Connection, chat: str, channel_id: str, user_id: str,
          outages: list[Row[Any]]) -> None:
    """Someone let into the forum for these open outages (once per outage)."""
    for row in outages:
        insert_ignore(conn, room_admissions, {"chat": chat, "channel_id": channel_id,
                                              "user_id": user_id, "ticket": row.ticket,
                                              "admitted_at": now(conn)})


def leaving(c: FeatureContext, conn: Connection, row: Row[Any]) -> list[Action]:
    """Who leaves the forum with this outage (or problem): let in for it, not taken out yet,
    needed by no other open one there, not one of the forum's own people."""
    actions = []
    for room in threads.for_ticket(conn, row.ticket):
        chat = c.config.chats.configured().get(room.chat)
        if room.channel != HOME or not room.thread_id or chat is None \
                or str(chat.channels.get(HOME, "")) != room.channel_id:
            continue  # not a topic of the forum: a Slack channel, a pool room
        stay = {str(u) for u in getattr(chat, "forum_members", [])}
        others = _other_open(c, conn, room.chat, room.channel_id, row.ticket)
        for user in _admitted(conn, room.chat, room.channel_id, row.ticket):
            needing = _needing(c, conn, room.chat, room.channel_id, user, others)
            if needing:  # in the forum now for those: they leave with the last of them
                admit(conn, room.chat, room.channel_id, user, needing)
            if user in stay or needing:
                continue
            conn.execute(update(room_admissions).where(
                room_admissions.c.chat == room.chat,
                room_admissions.c.channel_id == room.channel_id,
                room_admissions.c.user_id == user).values(removed_at=now(conn)))
            actions.append(Action("remove_member", room.chat, TicketRef.parse(row.ticket),
                                  {"channel_id": room.channel_id, "user_id": user}, RULE))
    return actions


def _admitted(conn: Connection, chat: str, channel_id: str, ticket: str) -> list[str]:
    a = room_admissions.c
    return list(conn.execute(select(a.user_id).where(
        a.chat == chat, a.channel_id == channel_id, a.ticket == ticket, a.removed_at.is_(None))
        .order_by(a.id)).scalars())


def _other_open(c: FeatureContext, conn: Connection, chat: str, channel_id: str,
                ticket: str) -> list[Row[Any]]:
    """The other outages and problems still open with a topic in this forum."""
    found = []
    for kind in ("outage", "problem"):
        finals = {s.name for m in c.mappings.by_name.values() if m.outage
                  for s in m.outage.of(kind).stages if not s.next}
        for other in store.still_open(conn, finals, kind):
            room = threads.find(conn, other.ticket, chat, HOME)
            if other.ticket != ticket and room is not None and room.state == "open" \
                    and room.channel_id == channel_id:
                found.append(other)
    return found


def _needing(c: FeatureContext, conn: Connection, chat: str, channel_id: str, user: str,
             others: list[Row[Any]]) -> list[Row[Any]]:
    """The other open outages there that need them: they are its service's responders, or it
    let them in too."""
    catalog = c.mappings.catalog
    person = catalog.person(chat, user)
    a = room_admissions.c
    let_in = set(conn.execute(select(a.ticket).where(
        a.chat == chat, a.channel_id == channel_id, a.user_id == user,
        a.ticket.in_([o.ticket for o in others]))).scalars())
    return [o for o in others if o.ticket in let_in or (
        person is not None and o.service in catalog.services
        and person in catalog.responders(o.service))]
