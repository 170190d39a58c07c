"""Stand-in Telegram pins, titles and form replies (``pinChatMessage``, ``setChatTitle``), mixed
into StandInTelegram.

A step-by-step form asks with ``reply_markup={"force_reply": true, …}`` (which, as in Telegram,
does not show up in the sent Message); :meth:`TelegramRooms.reply_update` is the user's answer:
a message whose ``reply_to_message`` is the prompt.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from tests.standins.base import Reply

Json = dict[str, Any]


def _bad_request(description: str) -> Reply:
    return Reply(400, {"ok": False, "error_code": 400,
                       "description": f"Bad Request: {description}"})


class TelegramRooms:
    """pinChatMessage for StandInTelegram (which supplies _chat, _new_message, _update, lock)."""

    _lock: threading.RLock
    _chats: dict[int, Json]
    _chat: Callable[[Json], Json]
    _new_message: Callable[..., Json]
    _update: Callable[[str, Json], Json]

    def _room_methods(self) -> dict[str, Callable[[Json], Any]]:
        return {"pinchatmessage": self._pin, "unpinchatmessage": self._unpin,
                "setchattitle": self._set_title,
                "banchatmember": self._ban, "unbanchatmember": self._unban}

    def members(self, chat_id: int) -> dict[int, str]:
        with self._lock:
            return dict(self._chats[chat_id]["members"])

    def title(self, chat_id: int) -> str:
        with self._lock:
            return str(self._chats[chat_id]["title"])

    def pinned(self, chat_id: int) -> list[int]:
        """Ids of the chat's pinned messages, oldest pin first."""
        with self._lock:
            return list(self._chats[chat_id].get("pinned", []))

    def reply_update(self, chat_id: int, reply_to: int, text: str, *, from_user: Json) -> Json:
        """A user's message replying to `reply_to` (e.g. a prompt), in the prompt's topic."""
        with self._lock:
            chat = self._chats[chat_id]
            prompt = chat["messages"][reply_to]
            msg = self._new_message(chat, {"is_bot": False, **from_user},
                                    prompt.get("message_thread_id"), text=text)
            msg["reply_to_message"] = {k: copy.deepcopy(v) for k, v in prompt.items()
                                       if k != "reply_to_message"}
            return self._update("message", msg)

    def _set_title(self, p: Json) -> bool:
        chat, title = self._chat(p), str(p.get("title") or "")
        if not chat["rights"].get("can_change_info"):
            raise _bad_request("not enough rights to change chat title")
        if not 1 <= len(title) <= 128:
            raise _bad_request("chat title is empty" if not title else "TITLE_TOO_LONG")
        if title == chat["title"]:
            raise _bad_request("chat title is not modified")
        chat["title"] = title
        return True

    def _ban(self, p: Json) -> bool:
        chat, user = self._chat(p), int(str(p.get("user_id") or 0))
        if not chat["rights"].get("can_restrict_members"):
            raise _bad_request("not enough rights to restrict/unrestrict chat member")
        status = chat["members"].get(user)
        if status == "creator":  # as Telegram answers: nobody removes the owner
            raise _bad_request("can't remove chat owner")
        if status == "administrator":  # nor, as a bot, an administrator
            raise _bad_request("user is an administrator of the chat")
        chat["members"][user] = "kicked"
        return True

    def _unban(self, p: Json) -> bool:
        chat, user = self._chat(p), int(str(p.get("user_id") or 0))
        if not chat["rights"].get("can_restrict_members"):
            raise _bad_request("not enough rights to restrict/unrestrict chat member")
        if chat["members"].get(user) == "kicked" or str(p.get("only_if_banned")).lower() \
                not in ("true", "1"):
            chat["members"][user] = "left"
        return True

    def _pin(self, p: Json) -> bool:
        chat = self._chat(p)
        if not chat["rights"].get("can_pin_messages"):
            raise _bad_request("not enough rights to manage pinned messages in the chat")
        raw = str(p.get("message_id") or "").strip()
        message_id = int(raw) if raw.lstrip("-").isdigit() else 0
        if message_id not in chat["messages"]:
            raise _bad_request("message to pin not found")
        pins = chat.setdefault("pinned", [])
        if message_id not in pins:  # pinning a pinned message again changes nothing
            pins.append(message_id)
        return True

    def _unpin(self, p: Json) -> bool:
        """unpinChatMessage: the given message, or (no message_id) the most recent pin."""
        chat = self._chat(p)
        if not chat["rights"].get("can_pin_messages"):
            raise _bad_request("not enough rights to manage pinned messages in the chat")
        pins, raw = chat.setdefault("pinned", []), str(p.get("message_id") or "").strip()
        message_id = int(raw) if raw.lstrip("-").isdigit() else (pins[-1] if pins else 0)
        if message_id not in pins:
            raise _bad_request("message to unpin not found")
        pins.remove(message_id)
        return True
