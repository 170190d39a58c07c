"""Telegram through pyTelegramBotAPI: a forum topic per ticket in a configured supergroup."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

import requests
import telebot
from telebot import apihelper
from telebot.types import InlineKeyboardButton, InlineKeyboardMarkup, InputFile

from connector.chat import Button, Chat, ChatUser, Image, Posted
from connector.errors import PermanentActionError, RetryableActionError
from plugins.telegram.config import TelegramConfig
from plugins.telegram.rooms import TelegramRooms

log = logging.getLogger(__name__)

T = TypeVar("T")
# Repeating an edit, a close or a button answer after an earlier try landed is not a failure.
HARMLESS = ("message is not modified", "TOPIC_NOT_MODIFIED", "query is too old")


def configure_api(config: TelegramConfig) -> None:
    """Point telebot at the configured Bot API server (process-wide in telebot)."""
    apihelper.API_URL = config.api_url.rstrip("/") + "/bot{0}/{1}"  # type: ignore[assignment]
    apihelper.CONNECT_TIMEOUT = apihelper.READ_TIMEOUT = int(config.timeout_seconds)


class TelegramChat(TelegramRooms, Chat):
    """Bots cannot create groups: one forum supergroup per channel, a topic per thread (rooms
    and forms: rooms.py)."""

    name = "telegram"
    max_text = 4096
    max_caption = 1024  # a photo's caption

    def __init__(self, config: TelegramConfig) -> None:
        configure_api(config)
        self.bot = telebot.TeleBot(config.bot_token.get_secret_value(), threaded=False)

    def create_thread(self, channel_id: str, title: str) -> str | None:
        topic = self._call(lambda: self.bot.create_forum_topic(int(channel_id), title[:128]))
        return str(topic.message_thread_id)

    def post(self, channel_id: str, thread_id: str | None, text: str,
             buttons: Sequence[Button] = (), key: str = "") -> Posted:
        message = self._call(lambda: self.bot.send_message(
            int(channel_id), text, message_thread_id=int(thread_id) if thread_id else None,
            reply_markup=_keyboard(buttons)))
        return Posted(channel_id, thread_id or "", str(message.message_id))

    def find_post(self, channel_id: str, key: str, since: float,
                  thread_id: str | None = None) -> Posted | None:
        return None  # Telegram has no history API; topics are saved as soon as they exist

    def post_image(self, channel_id: str, thread_id: str | None, image: Image, text: str,
                   staged: str = "") -> Posted:
        """A photo with its caption (sendPhoto, the bytes as a multipart file)."""
        message = self._call(lambda: self.bot.send_photo(
            int(channel_id), InputFile(io.BytesIO(image.content), file_name=image.filename),
            caption=text or None, message_thread_id=int(thread_id) if thread_id else None))
        return Posted(channel_id, thread_id or "", str(message.message_id))

    def update(self, channel_id: str, message_id: str, text: str,
               buttons: Sequence[Button] = ()) -> None:
        self._call(lambda: self.bot.edit_message_text(
            text, int(channel_id), int(message_id), reply_markup=_keyboard(buttons)))

    def close_thread(self, channel_id: str, thread_id: str) -> None:
        self._call(lambda: self.bot.close_forum_topic(int(channel_id), int(thread_id)))

    def reopen_thread(self, channel_id: str, thread_id: str) -> None:
        self._call(lambda: self.bot.reopen_forum_topic(int(channel_id), int(thread_id)))

    def describe_user(self, user_id: str) -> ChatUser:
        return ChatUser("")  # the update already names the sender; Telegram has no e-mails

    def answer_button(self, callback_id: str, text: str, *, refusal: bool = False) -> None:
        self._call(lambda: self.bot.answer_callback_query(callback_id, text,
                                                          show_alert=refusal))

    def is_member(self, channel_id: str, user_id: str) -> bool:
        if not (user_id.isascii() and user_id.isdigit()):
            return False
        member = self._call(lambda: self.bot.get_chat_member(int(channel_id), int(user_id)))
        status = getattr(member, "status", "")
        return status in MEMBERS or (status == "restricted" and bool(
            getattr(member, "is_member", False)))

    def register_webhook(self, url: str, secret: str) -> None:
        self._call(lambda: self.bot.set_webhook(
            url=url, secret_token=secret,
            allowed_updates=["message", "callback_query", "chat_join_request"]))

    def _call(self, fn: Callable[[], T]) -> T:
        """Run a telebot call and classify its failure for the outbox."""
        try:
            return fn()
        except apihelper.ApiTelegramException as exc:
            if any(h in exc.description for h in HARMLESS):
                return None  # type: ignore[return-value]
            if exc.error_code == 429:
                params = (exc.result_json or {}).get("parameters") or {}
                raise RetryableActionError("Telegram rate limit (429)",
                                           params.get("retry_after")) from None
            if exc.error_code >= 500:
                raise RetryableActionError(f"Telegram error {exc.error_code}") from None
            raise PermanentActionError(f"Telegram refused: {exc.description}") from None
        except apihelper.ApiHTTPException as exc:
            raise RetryableActionError(f"Telegram HTTP error: {exc.result}") from None
        except requests.RequestException as exc:
            raise RetryableActionError(f"Telegram unreachable: {type(exc).__name__}") from None


MEMBERS = frozenset({"creator", "administrator", "member"})


def _keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    markup = InlineKeyboardMarkup()
    for b in buttons:
        markup.row(InlineKeyboardButton(b.text, callback_data=b.data))
    return markup
