"""L1 → L2 escalation, the chat side: a reply in a ticket's thread becomes a note on the ticket,
signed with the chat user's name (and tracker username when the e-mails match)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from connector.context import FeatureContext
from connector.events import Action, ChatMessage, TicketRef
from connector.wording import local_time, no_mentions, ticket_label

CHAT_NAMES = {"slack": "Slack", "telegram": "Telegram"}


def on_reply(c: FeatureContext, conn: Connection, ref: TicketRef, m: ChatMessage,
             author: str) -> list[Action]:
    return [reply_note(c, ref, m, author)]


def reply_note(c: FeatureContext, ref: TicketRef, m: ChatMessage, author: str) -> Action:
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
