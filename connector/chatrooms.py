"""Chat actions on rooms (an outage's own channel or topic), for ChatPerformer: open it once,
invite, post the intro and the pinned status message; rewrite the status in place."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from connector.actions import (
    AnswerJoin,
    CloseRoom,
    InChannel,
    OpenForm,
    OpenRoom,
    PostInRoom,
    RemoveMember,
    UpdateRoom,
)
from connector.adapters import Performed
from connector.chat import Button, Posted, Room, split_text
from connector.errors import NotYetError, PermanentActionError
from connector.forms import Form, FormField, FormProgress
from connector.store import pool, threads
from connector.store.db import reading
from connector.store.outbox import OutboxItem

log = logging.getLogger(__name__)


class RoomActions:
    """Mixed into ChatPerformer (chat, channels, engine, _channel_id, _post_pieces)."""

    chat: Any
    engine: Any
    pool: list[str]

    def _room(self, item: OutboxItem) -> Any:
        with reading(self.engine) as conn:
            return threads.find(conn, str(item.action.ticket), self.chat.name,
                                item.action.params_as(InChannel).channel)

    def _open_room(self, item: OutboxItem) -> Performed:
        """Each step once: a retry finds the room (Slack adopts its own channel of that name,
        the store remembers a Telegram topic or pool room) and posts only what did not land.
        The result names the room and its link, for the notices."""
        p, ticket = item.action.params_as(OpenRoom), str(item.action.ticket)
        row = self._room(item)
        if row is None:
            room = self._new_room(item, p.name)
            with self.engine.begin() as conn:
                threads.save(conn, ticket, self.chat.name, p.channel,
                             Posted(room.channel_id, room.thread_id or "", ""))
            row = self._room(item)
        room = Room(row.channel_id, row.thread_id or None, p.name)
        if not row.message_id:
            self._furnish(item, p, row)
        return Performed(result={"chat": self.chat.name, "room": p.name,
                                 "link": self.chat.room_link(room)})

    def _new_room(self, item: OutboxItem, name: str) -> Room:
        """A pool room when the chat has a free one (Telegram pool mode), else a new room (a
        Slack channel, a topic in the home supergroup)."""
        if self.pool and item.action.params_as(OpenRoom).pooled:
            with self.engine.begin() as conn:
                pool.seed(conn, self.chat.name, self.pool)
                channel_id = pool.claim(conn, self.chat.name, str(item.action.ticket), self.pool)
            if channel_id is None:
                log.warning("%s: every pool room is taken (%d); %s gets a topic in the "
                            "home supergroup: add supergroups to room_pool", self.chat.name,
                            len(self.pool), name)
            else:
                try:
                    return self.chat.adopt_room(channel_id, name)
                except PermanentActionError as exc:  # the bot lacks rights there: a topic
                    log.error("%s: pool room %s refused (%s): give the bot the rights to "
                              "change info, invite users, pin and ban; %s gets a topic",
                              self.chat.name, channel_id, exc, name)
                    with self.engine.begin() as conn:
                        pool.release(conn, self.chat.name, channel_id)
        home = self._channel_id(item)  # type: ignore[attr-defined]
        p = item.action.params_as(OpenRoom)
        if p.thread:  # the intro opens the thread; the rest of the room lives under it
            key = f"{item.idempotency_key}#intro"
            posted = self.chat.find_post(home, key, item.created_at - 5) \
                if item.attempt > 1 else None
            if posted is None:
                posted = self.chat.post(home, None, p.intro[: self.chat.max_text], [], key=key)
            return Room(home, posted.thread_id or posted.message_id, name)
        return self.chat.create_room(name, home, held=partial(self._held, str(item.action.ticket)))

    def _held(self, ticket: str, channel_id: str) -> bool:
        """Another ticket's room is this channel (its name came first)."""
        with reading(self.engine) as conn:
            return threads.held_by_other(conn, self.chat.name, channel_id, ticket)

    def _furnish(self, item: OutboxItem, p: OpenRoom, row: Any) -> None:
        """People invited, the intro posted, the status posted and pinned."""
        thread = row.thread_id or None
        people = p.invite.get(self.chat.name, [])
        if people:
            try:
                self.chat.invite(row.channel_id, people)
            except PermanentActionError as exc:  # a catalog typo must not keep the room shut
                log.warning("%s: not everyone could be invited to %s: %s", self.chat.name,
                            p.name, exc)
        if not p.thread:  # a thread's intro is its first message, posted with it
            self._post_pieces(item, row.channel_id, thread,  # type: ignore[attr-defined]
                              split_text(p.intro, self.chat.max_text))
        key = f"{item.idempotency_key}#status"
        posted = self.chat.find_post(row.channel_id, key, item.created_at - 5, thread) \
            if item.attempt > 1 else None
        if posted is None:
            posted = self.chat.post(row.channel_id, thread, p.status[: self.chat.max_text],
                                    [Button(t, d) for t, d in p.buttons], key=key)
        self.chat.pin(row.channel_id, posted.message_id)
        with self.engine.begin() as conn:
            threads.set_message(conn, row.id, posted.message_id)
            self._remember_buttons(conn, row.channel_id, posted.message_id, p.buttons)

    def _post_in_room(self, item: OutboxItem) -> None:
        """Posted once: a retry looks for it by its key where the platform can tell."""
        p, row = item.action.params_as(PostInRoom), self._room(item)
        if row is None or not row.message_id:
            raise NotYetError("the outage room is not open yet")
        thread = row.thread_id or None
        if p.note:
            self._room_note(item, p, row.channel_id, thread)
            return
        if not p.buttons:  # a long text (a conclusion) in pieces, each once
            self._post_pieces(item, row.channel_id, thread,  # type: ignore[attr-defined]
                              split_text(p.text, self.chat.max_text))
            return
        key = f"{item.idempotency_key}#0"
        posted = self.chat.find_post(row.channel_id, key, item.created_at - 5, thread) \
            if item.attempt > 1 else None
        if posted is None:
            posted = self.chat.post(row.channel_id, thread, p.text[: self.chat.max_text],
                                    [Button(t, d) for t, d in p.buttons], key=key)
        with self.engine.begin() as conn:
            self._remember_buttons(conn, row.channel_id, posted.message_id, p.buttons)

    def _room_note(self, item: OutboxItem, p: PostInRoom, channel_id: str,
                   thread: str | None) -> None:
        """The note's one message in the room: edited once posted; posted once (a retry looks
        for it by its key where the platform can tell)."""
        key, text = f"{p.note}|{self.chat.name}", p.text[: self.chat.max_text]
        buttons = [Button(t, d) for t, d in p.buttons]
        with reading(self.engine) as conn:
            message_id = threads.piece_posted(conn, key)
        if message_id is not None:
            self.chat.update(channel_id, message_id, text, buttons)
            return
        posted = self.chat.find_post(channel_id, key, item.created_at - 5, thread) \
            if item.attempt > 1 else None
        if posted is None:
            posted = self.chat.post(channel_id, thread, text, buttons, key=key)
        with self.engine.begin() as conn:
            threads.record_piece(conn, key, posted.message_id)
            self._remember_buttons(conn, channel_id, posted.message_id, p.buttons)

    def _open_form(self, item: OutboxItem) -> Performed:
        """The form in the room; a Slack modal once (a retry of an expired trigger fails for
        good: the person presses again), a Telegram question per field."""
        p, row = item.action.params_as(OpenForm), self._room(item)
        if row is None:
            raise PermanentActionError("the room is gone")
        form = Form(p.form_id, p.title, tuple(FormField(**f.model_dump()) for f in p.fields),
                    p.submit)
        progress = self.chat.open_form(FormProgress(form, tuple(p.answers)), row.channel_id,
                                       row.thread_id or None, trigger_id=p.trigger_id,
                                       reply_to=p.reply_to,
                                       for_user=(p.user_id, p.user_name) if p.user_id
                                       else None)
        return Performed(result={"prompt_id": progress.prompt_id, "chat": self.chat.name})

    def _close_room(self, item: OutboxItem) -> None:
        """Once: archived (a Slack channel), closed (a topic; a Slack thread stays as it is),
        or emptied and returned to the pool (a pool supergroup)."""
        p, row = item.action.params_as(CloseRoom), self._room(item)
        if row is None or row.state == "closed":
            return
        if row.channel_id in self.pool:
            self._empty_pool_room(row.channel_id, row.message_id, p)
            with self.engine.begin() as conn:  # closed as it goes back: never two open holders
                threads.set_state(conn, row.id, "closed")
                pool.release(conn, self.chat.name, row.channel_id)
            return
        try:
            self.chat.close_room(Room(row.channel_id, row.thread_id or None, ""))
        except PermanentActionError:  # not archived (rights): the outage's room is over anyway
            self._closed(row.id)
            raise
        self._closed(row.id)  # a retryable failure leaves it open, to be tried again

    def _closed(self, thread_row_id: int) -> None:
        with self.engine.begin() as conn:
            threads.set_state(conn, thread_row_id, "closed")

    def _empty_pool_room(self, channel_id: str, status_id: str, p: CloseRoom) -> None:
        """Each person out on their own, the outage's status unpinned and the title back, as
        far as the rights go: a room someone cannot be removed from (its owner) still goes
        back to the pool."""
        if status_id:
            try:
                self.chat.unpin(channel_id, status_id)
            except PermanentActionError as exc:
                log.warning("%s: pool room %s keeps the old status pinned: %s", self.chat.name,
                            channel_id, exc)
        for user in p.members.get(self.chat.name, []):
            try:
                self.chat.remove_member(channel_id, user)
            except PermanentActionError as exc:
                log.warning("%s: %s stays in pool room %s: %s", self.chat.name, user,
                            channel_id, exc)
        if p.free_title:
            try:
                self.chat.adopt_room(channel_id, p.free_title)
            except PermanentActionError as exc:
                log.warning("%s: pool room %s keeps its title: %s", self.chat.name,
                            channel_id, exc)

    def _answer_join(self, item: OutboxItem) -> None:
        p = item.action.params_as(AnswerJoin)
        self.chat.answer_join_request(p.channel_id, p.user_id, p.approve)

    def _remove_member(self, item: OutboxItem) -> None:
        """Out of the forum; someone the bot may not remove (its owner, an admin) stays, and
        the log says so."""
        p = item.action.params_as(RemoveMember)
        try:
            self.chat.remove_member(p.channel_id, p.user_id)
        except PermanentActionError as exc:
            log.warning("%s: %s stays in %s: %s", self.chat.name, p.user_id, p.channel_id, exc)

    def _update_room(self, item: OutboxItem) -> None:
        p, row = item.action.params_as(UpdateRoom), self._room(item)
        if row is None or not row.message_id:
            raise NotYetError("the outage room is not open yet")
        with self.engine.begin() as conn:  # before the press can come back
            self._remember_buttons(conn, row.channel_id, row.message_id, p.buttons)
        self.chat.update(row.channel_id, row.message_id, p.status[: self.chat.max_text],
                         [Button(t, d) for t, d in p.buttons])

    def _remember_buttons(self, conn: Any, channel_id: str, message_id: str,
                          buttons: Sequence[tuple[str, str]]) -> None:
        """What a press on this message may name (see threads.posted_button)."""
        threads.record_buttons(conn, self.chat.name, channel_id, message_id,
                               [data for _, data in buttons])
