"""Ticket ↔ chat thread mapping, recorded chat messages, and alerts."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from connector.chat import Posted
from connector.events import ChatMessage
from connector.store.db import insert_ignore, now
from connector.store.schema import alerts, chat_buttons, chat_messages, posted_pieces, threads


def find(conn: Connection, ticket: str, chat: str, channel: str) -> Row[Any] | None:
    """The thread a ticket has in one chat channel."""
    return conn.execute(select(threads).where(
        threads.c.ticket == ticket, threads.c.chat == chat, threads.c.channel == channel)).first()


def for_ticket(conn: Connection, ticket: str) -> list[Row[Any]]:
    return list(conn.execute(select(threads).where(threads.c.ticket == ticket)))


def by_chat_thread(conn: Connection, chat: str, channel_id: str, thread_id: str | None,
                   reply_to: str | None = None) -> Row[Any] | None:
    """Which ticket a chat thread belongs to; a message anywhere in a whole-channel room (an
    outage's Slack channel or pool supergroup, saved with no thread) belongs to its ticket. In
    a topic several messages share (Telegram's alerts topic), a reply belongs to the message
    it answers."""
    found = None
    if reply_to:
        found = conn.execute(select(threads).where(
            threads.c.chat == chat, threads.c.channel_id == channel_id,
            threads.c.message_id == reply_to)).first()
        if found is None:  # a reply to a later line the connector wrote in the thread
            found = conn.execute(select(threads).join(
                posted_pieces, posted_pieces.c.thread_row == threads.c.id).where(
                posted_pieces.c.chat == chat, posted_pieces.c.channel_id == channel_id,
                posted_pieces.c.message_id == reply_to)).first()
    if found is None and thread_id is not None:
        sharing = conn.execute(select(threads).where(
            threads.c.chat == chat, threads.c.channel_id == channel_id,
            threads.c.thread_id == thread_id).limit(2)).all()
        if len(sharing) > 1:
            return None  # a shared topic: a message answering none of its threads is none's
        found = sharing[0] if sharing else None
    if found is None:
        found = conn.execute(select(threads).where(
            threads.c.chat == chat, threads.c.channel_id == channel_id,
            threads.c.thread_id == "", threads.c.state == "open")
            .order_by(threads.c.id.desc())).first()
    return found


def held_by_other(conn: Connection, chat: str, channel_id: str, ticket: str) -> bool:
    """Whether a whole-channel room of another ticket is this channel."""
    return conn.execute(select(threads.c.id).where(
        threads.c.chat == chat, threads.c.channel_id == channel_id, threads.c.thread_id == "",
        threads.c.ticket != ticket)).first() is not None


def save(conn: Connection, ticket: str, chat: str, channel: str, posted: Posted) -> None:
    """Remember a new thread (a second save of the same ticket/channel is ignored)."""
    insert_ignore(conn, threads, {
        "ticket": ticket, "chat": chat, "channel": channel, "channel_id": posted.channel_id,
        "thread_id": posted.thread_id, "message_id": posted.message_id, "state": "open",
        "created_at": now(conn)})


def set_message(conn: Connection, thread_row_id: int, message_id: str) -> None:
    """Record the thread's first message (Telegram topics exist before it)."""
    conn.execute(update(threads).where(threads.c.id == thread_row_id)
                 .values(message_id=message_id))


def set_state(conn: Connection, thread_row_id: int, state: str) -> None:
    conn.execute(update(threads).where(threads.c.id == thread_row_id).values(state=state))


def record_message(conn: Connection, m: ChatMessage, author: str) -> bool:
    """Log a chat message once, by `author` as people read it; False if it was recorded
    before."""
    return insert_ignore(conn, chat_messages, {
        "chat": m.chat, "channel_id": m.channel_id, "thread_id": m.thread_id,
        "message_id": m.message_id, "author": (author or m.author_name)[:255],
        "author_id": m.author_id[:64], "text": m.text, "at": m.at}) is not None


def upsert_alert(conn: Connection, fingerprint: str, status: str, title: str,
                 details: dict[str, Any], group_id: int | None = None) -> tuple[int, str | None]:
    """Store an alert or update its status; returns (id, its status before: None if new)."""
    new_id = insert_ignore(conn, alerts, {
        "fingerprint": fingerprint[:255], "status": status, "title": title,
        "details": json.dumps(details, ensure_ascii=False), "decision": "pending",
        "updated_at": now(conn), "group_id": group_id})
    if new_id is not None:
        return int(new_id), None
    row = conn.execute(select(alerts.c.id, alerts.c.status).where(
        alerts.c.fingerprint == fingerprint[:255]).with_for_update()).one()
    conn.execute(update(alerts).where(alerts.c.id == row.id).values(
        status=status, title=title, updated_at=now(conn)))
    return int(row.id), str(row.status)


def get_alert(conn: Connection, alert_id: int) -> Row[Any] | None:
    return conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()


def set_alert(conn: Connection, alert_id: int, **values: Any) -> None:
    conn.execute(update(alerts).where(alerts.c.id == alert_id)
                 .values(updated_at=now(conn), **values))


def piece_posted(conn: Connection, key: str) -> str | None:
    """The message id of a piece posted before, if it was."""
    found: str | None = conn.execute(select(posted_pieces.c.message_id).where(
        posted_pieces.c.key == key)).scalar_one_or_none()
    return found


def record_piece(conn: Connection, key: str, message_id: str, *, chat: str = "",
                 channel_id: str = "", thread_row: int | None = None) -> None:
    insert_ignore(conn, posted_pieces, {"key": key[:255], "message_id": message_id,
                                        "posted_at": now(conn), "chat": chat,
                                        "channel_id": channel_id, "thread_row": thread_row})


def record_buttons(conn: Connection, chat: str, channel_id: str, message_id: str,
                   datas: list[str]) -> None:
    """The buttons a message the connector posted (or redrew) carries."""
    for data in datas:
        insert_ignore(conn, chat_buttons, {"chat": chat, "channel_id": channel_id,
                                           "message_id": message_id, "data": data[:64],
                                           "posted_at": now(conn)})


def posted_button(conn: Connection, chat: str, channel_id: str, message_id: str,
                  data: str) -> bool:
    """Whether the connector put this button on this message (a press on anything else is
    forged or stale)."""
    return conn.execute(select(chat_buttons.c.id).where(
        chat_buttons.c.chat == chat, chat_buttons.c.channel_id == channel_id,
        chat_buttons.c.message_id == message_id, chat_buttons.c.data == data)).first() \
        is not None
