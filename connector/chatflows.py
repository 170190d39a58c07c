"""Chat actions from the outbox: threads per ticket or alert, kept in the store, posted in order."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine

from connector.actions import (
    AnswerButton,
    Deescalate,
    Escalate,
    InChannel,
    Notify,
    PostAlert,
    PostImage,
    PostInThread,
    RelayNote,
    ThreadAction,
    UpdateAlert,
)
from connector.adapters import DONE, Adapter, Performed, Tracker
from connector.chat import Button, Chat, Image, Posted, split_text
from connector.chatrooms import RoomActions
from connector.errors import PermanentActionError, RetryableActionError
from connector.events import TicketRef
from connector.store import threads
from connector.store.db import reading
from connector.store.outbox import OutboxItem
from connector.wording import ticket_label

log = logging.getLogger(__name__)

Render = Callable[..., str]  # render(template_id, mapping name or None, **values)


class ChatPerformer(RoomActions, Adapter):
    """Performs chat actions on one platform, remembering which thread belongs to which ticket."""

    def __init__(self, chat: Chat, channels: dict[str, str], engine: Engine, render: Render,
                 trackers: dict[str, Tracker], *, pool: list[str] | None = None) -> None:
        self.chat, self.channels, self.engine = chat, channels, engine
        self.render, self.trackers, self.pool = render, trackers, pool or []

    def perform(self, item: OutboxItem) -> Performed:
        handlers: dict[str, Callable[[OutboxItem], Performed | None]] = {
            "escalate": self._open, "post_alert": self._open,
            "relay_note": self._post, "post_in_thread": self._post,
            "deescalate": self._close, "update_alert": self._update,
            "answer_button": self._answer, "notify": self._notify,
            "post_image": self._post_image,
            "open_room": self._open_room, "update_room": self._update_room,
            "post_in_room": self._post_in_room, "answer_join": self._answer_join,
            "open_form": self._open_form, "close_room": self._close_room,
            "remove_member": self._remove_member,
        }
        handler = handlers.get(item.action.kind)
        if handler is None:
            raise PermanentActionError(f"chat cannot {item.action.kind}")
        return handler(item) or DONE

    def _channel_id(self, item: OutboxItem) -> str:
        channel = item.action.params_as(InChannel).channel
        if channel not in self.channels:
            raise PermanentActionError(f"{self.chat.name}: no channel {channel!r} configured")
        return self.channels[channel]

    def _thread(self, item: OutboxItem) -> Any:
        with reading(self.engine) as conn:
            return threads.find(conn, str(item.action.ticket), self.chat.name,
                                item.action.params_as(InChannel).channel)

    def _open(self, item: OutboxItem) -> None:
        """Open the ticket's thread once; a retry finds what an earlier attempt created, and
        posts only the pieces of a long opening text that did not land."""
        p, ticket = item.action.params_as(InChannel), str(item.action.ticket)
        channel_id, row = self._channel_id(item), self._thread(item)
        pieces = split_text(self._opening_text(item), self.chat.max_text)
        title = p.title if isinstance(p, ThreadAction | PostAlert) else ""
        buttons = [Button(t, d) for t, d in p.buttons] if isinstance(p, PostAlert) else []
        if row is not None and row.message_id:
            if row.state == "closed":  # escalated again after it ended
                self.chat.reopen_thread(row.channel_id, row.thread_id)
                self._post_pieces(item, row.channel_id, row.thread_id, pieces, thread_row=row.id)
                with self.engine.begin() as conn:
                    threads.set_state(conn, row.id, "open")
            else:  # the first attempt opened it; its tail may not have landed
                self._post_pieces(item, row.channel_id, row.thread_id, pieces, start=1,
                                  thread_row=row.id)
            return
        if row is None and isinstance(p, PostAlert) and p.topic:
            row = self._shared_topic(p, channel_id, ticket)
        if row is None:
            created = self.chat.create_thread(channel_id, _topic_name(item.action.ticket, title))
            if created is not None:  # remember the topic at once: it cannot be looked up later
                with self.engine.begin() as conn:
                    threads.save(conn, ticket, self.chat.name, p.channel,
                                 Posted(channel_id, created, ""))
                row = self._thread(item)
        thread_id = row.thread_id if row is not None else None
        posted = None
        if thread_id is None and item.attempt > 1:
            posted = self.chat.find_post(channel_id, item.idempotency_key, item.created_at - 5)
        if posted is None:
            posted = self.chat.post(channel_id, thread_id, pieces[0], buttons,
                                    key=item.idempotency_key)
        with self.engine.begin() as conn:
            if row is not None:
                threads.set_message(conn, row.id, posted.message_id)
            else:
                threads.save(conn, ticket, self.chat.name, p.channel, posted)
            self._remember_buttons(conn, posted.channel_id, posted.message_id,
                                   [(b.text, b.data) for b in buttons])
        self._post_pieces(item, posted.channel_id, posted.thread_id, pieces, start=1,
                          thread_row=row.id if row is not None else None)

    def _shared_topic(self, p: PostAlert, channel_id: str, ticket: str) -> Any:
        """The one topic messages like this share (created once, where the chat has topics),
        with this ticket's row in it; None where a message starts its own thread (Slack)."""
        with reading(self.engine) as conn:
            topic = threads.find(conn, p.topic, self.chat.name, p.channel)
        if topic is None:
            created = self.chat.create_thread(channel_id, p.topic_title[:128])
            if created is None:
                return None
            with self.engine.begin() as conn:
                threads.save(conn, p.topic, self.chat.name, p.channel,
                             Posted(channel_id, created, ""))
                topic = threads.find(conn, p.topic, self.chat.name, p.channel)
        if topic is None:
            raise RetryableActionError("the alerts topic was not saved")
        with self.engine.begin() as conn:
            threads.save(conn, ticket, self.chat.name, p.channel,
                         Posted(topic.channel_id, topic.thread_id, ""))
            return threads.find(conn, ticket, self.chat.name, p.channel)

    def _post(self, item: OutboxItem) -> None:
        p, row = item.action.params_as(InChannel), self._thread(item)
        if not isinstance(p, RelayNote | PostInThread):
            raise PermanentActionError(f"{item.action.kind} is not posted into a thread")
        if row is None or row.state != "open":
            log.info("%s: no open %s thread for %s; nothing to post", self.chat.name,
                     p.channel, item.action.ticket)
            return
        self._post_pieces(item, row.channel_id, row.thread_id,
                          split_text(p.text, self.chat.max_text), thread_row=row.id)

    def _close(self, item: OutboxItem) -> None:
        row = self._thread(item)
        if row is None or row.state != "open":
            return
        self._post_pieces(item, row.channel_id, row.thread_id,
                          split_text(item.action.params_as(Deescalate).text, self.chat.max_text),
                          thread_row=row.id)
        self.chat.close_thread(row.channel_id, row.thread_id)
        with self.engine.begin() as conn:
            threads.set_state(conn, row.id, "closed")

    def _update(self, item: OutboxItem) -> None:
        row = self._thread(item)
        if row is None:
            raise RetryableActionError("the alert's message is not posted yet")
        p = item.action.params_as(UpdateAlert)
        with self.engine.begin() as conn:
            self._remember_buttons(conn, row.channel_id, row.message_id, p.buttons)
        self.chat.update(row.channel_id, row.message_id, p.text[: self.chat.max_text],
                         [Button(t, d) for t, d in p.buttons])

    def _notify(self, item: OutboxItem) -> None:
        """A standalone message, split if long; each piece posted once (see _post_pieces)."""
        p = item.action.params_as(Notify)
        self._post_pieces(item, self._channel_id(item), None,
                          split_text(p.text, self.chat.max_text))

    def _post_image(self, item: OutboxItem) -> None:
        """An image shown once: one recorded as shown is skipped; on a retry, what an earlier
        attempt staged is looked for where the platform can tell (Slack's files.info), and a
        staged image that never landed is staged anew. A text too long for a caption goes
        first, as pieces posted once."""
        p, channel_id = item.action.params_as(PostImage), self._channel_id(item)
        key, text = f"{item.idempotency_key}#image", p.text
        if len(text) > self.chat.max_caption:
            self._post_pieces(item, channel_id, None, split_text(text, self.chat.max_text))
            text = ""
        with reading(self.engine) as conn:
            if threads.piece_posted(conn, key) is not None:
                return
            earlier = [s for a in range(1, item.attempt)
                       if (s := threads.piece_posted(conn, f"{key}@{a}"))]
        posted = next((found for s in earlier
                       if (found := self.chat.find_image(channel_id, s)) is not None), None)
        if posted is None:
            image = Image(p.filename, base64.b64decode(p.content), p.title)
            staged = self.chat.stage_image(image)
            if staged:
                with self.engine.begin() as conn:
                    threads.record_piece(conn, f"{key}@{item.attempt}", staged)
            posted = self.chat.post_image(channel_id, None, image, text, staged)
        with self.engine.begin() as conn:
            threads.record_piece(conn, key, posted.message_id)

    def _answer(self, item: OutboxItem) -> None:
        p = item.action.params_as(AnswerButton)
        self.chat.answer_button(p.callback_id, p.text, refusal=p.refusal)

    def _post_pieces(self, item: OutboxItem, channel_id: str, thread_id: str | None,
                     pieces: Sequence[str], start: int = 0, *,
                     thread_row: int | None = None) -> None:
        """Post pieces[start:] in order, each exactly once: a piece's key is the action's key
        and its number; a posted piece is recorded, and on a retry one that landed without
        being recorded is looked for where the platform can tell (Slack message metadata)."""
        for number in range(start, len(pieces)):
            key = f"{item.idempotency_key}#{number}"
            with reading(self.engine) as conn:
                if threads.piece_posted(conn, key) is not None:
                    continue
            posted = None
            if item.attempt > 1:
                posted = self.chat.find_post(channel_id, key, item.created_at - 5,
                                             thread_id=thread_id)
            if posted is None:
                posted = self.chat.post(channel_id, thread_id, pieces[number], key=key)
            with self.engine.begin() as conn:
                threads.record_piece(conn, key, posted.message_id, chat=self.chat.name,
                                     channel_id=channel_id, thread_row=thread_row)

    def _opening_text(self, item: OutboxItem) -> str:
        if item.action.kind != "escalate":
            return item.action.params_as(PostAlert).text
        p = item.action.params_as(Escalate)
        tracker = self.trackers.get(item.action.ticket.tracker)
        facts = tracker.ticket_facts(item.action.ticket) if tracker else None
        lines = [facts.description.strip()[:1500]] if facts and facts.description else []
        lines += [f"— {who}: {body.strip()[:500]}" for who, body in (facts.notes if facts else ())]
        return self.render(
            "escalation", p.mapping, ticket=ticket_label(item.action.ticket),
            title=p.title, url=p.url,
            priority=p.priority or "—", author=(facts.author if facts else "") or "—",
            assignees=", ".join(p.assignees) or "—", channel=p.channel,
            facts="\n".join(lines) or "—")


def _topic_name(ref: TicketRef, title: str) -> str:
    """Ticket id and title, within Telegram's 128 characters."""
    return f"#{ref.key} {title}".strip()[:128]
