"""Slack Events API and interaction payloads → ChatMessage / ChatButton. Pure."""

from __future__ import annotations

from typing import Any

from connector.chat import button_data
from connector.errors import PayloadError
from connector.events import ChatButton, ChatCommand, ChatEvent, ChatForm, ChatMessage
from connector.timestamps import from_epoch

EVENT_CALLBACK = "event_callback"
BLOCK_ACTIONS = "block_actions"
VIEW_SUBMISSION = "view_submission"  # a modal the connector opened, submitted
COMMAND = "slash_command"  # a command recorded for the worker (/progress), not answered at once
RECORDED_COMMANDS = ("/progress", "/metrics", "/outage")
IGNORED_SUBTYPES = frozenset({"message_changed", "message_deleted", "channel_join",
                              "channel_leave", "thread_broadcast"})


def normalize(event_name: str, payload: Any) -> ChatEvent | None:
    """None for everything the connector does not use (edits, joins, other event types)."""
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    if event_name == EVENT_CALLBACK:
        return _message(_dict(payload, "event"))
    if event_name == BLOCK_ACTIONS:
        return _button(payload)
    if event_name == VIEW_SUBMISSION:
        return _form(payload)
    if event_name == COMMAND:
        return ChatCommand(chat="slack", channel_id=_str(payload, "channel_id"),
                           user_id=_str(payload, "user_id"),
                           user_name=str(payload.get("user_name") or payload["user_id"]),
                           command=_str(payload, "command").lstrip("/"),
                           text=str(payload.get("text") or "").strip(),
                           trigger_id=str(payload.get("trigger_id") or ""))
    return None


def _message(event: dict[str, Any]) -> ChatMessage | None:
    if event.get("type") != "message" or event.get("subtype") in IGNORED_SUBTYPES:
        return None
    ts = _str(event, "ts")
    listed = event.get("files")
    files = tuple(str(f.get("permalink") or f.get("url_private") or "")
                  for f in (listed if isinstance(listed, list) else []) if isinstance(f, dict))
    try:
        at = from_epoch(float(ts))
    except (ValueError, OverflowError):
        raise PayloadError(f"event.ts: not a Slack timestamp: {ts[:20]!r}") from None
    return ChatMessage(
        chat="slack", channel_id=_str(event, "channel"),
        thread_id=str(event["thread_ts"]) if event.get("thread_ts") else None,
        message_id=ts, author_id=str(event.get("user") or event.get("bot_id") or ""),
        author_name=str(event.get("username") or ""), text=str(event.get("text") or ""),
        at=at, files=tuple(f for f in files if f),
        from_bot=bool(event.get("bot_id")) or event.get("subtype") == "bot_message",
    )


def _button(payload: dict[str, Any]) -> ChatButton | None:
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise PayloadError("actions: expected a non-empty list")
    parsed = button_data(str(actions[0].get("value") or actions[0].get("action_id") or ""))
    if parsed is None:
        return None
    user, container = _dict(payload, "user"), _dict(payload, "container")
    channel: dict[str, Any] = payload["channel"] if isinstance(payload.get("channel"), dict) else {}
    return ChatButton(
        chat="slack", channel_id=str(channel.get("id") or container.get("channel_id") or ""),
        thread_id=str(container.get("thread_ts") or container.get("message_ts") or "") or None,
        message_id=str(container.get("message_ts") or ""), user_id=_str(user, "id"),
        user_name=str(user.get("name") or user.get("username") or user["id"]),
        feature=parsed[0], action=parsed[1], value=parsed[2],
        callback_id=str(payload.get("response_url") or ""),
        trigger_id=str(payload.get("trigger_id") or ""),
    )


def _form(payload: dict[str, Any]) -> ChatForm | None:
    """A submitted modal: its callback_id is the form's id; None if not the connector's."""
    view, user = _dict(payload, "view"), _dict(payload, "user")
    form_id = str(view.get("callback_id") or "")
    if button_data(form_id) is None:
        return None
    values = (view.get("state") or {}).get("values") if isinstance(view.get("state"),
                                                                     dict) else None
    if not isinstance(values, dict):
        raise PayloadError("view.state.values: expected an object")
    answers = {}
    for block, actions in values.items():
        if isinstance(actions, dict) and isinstance(actions.get(block), dict):
            answers[str(block)] = str(actions[block].get("value") or "")[:3000]
    return ChatForm(chat="slack", form_id=form_id, user_id=_str(user, "id"),
                    user_name=str(user.get("name") or user.get("username") or user["id"]),
                    values=answers)


def _dict(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise PayloadError(f"{key}: expected an object")
    return value


def _str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{key}: required string is missing")
    return value
