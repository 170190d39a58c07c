"""Stand-in Telegram photos (``sendPhoto``), mixed into StandInTelegram: the photo comes as a
multipart file (as telebot sends bytes), a caption of up to 1024 characters, in a topic or not;
the Message carries the photo's sizes, as Telegram answers. Only PNG is read here (what the
connector sends); other bytes are an image Telegram could not process."""

from __future__ import annotations

import copy
import hashlib
import struct
import threading
from collections.abc import Callable
from typing import Any

from tests.standins.base import Reply

Json = dict[str, Any]
PNG = b"\x89PNG\r\n\x1a\n"
MAX_CAPTION = 1024


def _bad_request(description: str) -> Reply:
    return Reply(400, {"ok": False, "error_code": 400,
                       "description": f"Bad Request: {description}"})


class TelegramFiles:
    """sendPhoto for StandInTelegram (which supplies _chat, _new_message, bot and the lock;
    `_uploaded` holds the current request's files, by field)."""

    _lock: threading.RLock
    _chats: dict[int, Json]
    _chat: Callable[[Json], Json]
    _new_message: Callable[..., Json]
    _uploaded: dict[str, bytes]
    bot: Json

    def _file_methods(self) -> dict[str, Callable[[Json], Any]]:
        self._photos: dict[str, bytes] = {}  # file_id → bytes
        return {"sendphoto": self._send_photo}

    def photos(self, chat_id: int) -> list[Json]:
        """Photos the bot sent to the chat, oldest first: the Message plus `content` (the
        bytes of its largest size)."""
        with self._lock:
            return [{**copy.deepcopy(m), "content": self._photos[m["photo"][-1]["file_id"]]}
                    for m in self._chats[chat_id]["messages"].values()
                    if m["from"]["id"] == self.bot["id"] and "photo" in m]

    def _send_photo(self, p: Json) -> Json:
        chat, thread = self._chat(p), None
        if p.get("message_thread_id") not in (None, "", "0", 0):
            thread = int(str(p["message_thread_id"]))
            if thread not in chat["topics"]:
                raise _bad_request("message thread not found")
        data = self._uploaded.get("photo")
        if data is None:
            raise _bad_request("there is no photo in the request")
        if not data.startswith(PNG) or len(data) < 24:
            raise _bad_request("IMAGE_PROCESS_FAILED")
        caption = str(p.get("caption") or "")
        if len(caption) > MAX_CAPTION:
            raise _bad_request("message caption is too long")
        width, height = struct.unpack(">II", data[16:24])
        digest = hashlib.sha256(data).hexdigest()
        file_id = f"AgACAgIAAxkBAA{digest[:24]}"
        self._photos[file_id] = data
        sizes = [{"file_id": f"{file_id}{w}", "file_unique_id": f"AQAD{digest[:8]}{w}",
                  "width": w, "height": round(height * w / width), "file_size": len(data) // k}
                 for w, k in ((90, 16), (320, 4)) if w < width]
        sizes.append({"file_id": file_id, "file_unique_id": f"AQAD{digest[:12]}",
                      "width": width, "height": height, "file_size": len(data)})
        for size in sizes[:-1]:
            self._photos[size["file_id"]] = data
        fields: Json = {"photo": sizes}
        if caption:
            fields["caption"] = caption
        return copy.deepcopy(self._new_message(chat, self.bot, thread, **fields))
