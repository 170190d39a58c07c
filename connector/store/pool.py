"""Telegram's pool of outage rooms: supergroups the admin created with the bot as admin, each
free or holding one outage. A claim is a conditional update, so two workers never take the same
room; a room goes back to the pool when its outage closes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from connector.store.db import insert_ignore, now
from connector.store.schema import room_pool


def seed(conn: Connection, chat: str, channel_ids: Iterable[str]) -> None:
    """The configured rooms, known to the store (rooms already known keep their state)."""
    for channel_id in channel_ids:
        insert_ignore(conn, room_pool, {"chat": chat, "channel_id": channel_id,
                                        "ticket": None, "since": now(conn)})


def claim(conn: Connection, chat: str, ticket: str, allowed: Iterable[str]) -> str | None:
    """The room `ticket` holds (claimed before), else a free one of `allowed` now held by it;
    None when every room is taken."""
    allowed = list(allowed)
    held = holding(conn, chat, ticket)
    if held is not None:
        return held
    free = conn.execute(select(room_pool.c.id, room_pool.c.channel_id).where(
        room_pool.c.chat == chat, room_pool.c.ticket.is_(None),
        room_pool.c.channel_id.in_(allowed)).order_by(room_pool.c.id)).all()
    for row_id, channel_id in free:
        taken = conn.execute(update(room_pool).where(
            room_pool.c.id == row_id, room_pool.c.ticket.is_(None)).values(
            ticket=ticket, since=now(conn))).rowcount
        if taken:
            return str(channel_id)
    return None


def holding(conn: Connection, chat: str, ticket: str) -> str | None:
    found: str | None = conn.execute(select(room_pool.c.channel_id).where(
        room_pool.c.chat == chat, room_pool.c.ticket == ticket)).scalar_one_or_none()
    return found


def held_by(conn: Connection, chat: str, channel_id: str) -> str | None:
    """The ticket whose outage this pool room holds, if any."""
    found: str | None = conn.execute(select(room_pool.c.ticket).where(
        room_pool.c.chat == chat, room_pool.c.channel_id == channel_id)).scalar_one_or_none()
    return found


def is_pool_room(conn: Connection, chat: str, channel_id: str) -> bool:
    return conn.execute(select(room_pool.c.id).where(
        room_pool.c.chat == chat, room_pool.c.channel_id == channel_id)).first() is not None


def release(conn: Connection, chat: str, channel_id: str) -> None:
    """Back to the pool, free for the next outage."""
    conn.execute(update(room_pool).where(room_pool.c.chat == chat,
                                         room_pool.c.channel_id == channel_id)
                 .values(ticket=None, since=now(conn)))
