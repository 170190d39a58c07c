"""Telegram updates → ChatMessage / ChatButton / ChatJoin. Pure. Every field read is of the
type the Bot API documents (PayloadError naming it otherwise, answered 422 at receive time)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, NamedTuple

from connector.chat import button_data
from connector.errors import PayloadError
from connector.events import ChatButton, ChatCommand, ChatEvent, ChatJoin, ChatMessage
from connector.timestamps import from_epoch
from plugins.fields import INT64, Fields

UPDATE = "update"
INT32 = 2**31 - 1
MESSAGE_ID = (1, INT32)  # message and topic ids are 32-bit in the Bot API
USER_ID = (1, INT64)  # the Bot API promises at most 52 significant bits; 64 is the bound
FILES = ("document", "video", "audio", "voice")  # objects; `photo` is a list of sizes


class _Sender(NamedTuple):
    id: int
    first_name: str
    name: str  # "first last", maybe empty
    username: str
    is_bot: bool


def normalize(event_name: str, payload: Any,
              commands: Collection[str] = ()) -> ChatEvent | None:
    """Messages in forum topics, button presses, join requests; None for everything else."""
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    if event_name != UPDATE:
        return None
    update = Fields(payload, "")
    update.integer("update_id", 0, INT64)
    if update.has("message"):
        return _message(update.obj("message"), commands)
    if update.has("callback_query"):
        return _button(update.obj("callback_query"))
    if update.has("chat_join_request"):
        return _join(update.obj("chat_join_request"))
    return None  # edits, member updates…


def _join(r: Fields) -> ChatJoin:
    chat, sender = _chat_id(r), _sender(r.obj("from"))
    return ChatJoin(chat="telegram", channel_id=str(chat), user_id=str(sender.id),
                    user_name=sender.name or sender.username or str(sender.id))


def _message(m: Fields, commands: Collection[str]) -> ChatMessage | ChatCommand:
    chat_id, message_id = _chat_id(m), m.integer("message_id", *MESSAGE_ID)
    given = m.optional_obj("from")
    sender = _sender(given) if given is not None else None
    thread = m.optional_integer("message_thread_id", *MESSAGE_ID)
    thread = thread if m.flag("is_topic_message") else None
    files = [m.optional_obj(k) for k in FILES]
    has_file = bool(m.items("photo")) or any(f is not None for f in files)
    text, caption = m.text("text"), m.text("caption")
    replied = m.optional_obj("reply_to_message")
    reply_to = replied.integer("message_id", *MESSAGE_ID) if replied is not None else None
    at, command = _date(m.raw.get("date")), _command(text, m.objects("entities"), commands)
    if command is not None and sender is not None and not sender.is_bot:
        return ChatCommand(chat="telegram", channel_id=str(chat_id), user_id=str(sender.id),
                           user_name=sender.name or sender.username or str(sender.id),
                           command=command[0], text=command[1],
                           thread_id=str(thread) if thread is not None else None)
    name = sender.name if sender else ""
    if sender and sender.username:
        name = f"{name} (@{sender.username})".strip()
    return ChatMessage(
        chat="telegram", channel_id=str(chat_id),
        thread_id=str(thread) if thread is not None else None, message_id=str(message_id),
        author_id=str(sender.id) if sender else "", author_name=name, text=text or caption,
        at=at, files=(_message_link(chat_id, thread, message_id),) if has_file else (),
        from_bot=bool(sender and sender.is_bot),
        reply_to=str(reply_to) if reply_to is not None else None,
    )


def _command(text: str, entities: list[Fields],
             commands: Collection[str]) -> tuple[str, str] | None:
    """`/progress@helpdesk_bot text` → ("progress", "text"), when Telegram marked a bot
    command at the start (a path like /var/log in a reply is not one) and it is one of the
    `commands` features answer (the registry's); others are talk."""
    marks = [(e.text("type", required=True), e.integer("offset", 0, INT32),
              e.integer("length", 0, INT32)) for e in entities]
    if not marks or marks[0][:2] != ("bot_command", 0):
        return None
    length = marks[0][2]
    word = text[1:length].split("@", 1)[0].lower()
    if word not in commands:
        return None  # /start, /help…: said to people, relayed like any message
    return word, text[length:].strip()


def _button(q: Fields) -> ChatButton | None:
    sender, message = _sender(q.obj("from")), q.obj("message")
    chat_id, message_id = _chat_id(message), message.integer("message_id", *MESSAGE_ID)
    thread = message.optional_integer("message_thread_id", *MESSAGE_ID)
    query_id, parsed = q.text("id", required=True), button_data(q.text("data"))
    if parsed is None:
        return None
    return ChatButton(
        chat="telegram", channel_id=str(chat_id),
        thread_id=str(thread) if thread is not None else None, message_id=str(message_id),
        user_id=str(sender.id),
        user_name=sender.username or sender.first_name or str(sender.id),
        feature=parsed[0], action=parsed[1], value=parsed[2], callback_id=query_id,
    )


def _sender(person: Fields) -> _Sender:
    first, last = person.text("first_name"), person.text("last_name")
    return _Sender(person.integer("id", *USER_ID), first, f"{first} {last}".strip(),
                   person.text("username"), person.flag("is_bot"))


def _chat_id(parent: Fields) -> int:
    """The id of the object's `chat`: negative for groups, positive for private chats."""
    chat = parent.obj("chat")
    chat_id = chat.integer("id", -INT64, INT64)
    if chat_id == 0:
        raise PayloadError(f"{chat.name('id')}: expected a chat id, not 0")
    return chat_id


def _message_link(chat_id: int, thread: int | None, message_id: int) -> str:
    """t.me link to a message in a supergroup: files stay in Telegram, the link goes out."""
    internal = str(chat_id).removeprefix("-100")
    middle = f"{thread}/" if thread is not None else ""
    return f"https://t.me/c/{internal}/{middle}{message_id}"


def _date(value: Any) -> str:
    """`date` is Unix seconds; a message without one is dated at the epoch, as before."""
    if value is None:
        value = 0
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise PayloadError("message.date: expected Unix seconds")
    try:
        return from_epoch(float(value))
    except (ValueError, OverflowError):
        raise PayloadError(f"message.date: out of range: {value!r}"[:80]) from None
