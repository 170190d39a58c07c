"""Chat events: a reply in a connector's thread goes to the feature that opened the thread; a
button press to the feature that owns the button, once it may act."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.chat import button_data
from connector.core import Connector
from connector.errors import ActionError, PayloadError
from connector.events import (
    Action,
    ChatButton,
    ChatCommand,
    ChatForm,
    ChatJoin,
    ChatMessage,
    TicketRef,
)
from connector.store import threads
from connector.wording import no_mentions
from connector.work import enqueue_actions, finish

log = logging.getLogger(__name__)


def process_chat_event(c: Connector, row: Row[Any]) -> str:
    """Normalise a chat update and act on it."""
    with c.engine.begin() as conn:
        try:
            event = c.chat_plugins[row.source].normalize(row.event_name, json.loads(row.payload),
                                                         c.registry.commands)
        except PayloadError as exc:
            return finish(c, conn, row, "failed", f"bad payload: {exc.reason}")
        if event is None:
            return finish(c, conn, row, "ignored", "not a message or button the connector uses")
        if isinstance(event, ChatJoin):
            return join(c, conn, row, event)
        if isinstance(event, ChatForm):
            parsed = button_data(event.form_id)
            taker = c.registry.forms.get(parsed[0]) if parsed else None
            if taker is None:
                return finish(c, conn, row, "ignored", f"no feature takes form {event.form_id}")
            count = enqueue_actions(c, conn, row.dedup_key, taker(c, conn, event), row.id)
            return finish(c, conn, row, "done", f"form {event.form_id}: {count} action(s)")
        if isinstance(event, ChatCommand):
            command = c.registry.commands.get(event.command)
            if command is None:
                return finish(c, conn, row, "ignored", f"no feature answers /{event.command}")
            count = enqueue_actions(c, conn, row.dedup_key, command(c, conn, event), row.id)
            return finish(c, conn, row, "done", f"/{event.command}: {count} action(s)")
        if isinstance(event, ChatButton):
            thread = None
        elif event.from_bot:
            return finish(c, conn, row, "ignored", "written by a bot")
        else:
            thread = threads.by_chat_thread(conn, event.chat, event.channel_id, event.thread_id,
                                            event.reply_to)
            if thread is None:
                return finish(c, conn, row, "ignored", "not in a thread of the connector")
    if isinstance(event, ChatButton):
        return press(c, row, event)
    assert thread is not None
    ref = TicketRef.parse(thread.ticket)
    handler = c.registry.reply_handler(ref, thread.channel)
    if handler is None:
        with c.engine.begin() as conn:
            return finish(c, conn, row, "ignored", f"no feature handles replies in {ref}")
    name, username = describe_author(c, event, ref.tracker)  # network: outside transactions
    author = f"{name} (@{username})" if username else name
    with c.engine.begin() as conn:
        if not threads.record_message(conn, event, name):
            return finish(c, conn, row, "ignored", "message recorded before")
        count = enqueue_actions(c, conn, row.dedup_key, handler(c, conn, ref, event, author),
                                row.id)
        return finish(c, conn, row, "done", f"reply in {ref}: {count} action(s)")


def join(c: Connector, conn: Connection, row: Row[Any], ev: ChatJoin) -> str:
    """A join request goes to the first feature that answers it; unanswered, it waits."""
    for handler in c.registry.joins:
        actions = handler(c, conn, ev)
        if actions:
            count = enqueue_actions(c, conn, row.dedup_key, actions, row.id)
            return finish(c, conn, row, "done", f"join request: {count} action(s)")
    return finish(c, conn, row, "ignored", "no feature answers join requests here")


def press(c: Connector, row: Row[Any], ev: ChatButton) -> str:
    """A button acts only when its feature allows the press; otherwise the presser alone is
    told so (and the refusal logged)."""
    found = c.registry.buttons_for(ev)
    if found is None:
        refused: str | None = f"no feature handles {ev.feature!r} buttons"
    else:
        handler, ev = found
        refused = handler.refusal(c, ev)  # may ask the chat: outside a transaction
    with c.engine.begin() as conn:
        if found is None or refused is not None:
            log.warning("%s button %s:%s by %s in %s refused: %s", ev.chat, ev.feature,
                        ev.action, ev.user_id, ev.channel_id, refused)
            answer = Action("answer_button", ev.chat, TicketRef("buttons", ev.chat, "refused"), {
                "callback_id": ev.callback_id, "refusal": True,
                "text": c.render("button_not_allowed")}, "buttons")
            enqueue_actions(c, conn, row.dedup_key, [answer] if ev.callback_id else [], row.id)
            return finish(c, conn, row, "ignored", f"button refused: {refused}")
        actions = handler.press(c, conn, ev)
        count = enqueue_actions(c, conn, row.dedup_key, actions, row.id)
        return finish(c, conn, row, "done", f"button {ev.action}: {count} action(s)")


def describe_author(c: Connector, m: ChatMessage, tracker_kind: str) -> tuple[str, str]:
    """Who wrote, as the room log, the timeline and the notes name them: as the service
    catalog names the person, else the chat's own name for them (Slack's message event
    carries only the user id: users.info, which the plugin caches); and their tracker
    username, from the catalog or found by their e-mail ("" if none)."""
    person = c.mappings.catalog.person(m.chat, m.author_id)
    if person is not None:
        return person.name, str(getattr(person, tracker_kind, "") or "")
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
    return no_mentions(name or m.author_id), username or ""  # a handle is not a username
