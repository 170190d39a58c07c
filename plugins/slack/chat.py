"""Slack through slack_sdk: a thread per ticket under a top-level message in a channel."""

from __future__ import annotations

import logging
import urllib.error
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from connector.chat import Button, Chat, ChatUser, Posted
from connector.config import SlackConfig
from connector.errors import PermanentActionError, RetryableActionError

log = logging.getLogger(__name__)

T = TypeVar("T")
TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                       "request_timeout"})
METADATA_TYPE = "helpdesk_connector_thread"


class SlackChat(Chat):
    """Threads are replies under one top-level message; retries are the outbox's job."""

    name = "slack"
    max_text = 3000  # a section block's limit; longer texts are split by the flows

    def __init__(self, config: SlackConfig) -> None:
        base = config.base_url if config.base_url.endswith("/") else config.base_url + "/"
        self.client = WebClient(token=config.bot_token.get_secret_value(), base_url=base,
                                timeout=int(config.timeout_seconds), retry_handlers=[])

    def create_thread(self, channel_id: str, title: str) -> str | None:
        return None  # the first message starts the thread

    def post(self, channel_id: str, thread_id: str | None, text: str,
             buttons: Sequence[Button] = (), key: str = "") -> Posted:
        kwargs: dict[str, Any] = {"channel": channel_id, "text": text}
        if thread_id:
            kwargs["thread_ts"] = thread_id
        if buttons:
            kwargs["blocks"] = _blocks(text, buttons)
        if key and not thread_id:
            kwargs["metadata"] = {"event_type": METADATA_TYPE, "event_payload": {"key": key}}
        resp = self._call(lambda: self.client.chat_postMessage(**kwargs))
        ts = str(resp["ts"])
        return Posted(str(resp["channel"]), thread_id or ts, ts)

    def find_post(self, channel_id: str, key: str, since: float) -> Posted | None:
        resp = self._call(lambda: self.client.conversations_history(
            channel=channel_id, oldest=f"{since:.6f}", include_all_metadata=True, limit=100))
        for message in resp.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == key:
                return Posted(channel_id, str(message["ts"]), str(message["ts"]))
        return None

    def update(self, channel_id: str, message_id: str, text: str,
               buttons: Sequence[Button] = ()) -> None:
        self._call(lambda: self.client.chat_update(
            channel=channel_id, ts=message_id, text=text, blocks=_blocks(text, buttons)))

    def close_thread(self, channel_id: str, thread_id: str) -> None:
        """Slack threads cannot be closed; the final message says it is over."""

    def reopen_thread(self, channel_id: str, thread_id: str) -> None:
        """Nothing to reopen in Slack."""

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> str | None:
        try:
            self._call(lambda: self.client.conversations_invite(channel=channel_id,
                                                                users=",".join(user_ids)))
        except PermanentActionError as exc:
            if "already_in_channel" not in str(exc):
                raise
        return None

    def archive(self, channel_id: str) -> None:
        try:
            self._call(lambda: self.client.conversations_archive(channel=channel_id))
        except PermanentActionError as exc:
            if "already_archived" not in str(exc):
                raise

    def describe_user(self, user_id: str) -> ChatUser:
        user = self._call(lambda: self.client.users_info(user=user_id))["user"]
        profile = user.get("profile") or {}
        return ChatUser(str(user.get("real_name") or profile.get("real_name") or
                            user.get("name") or user_id), str(profile.get("email") or ""))

    def answer_button(self, callback_id: str, text: str) -> None:
        """Slack is answered by the 200 of the interaction request itself."""

    def _call(self, fn: Callable[[], T]) -> T:
        """Run an SDK call and classify its failure for the outbox."""
        try:
            return fn()
        except SlackApiError as exc:
            status, error = exc.response.status_code, str(exc.response.get("error", ""))
            if status == 429:
                after = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                    "retry-after")
                raise RetryableActionError("Slack rate limit (429)",
                                           float(after) if after else None) from None
            if status >= 500 or error in TRANSIENT:
                raise RetryableActionError(f"Slack error {status} {error}") from None
            raise PermanentActionError(f"Slack refused: {error or status}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise RetryableActionError(f"Slack unreachable: {type(exc).__name__}") from None


def _blocks(text: str, buttons: Sequence[Button]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn",
                                                                 "text": text or " "}}]
    if buttons:
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": b.text},
             "action_id": b.data, "value": b.data} for b in buttons]})
    return blocks
