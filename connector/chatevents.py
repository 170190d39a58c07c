"""Chat events: replies in a ticket's thread become tracker notes; buttons drive alerts."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.engine import Row

from connector import alerts
from connector.core import Connector
from connector.errors import ActionError, PayloadError
from connector.events import Action, ChatButton, ChatMessage, TicketRef
from connector.processing import enqueue_actions, finish
from connector.store import threads
from connector.wording import local_time, no_mentions, ticket_label

log = logging.getLogger(__name__)

CHAT_NAMES = {"slack": "Slack", "telegram": "Telegram"}


def process_chat_event(c: Connector, row: Row[Any]) -> str:
    """Normalise a chat update and act on it."""
    with c.engine.begin() as conn:
        try:
            event = c.chat_plugins[row.source].normalize(row.event_name, json.loads(row.payload))
        except PayloadError as exc:
            return finish(c, conn, row, "failed", f"bad payload: {exc.reason}")
        if event is None:
            return finish(c, conn, row, "ignored", "not a message or button the connector uses")
        if isinstance(event, ChatButton):
            thread = None
        elif event.from_bot:
            return finish(c, conn, row, "ignored", "written by a bot")
        else:
            thread = threads.by_chat_thread(conn, event.chat, event.channel_id, event.thread_id)
            if thread is None:
                return finish(c, conn, row, "ignored", "not in a thread of the connector")
    if isinstance(event, ChatButton):
        return press(c, row, event)
    assert thread is not None
    ref = TicketRef.parse(thread.ticket)
    author = describe_author(c, event, ref.tracker)  # network: outside the transaction
    with c.engine.begin() as conn:
        if not threads.record_message(conn, event):
            return finish(c, conn, row, "ignored", "message recorded before")
        if ref.tracker == alerts.TRACKER:
            actions = alerts.on_reply(c, conn, ref, event, author)
        else:
            actions = [reply_note(c, ref, event, author)]
        count = enqueue_actions(c, conn, row.dedup_key, actions, row.id)
        return finish(c, conn, row, "done", f"reply in {ref}: {count} action(s)")


def press(c: Connector, row: Row[Any], ev: ChatButton) -> str:
    """A button acts only when its press is allowed; otherwise the presser alone is told so."""
    refused = alerts.refusal(c, ev)  # may ask the chat who is a member: outside a transaction
    with c.engine.begin() as conn:
        if refused is not None:
            log.warning("%s button %s by %s in %s refused: %s", ev.chat, ev.action, ev.user_id,
                        ev.channel_id, refused)
            answer = Action("answer_button", ev.chat, alerts.alert_ref(0), {
                "callback_id": ev.callback_id, "refusal": True,
                "text": c.render("button_not_allowed")}, alerts.RULE)
            enqueue_actions(c, conn, row.dedup_key, [answer] if ev.callback_id else [], row.id)
            return finish(c, conn, row, "ignored", f"button refused: {refused}")
        actions = alerts.on_button(c, conn, ev)
        count = enqueue_actions(c, conn, row.dedup_key, actions, row.id)
        return finish(c, conn, row, "done", f"button {ev.action}: {count} action(s)")


def reply_note(c: Connector, ref: TicketRef, m: ChatMessage, author: str) -> Action:
    """A chat reply as a tracker note: author, time in the team's zone, text; files as links.
    Chat handles in it never mention tracker users (see wording.no_mentions)."""
    files = "".join(f"\n📎 {url}" for url in m.files)
    mapping = c.mapping_for(ref)
    zone = mapping.timezone if mapping else "UTC"
    body = c.render("chat_reply_note", mapping.name if mapping else None,
                    ticket=ticket_label(ref), title="", author=author,
                    chat=CHAT_NAMES.get(m.chat, m.chat), time=local_time(m.at, zone),
                    text=no_mentions(m.text), files=files)
    return Action("add_note", ref.tracker, ref, {"body": body}, "chat_reply")


def describe_author(c: Connector, m: ChatMessage, tracker_kind: str) -> str:
    """The chat user's name, with the tracker username when the e-mails match."""
    name, email = m.author_name, ""
    chat = c.chats.get(m.chat)
    try:
        if chat is not None:
            user = chat.describe_user(m.author_id)
            name, email = user.name or name, user.email
        tracker = c.trackers.get(tracker_kind)
        username = tracker.find_username(email) if tracker and email else None
    except ActionError as exc:  # a lookup failure must not drop the reply
        log.warning("could not look up %s user %s: %s", m.chat, m.author_id, exc)
        username = None
    name = no_mentions(name or m.author_id)  # a chat handle is not a tracker username
    return f"{name} (@{username})" if username else name
