"""Slack Events API and interaction payloads → ChatMessage / ChatButton. Pure. Slack signs them,
but every field read is still of the type Slack documents (PayloadError naming it otherwise): a
bug in a payload is a 4xx at receive time, never a crash later in the worker."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from connector.chat import button_data
from connector.errors import PayloadError
from connector.events import ChatButton, ChatCommand, ChatEvent, ChatForm, ChatMessage
from connector.timestamps import from_epoch
from plugins.fields import Fields

EVENT_CALLBACK = "event_callback"
BLOCK_ACTIONS = "block_actions"
VIEW_SUBMISSION = "view_submission"  # a modal the connector opened, submitted
COMMAND = "slash_command"  # a command recorded for the worker (/progress), not answered at once
# A reply «also sent to the channel» is one event of subtype thread_broadcast, and no other:
# it is a reply like any (its thread_ts says where), so it is not among these.
IGNORED_SUBTYPES = frozenset({"message_changed", "message_deleted", "channel_join",
                              "channel_leave"})


def normalize(event_name: str, payload: Any,
              commands: Collection[str] = ()) -> ChatEvent | None:
    """None for everything the connector does not use (edits, joins, other event types)."""
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    fields = Fields(payload, "")
    if event_name == EVENT_CALLBACK:
        return _message(fields.obj("event"))
    if event_name == BLOCK_ACTIONS:
        return _button(fields)
    if event_name == VIEW_SUBMISSION:
        return _form(fields)
    if event_name == COMMAND:
        user_id = fields.text("user_id", required=True)
        return ChatCommand(chat="slack", channel_id=fields.text("channel_id", required=True),
                           user_id=user_id, user_name=fields.text("user_name") or user_id,
                           command=fields.text("command", required=True).lstrip("/"),
                           text=fields.text("text").strip(),
                           trigger_id=fields.text("trigger_id"))
    return None


def _message(event: Fields) -> ChatMessage | None:
    kind, subtype = event.text("type", required=True), event.text("subtype")
    if kind != "message" or subtype in IGNORED_SUBTYPES:
        return None
    ts, channel = event.text("ts", required=True), event.text("channel", required=True)
    files = [f.first_text("permalink", "url_private") for f in event.objects("files")]
    try:
        at = from_epoch(float(ts))
    except (ValueError, OverflowError):
        raise PayloadError(f"event.ts: not a Slack timestamp: {ts[:20]!r}") from None
    bot_id = event.text("bot_id")
    return ChatMessage(
        chat="slack", channel_id=channel, thread_id=event.text("thread_ts") or None,
        message_id=ts, author_id=event.text("user") or bot_id,
        author_name=event.text("username"), text=event.text("text"),
        at=at, files=tuple(f for f in files if f),
        from_bot=bool(bot_id) or subtype == "bot_message",
    )


def _button(payload: Fields) -> ChatButton | None:
    actions = payload.objects("actions")
    if not actions:
        raise PayloadError("actions: expected a non-empty list")
    first = actions[0]
    data = first.first_text("value", "action_id")
    first.text("action_ts")  # part of the receiver's dedup key: checked, not kept
    user, container = payload.obj("user"), payload.obj("container")
    channel = payload.optional_obj("channel")
    in_container = container.text("channel_id")
    channel_id = (channel.text("id") if channel else "") or in_container
    message_ts, user_id = container.text("message_ts"), user.text("id", required=True)
    thread_ts = container.text("thread_ts") or message_ts
    response_url, trigger_id = payload.text("response_url"), payload.text("trigger_id")
    user_name = user.first_text("name", "username") or user_id
    parsed = button_data(data)
    if parsed is None:
        return None
    return ChatButton(
        chat="slack", channel_id=channel_id, thread_id=thread_ts or None,
        message_id=message_ts, user_id=user_id, user_name=user_name,
        feature=parsed[0], action=parsed[1], value=parsed[2],
        callback_id=response_url, trigger_id=trigger_id,
    )


def _form(payload: Fields) -> ChatForm | None:
    """A submitted modal: its callback_id is the form's id; None if not the connector's."""
    view, user = payload.obj("view"), payload.obj("user")
    user_id = user.text("id", required=True)
    user_name = user.first_text("name", "username") or user_id
    form_id = view.text("callback_id")
    view.text("id"), view.text("hash")  # the receiver's dedup key: checked, not kept
    if button_data(form_id) is None:
        return None
    values = view.obj("state").obj("values")
    answers = {}
    for block in values.raw:
        answer = values.obj(block).optional_obj(block)
        if answer is not None:
            answers[str(block)] = answer.text("value")[:3000]
    return ChatForm(chat="slack", form_id=form_id, user_id=user_id, user_name=user_name,
                    values=answers)
