"""Telegram rooms and forms: a topic per room, a pinned status, one reply-forced question a step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import telebot
from telebot.types import ForceReply, MessageEntity, ReplyParameters, User

from connector.chat import Room
from connector.errors import PermanentActionError
from connector.forms import FormProgress

T = TypeVar("T")
TOPIC_NAME_MAX = 128
TITLE_MAX = 128  # setChatTitle
PLACEHOLDER_MAX = 64  # ForceReply's input_field_placeholder
# Answering a join request again (or one an admin answered first) is not a failure.
ANSWERED = ("HIDE_REQUESTER_MISSING", "USER_ALREADY_PARTICIPANT")


class TelegramRooms:
    """The rooms-and-forms half of TelegramChat, which supplies `bot` and `_call`."""

    bot: telebot.TeleBot

    def _call(self, fn: Callable[[], T]) -> T:
        raise NotImplementedError  # TelegramChat's: runs the call and classifies its failure

    def create_room(self, name: str, home_id: str,
                    held: Callable[[str], bool] = lambda channel_id: False) -> Room:
        """A topic in the forum supergroup `home_id`: bots cannot create groups."""
        topic = self._call(lambda: self.bot.create_forum_topic(int(home_id),
                                                               name[:TOPIC_NAME_MAX]))
        return Room(home_id, str(topic.message_thread_id), str(topic.name))

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> str | None:
        """A link whose users ask to join (bots cannot add people); answer_join_request lets
        them in."""
        link = self._call(lambda: self.bot.create_chat_invite_link(
            int(channel_id), creates_join_request=True))
        return str(link.invite_link)

    def room_link(self, room: Room) -> str:
        """A join-request link to the supergroup (a topic's own link only works for members)."""
        return str(self.invite(room.channel_id, []))

    def adopt_room(self, channel_id: str, name: str) -> Room:
        """A pool supergroup renamed for this outage (renamed already by an earlier try: fine)."""
        try:
            self._call(lambda: self.bot.set_chat_title(int(channel_id), name[:TITLE_MAX]))
        except PermanentActionError as exc:
            if "not modified" not in str(exc):
                raise
        return Room(channel_id, None, name[:TITLE_MAX])

    def remove_member(self, channel_id: str, user_id: str) -> None:
        """Out of the group, free to come back through a new link: ban, then unban."""
        self._call(lambda: self.bot.ban_chat_member(int(channel_id), int(user_id)))
        self._call(lambda: self.bot.unban_chat_member(int(channel_id), int(user_id),
                                                      only_if_banned=True))

    def pin(self, channel_id: str, message_id: str) -> None:
        self._call(lambda: self.bot.pin_chat_message(int(channel_id), int(message_id),
                                                     disable_notification=True))

    def unpin(self, channel_id: str, message_id: str) -> None:
        self._call(lambda: self.bot.unpin_chat_message(int(channel_id), int(message_id)))

    def close_room(self, room: Room) -> None:
        """Closes the topic; a bot cannot archive the supergroup itself."""
        thread = room.thread_id
        if thread:
            self._call(lambda: self.bot.close_forum_topic(int(room.channel_id), int(thread)))

    def answer_join_request(self, channel_id: str, user_id: str, approve: bool) -> None:
        answer = (self.bot.approve_chat_join_request if approve
                  else self.bot.decline_chat_join_request)
        try:
            self._call(lambda: answer(int(channel_id), int(user_id)))
        except PermanentActionError as exc:
            if not any(code in str(exc) for code in ANSWERED):
                raise

    def open_form(self, progress: FormProgress, channel_id: str, thread_id: str | None = None,
                  *, trigger_id: str = "", reply_to: str = "",
                  for_user: tuple[str, str] | None = None) -> FormProgress:
        """Asks the current field: `title (k/n)` and its label, and — before the person has
        answered anything — their name as a mention; a selective ForceReply then gives the
        reply field to them alone (to the author of `reply_to` once they have answered)."""
        field = progress.current
        if field is None:
            return progress
        form = progress.form
        text = f"{form.title} ({len(progress.answers) + 1}/{len(form.fields)})\n{field.label}"
        entities = None
        if for_user is not None and not reply_to and for_user[0].lstrip("-").isdigit():
            name = for_user[1] or for_user[0]
            offset = len(f"{text}\n".encode("utf-16-le")) // 2  # Telegram counts UTF-16 units
            entities = [MessageEntity("text_mention", offset, len(name.encode("utf-16-le")) // 2,
                                      user=User(int(for_user[0]), False, name))]
            text = f"{text}\n{name}"
        markup = ForceReply(selective=True if reply_to or entities else None,
                            input_field_placeholder=field.placeholder[:PLACEHOLDER_MAX] or None)
        message = self._call(lambda: self.bot.send_message(
            int(channel_id), text, message_thread_id=int(thread_id) if thread_id else None,
            reply_markup=markup, entities=entities,
            reply_parameters=ReplyParameters(int(reply_to)) if reply_to else None))
        return progress.asked(str(message.message_id))
