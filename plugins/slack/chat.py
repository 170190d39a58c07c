"""Slack through slack_sdk: a thread per ticket under a top-level message in a channel."""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.parse
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from connector.chat import Button, Chat, ChatUser, Posted
from connector.errors import PermanentActionError, RetryableActionError
from plugins.slack.config import SlackConfig
from plugins.slack.files import SlackFiles
from plugins.slack.rooms import SlackRooms

log = logging.getLogger(__name__)

T = TypeVar("T")
TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                       "request_timeout"})
METADATA_TYPE = "helpdesk_connector_thread"
SLACK_HOOKS = "hooks.slack.com"  # where Slack's response_url points
MEMBERS_TTL = 60.0  # seconds a channel's member list is trusted
USERS_TTL = 3600.0  # seconds a person's name and e-mail are trusted (users.info is tier 4)
USERS_KEPT = 2000  # names kept at most; the oldest go first


class SlackChat(SlackFiles, SlackRooms, Chat):
    """Threads are replies under one top-level message (rooms and forms: rooms.py; images:
    files.py); retries are the outbox's job."""

    name = "slack"
    max_text = 3000  # a section block's limit; longer texts are split by the flows
    max_caption = 3000  # a shared file's comment

    def __init__(self, config: SlackConfig) -> None:
        base = config.base_url if config.base_url.endswith("/") else config.base_url + "/"
        self.client = WebClient(token=config.bot_token.get_secret_value(), base_url=base,
                                timeout=int(config.timeout_seconds), retry_handlers=[])
        self.timeout = config.timeout_seconds
        self._members: dict[str, tuple[float, set[str]]] = {}  # channel → (until, members)
        self._users: dict[str, tuple[float, ChatUser]] = {}  # user id → (until, who)
        self._users_lock = threading.Lock()  # the worker's threads share it

    def create_thread(self, channel_id: str, title: str) -> str | None:
        return None  # the first message starts the thread

    def post(self, channel_id: str, thread_id: str | None, text: str,
             buttons: Sequence[Button] = (), key: str = "") -> Posted:
        kwargs: dict[str, Any] = {"channel": channel_id, "text": text}
        if thread_id:
            kwargs["thread_ts"] = thread_id
        if buttons:
            kwargs["blocks"] = _blocks(text, buttons)
        if key:
            kwargs["metadata"] = {"event_type": METADATA_TYPE, "event_payload": {"key": key}}
        resp = self._call(lambda: self.client.chat_postMessage(**kwargs))
        ts = str(resp["ts"])
        return Posted(str(resp["channel"]), thread_id or ts, ts)

    def find_post(self, channel_id: str, key: str, since: float,
                  thread_id: str | None = None) -> Posted | None:
        if thread_id:
            resp = self._call(lambda: self.client.conversations_replies(
                channel=channel_id, ts=thread_id, oldest=f"{since:.6f}",
                include_all_metadata=True, limit=200))
        else:
            resp = self._call(lambda: self.client.conversations_history(
                channel=channel_id, oldest=f"{since:.6f}", include_all_metadata=True, limit=100))
        for message in resp.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == key:
                return Posted(channel_id, thread_id or str(message["ts"]), str(message["ts"]))
        return None

    def update(self, channel_id: str, message_id: str, text: str,
               buttons: Sequence[Button] = ()) -> None:
        self._call(lambda: self.client.chat_update(
            channel=channel_id, ts=message_id, text=text, blocks=_blocks(text, buttons)))

    def close_thread(self, channel_id: str, thread_id: str) -> None:
        """Slack threads cannot be closed; the final message says it is over."""

    def reopen_thread(self, channel_id: str, thread_id: str) -> None:
        """Nothing to reopen in Slack."""

    def describe_user(self, user_id: str) -> ChatUser:
        """A person's real name and e-mail, asked once an hour (every message in a room is
        named by its author: Slack's message event carries only the id)."""
        known = self._users.get(user_id)
        if known is not None and known[0] > time.monotonic():
            return known[1]
        user = self._call(lambda: self.client.users_info(user=user_id))["user"]
        profile = user.get("profile") or {}
        found = ChatUser(str(user.get("real_name") or profile.get("real_name") or
                             user.get("name") or user_id), str(profile.get("email") or ""))
        with self._users_lock:
            if len(self._users) >= USERS_KEPT:
                self._users.pop(next(iter(self._users)))
            self._users[user_id] = (time.monotonic() + USERS_TTL, found)
        return found

    def answer_button(self, callback_id: str, text: str, *, refusal: bool = False) -> None:
        """A refusal goes to the press's response_url (`callback_id`), visible only to the
        presser; Slack's own hooks host or this API's host only, never anywhere else."""
        if not refusal or not callback_id:
            return
        host = urllib.parse.urlsplit(callback_id).hostname or ""
        if host not in (SLACK_HOOKS, urllib.parse.urlsplit(self.client.base_url).hostname):
            log.warning("Slack response_url on an unexpected host %r: not answered", host)
            return
        body = {"response_type": "ephemeral", "replace_original": False, "text": text}
        try:
            answer = requests.post(callback_id, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise RetryableActionError(f"Slack response_url: {type(exc).__name__}") from None
        if answer.status_code >= 400:  # expired after 30 minutes, or used up
            raise PermanentActionError(f"Slack response_url answered {answer.status_code}")

    def is_member(self, channel_id: str, user_id: str) -> bool:
        """Members of a channel, read once a minute (conversations.members is paged)."""
        cached = self._members.get(channel_id)
        if cached is None or cached[0] < time.monotonic():
            members: set[str] = set()
            cursor = ""
            while True:
                page = self._call(partial(self.client.conversations_members,
                                          channel=channel_id, cursor=cursor, limit=500))
                members.update(str(m) for m in page.get("members") or [])
                cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
                if not cursor:
                    break
            cached = self._members[channel_id] = (time.monotonic() + MEMBERS_TTL, members)
        return user_id in cached[1]

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
