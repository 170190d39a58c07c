"""Telegram updates → ChatMessage / ChatButton. Pure."""

from __future__ import annotations

from typing import Any

from connector.chat import button_data
from connector.errors import PayloadError
from connector.events import ChatButton, ChatCommand, ChatEvent, ChatJoin, ChatMessage
from connector.timestamps import from_epoch

UPDATE = "update"
RECORDED_COMMANDS = ("progress", "metrics", "outage")  # the rest is talk


def normalize(event_name: str, payload: Any) -> ChatEvent | None:
    """Messages in forum topics and button presses; None for everything else."""
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    if event_name != UPDATE:
        return None
    if isinstance(payload.get("message"), dict):
        return _message(payload["message"])
    if isinstance(payload.get("callback_query"), dict):
        return _button(payload["callback_query"])
    if isinstance(payload.get("chat_join_request"), dict):
        return _join(payload["chat_join_request"])
    return None  # edits, member updates…


def _join(r: dict[str, Any]) -> ChatJoin:
    chat, sender = _dict(r, "chat"), _dict(r, "from")
    name = " ".join(str(sender.get(k) or "") for k in ("first_name", "last_name")).strip()
    return ChatJoin(chat="telegram",
                    channel_id=str(_int(chat, "id", "chat_join_request.chat.id")),
                    user_id=str(_int(sender, "id", "chat_join_request.from.id")),
                    user_name=name or str(sender.get("username") or sender["id"]))


def _message(m: dict[str, Any]) -> ChatMessage | ChatCommand:
    chat = _dict(m, "chat")
    sender: dict[str, Any] = m["from"] if isinstance(m.get("from"), dict) else {}
    chat_id, message_id = _int(chat, "id", "message.chat.id"), _int(m, "message_id",
                                                                      "message.message_id")
    thread = m.get("message_thread_id") if m.get("is_topic_message") else None
    has_file = any(k in m for k in ("photo", "document", "video", "audio", "voice"))
    files = (_message_link(chat_id, thread, message_id),) if has_file else ()
    name = " ".join(str(sender.get(k) or "") for k in ("first_name", "last_name")).strip()
    command = _command(m)
    if command is not None and sender.get("id") and not sender.get("is_bot"):
        return ChatCommand(chat="telegram", channel_id=str(chat_id), user_id=str(sender["id"]),
                           user_name=name or str(sender.get("username") or sender["id"]),
                           command=command[0], text=command[1],
                           thread_id=str(thread) if thread is not None else None)
    if sender.get("username"):
        name = f"{name} (@{sender['username']})".strip()
    replied = m.get("reply_to_message")
    reply_to = replied.get("message_id") if isinstance(replied, dict) else None
    return ChatMessage(
        chat="telegram", channel_id=str(chat_id),
        thread_id=str(thread) if thread is not None else None, message_id=str(message_id),
        author_id=str(sender.get("id") or ""), author_name=name,
        text=str(m.get("text") or m.get("caption") or ""),
        at=_date(m.get("date")), files=files, from_bot=bool(sender.get("is_bot")),
        reply_to=str(reply_to) if isinstance(reply_to, int) else None,
    )


def _command(m: dict[str, Any]) -> tuple[str, str] | None:
    """`/progress@helpdesk_bot text` → ("progress", "text"), when Telegram marked a bot
    command at the start (a path like /var/log in a reply is not one)."""
    text, entities = str(m.get("text") or ""), m.get("entities")
    first = entities[0] if isinstance(entities, list) and entities else None
    if not (isinstance(first, dict) and first.get("type") == "bot_command"
            and first.get("offset") == 0 and isinstance(first.get("length"), int)):
        return None
    word = text[1:first["length"]].split("@", 1)[0].lower()
    if word not in RECORDED_COMMANDS:
        return None  # /start, /help…: said to people, relayed like any message
    return word, text[first["length"]:].strip()


def _button(q: dict[str, Any]) -> ChatButton | None:
    parsed = button_data(str(q.get("data") or ""))
    if parsed is None:
        return None
    sender, message = _dict(q, "from"), _dict(q, "message")
    chat = _dict(message, "chat")
    thread = message.get("message_thread_id")
    return ChatButton(
        chat="telegram", channel_id=str(_int(chat, "id", "callback_query.message.chat.id")),
        thread_id=str(thread) if thread is not None else None,
        message_id=str(message.get("message_id") or ""), user_id=str(sender.get("id") or ""),
        user_name=str(sender.get("username") or sender.get("first_name") or sender.get("id")),
        feature=parsed[0], action=parsed[1], value=parsed[2], callback_id=str(q.get("id") or ""),
    )


def _message_link(chat_id: int, thread: Any, message_id: int) -> str:
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
    except ValueError:
        raise PayloadError(f"message.date: out of range: {value!r}"[:80]) from None


def _dict(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise PayloadError(f"{key}: expected an object")
    return value


def _int(obj: dict[str, Any], key: str, name: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PayloadError(f"{name}: expected an integer")
    return value
