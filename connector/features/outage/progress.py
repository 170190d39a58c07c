"""What was done, said in an outage's room: `/progress <text>`, or a reply to the pinned status
message, goes on the timeline, on the ticket as a note and into the room, signed with the
catalog's name for the writer. Other talk in the room is only logged (the room log)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, ChatCommand, ChatMessage, TicketRef
from connector.features.outage import answers, store
from connector.features.outage.flows import HOME, RULE, is_over
from connector.wording import no_mentions


def on_progress(c: FeatureContext, conn: Connection, ev: ChatCommand) -> list[Action]:
    row = store.by_room(conn, ev.chat, ev.channel_id, HOME, ev.thread_id)
    if row is None:
        return []  # not an outage room: nothing to record
    return progress(c, conn, row, ev.chat, ev.user_id, ev.user_name, ev.text)


def on_room_message(c: FeatureContext, conn: Connection, ref: TicketRef, m: ChatMessage,
                    author: str) -> list[Action]:
    """A reply to the status message is progress (Telegram: replying to it; Slack: in its
    thread); anything else said in the room stays in the room log only."""
    room = store.room_of(conn, str(ref), m.chat, HOME)
    row = store.by_ticket(conn, str(ref))
    if room is None or row is None or not room.message_id:
        return []
    answered = answers.on_reply(c, conn, row, m) if m.reply_to else None
    if answered is not None:
        return answered  # an answer to a form's question, not progress
    mapping = c.mappings.by_name.get(row.mapping)
    logged = mapping is not None and mapping.outage is not None \
        and mapping.outage.room == "thread"  # Belarus: all said in the thread is the log
    answers_status = (m.reply_to == room.message_id if m.chat == "telegram"
                      else m.thread_id == room.message_id)
    if not (answers_status or logged):
        return []
    return progress(c, conn, row, m.chat, m.author_id, author, m.text)


def progress(c: FeatureContext, conn: Connection, row: Row[Any], chat: str, user_id: str,
             user_name: str, text: str) -> list[Action]:
    """By a person of the catalog (anyone may join a public Slack channel): on the timeline,
    the ticket and in the room."""
    text = text.strip()
    if not text or is_over(c, row):
        return []  # nothing said, or said after the outage was closed: the room log keeps it
    person = c.mappings.catalog.person(chat, user_id)
    if person is None:
        return []  # only the catalog's people write to the ticket; the room log keeps the rest
    who = person.name
    store.record(conn, row.id, "progress", who, text=text, chat=chat, user=user_id)
    ref, mapping = TicketRef.parse(row.ticket), c.mappings.by_name.get(row.mapping)
    line = c.render("outage_progress", mapping.name if mapping else None, who=who,
                    text=no_mentions(text))
    return [Action("add_note", ref.tracker, ref, {"body": line}, RULE),
            Action("post_in_room", "chat", ref, {"channel": HOME, "text": line}, RULE)]
