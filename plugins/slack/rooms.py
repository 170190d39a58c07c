"""Slack rooms and forms: a channel per room, a pinned status, a modal per form."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import cached_property, partial
from typing import Any, TypeVar

from slack_sdk import WebClient

from connector.chat import Room
from connector.errors import PermanentActionError
from connector.forms import FormProgress

T = TypeVar("T")
NAME_MAX = 80  # conversations.create: lowercase letters, digits, - and _, ≤ 80
NAME_TRIES = 9  # name, name-2 … name-9 when others hold the name
TITLE_MAX = 24  # a modal's title, submit and close texts
PLACEHOLDER_MAX = 150
LABEL_MAX = 2000


def channel_name(text: str) -> str:
    """A Slack channel name from a room name: `Outage 42: VPN` → `outage-42-vpn`."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")
    return re.sub(r"-{2,}", "-", slug)[:NAME_MAX].strip("-")


class SlackRooms:
    """The rooms-and-forms half of SlackChat, which supplies `client` and `_call`."""

    client: WebClient

    def _call(self, fn: Callable[[], T]) -> T:
        raise NotImplementedError  # SlackChat's: runs the call and classifies its failure

    def create_room(self, name: str, home_id: str,
                    held: Callable[[str], bool] = lambda channel_id: False) -> Room:
        """A private channel (only the people invited see an outage's room; issue 20 item 5);
        `home_id` is not needed (Slack creates channels itself). A name
        someone else holds (or an archived channel has) is not ours to use: `name-2`, `name-3`…
        are tried, each first looked up among the bot's own channels (an earlier try's) — one
        `held` by another ticket's room (#23 of another project, the same day) is not ours."""
        base = channel_name(name)
        for n in range(1, NAME_TRIES + 1):
            slug = base if n == 1 else f"{base[: NAME_MAX - 3]}-{n}"
            try:
                channel = self._call(partial(self.client.conversations_create,
                                             name=slug, is_private=True))["channel"]
            except PermanentActionError as exc:
                if "name_taken" not in str(exc):
                    raise
                own = self._own_channel(slug)
                if own is not None and not held(own.channel_id):
                    return own
                continue
            return Room(str(channel["id"]), None, str(channel["name"]))
        raise PermanentActionError(f"Slack: the names {base} … {base}-{NAME_TRIES} are all "
                                   "taken by channels the connector did not create")

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> str | None:
        """Slack refuses a whole invitation when one person is already in, or unknown: then one
        by one, so everyone who can be invited is; who could not is named at the end."""
        if not user_ids:
            return None
        try:
            self._invite(channel_id, user_ids)
        except PermanentActionError:
            failed = []
            for user in user_ids:
                try:
                    self._invite(channel_id, [user])
                except PermanentActionError as exc:
                    if "already_in_channel" not in str(exc):
                        failed.append(f"{user} ({exc})")
            if failed:
                raise PermanentActionError(f"not invited: {', '.join(failed)}") from None
        return None

    def pin(self, channel_id: str, message_id: str) -> None:
        try:
            self._call(lambda: self.client.pins_add(channel=channel_id, timestamp=message_id))
        except PermanentActionError as exc:
            if "already_pinned" not in str(exc):
                raise

    def close_room(self, room: Room) -> None:
        """Archives the room's channel; a room that is a thread in a shared channel (Belarus
        §4.3's form) stays as it is."""
        if room.thread_id:
            return
        try:
            self._call(lambda: self.client.conversations_archive(channel=room.channel_id))
        except PermanentActionError as exc:
            if "already_archived" not in str(exc):
                raise

    def room_link(self, room: Room) -> str:
        return f"https://slack.com/app_redirect?channel={room.channel_id}"

    def answer_join_request(self, channel_id: str, user_id: str, approve: bool) -> None:
        """Slack has no join requests (see the port): nothing to answer."""

    def open_form(self, progress: FormProgress, channel_id: str, thread_id: str | None = None,
                  *, trigger_id: str = "", reply_to: str = "",
                  for_user: tuple[str, str] | None = None) -> FormProgress:
        """A modal only the presser sees (the trigger is theirs)."""
        if not trigger_id:
            raise PermanentActionError("Slack opens a form only from a press or a command "
                                       "(trigger_id)")
        view = modal(progress, channel_id, thread_id)
        answer = self._call(lambda: self.client.views_open(trigger_id=trigger_id, view=view))
        return progress.asked(str(answer["view"]["id"]))

    @cached_property
    def _bot_user(self) -> str:
        return str(self._call(self.client.auth_test)["user_id"])

    def _invite(self, channel_id: str, user_ids: Sequence[str]) -> None:
        try:
            self._call(lambda: self.client.conversations_invite(channel=channel_id,
                                                                users=",".join(user_ids)))
        except PermanentActionError as exc:
            if len(user_ids) > 1 or "already_in_channel" not in str(exc):
                raise

    def _own_channel(self, name: str) -> Room | None:
        """The unarchived channel of that name this bot created (an earlier try's), if any."""
        cursor = ""
        while True:
            page = self._call(partial(
                self.client.conversations_list, types="public_channel,private_channel",
                exclude_archived=True, limit=1000, cursor=cursor))
            for channel in page.get("channels") or []:
                if channel.get("name") == name and channel.get("creator") == self._bot_user:
                    return Room(str(channel["id"]), None, name)
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return None


def modal(progress: FormProgress, channel_id: str, thread_id: str | None) -> dict[str, Any]:
    """The form as a modal view: one input block per field, answers so far filled in; where it
    was opened travels in private_metadata."""
    form, answers = progress.form, progress.values()
    blocks: list[dict[str, Any]] = []
    for field in form.fields:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": field.name,
                                   "multiline": field.multiline}
        if field.placeholder:
            element["placeholder"] = _text(field.placeholder, PLACEHOLDER_MAX)
        if answers.get(field.name) or field.initial:
            element["initial_value"] = answers.get(field.name) or field.initial
        blocks.append({"type": "input", "block_id": field.name, "optional": field.optional,
                       "label": _text(field.label, LABEL_MAX), "element": element})
    return {"type": "modal", "callback_id": form.form_id, "title": _text(form.title, TITLE_MAX),
            "submit": _text(form.submit, TITLE_MAX), "blocks": blocks,
            "private_metadata": json.dumps({"channel": channel_id, "thread": thread_id})}


def form_answers(view: dict[str, Any]) -> dict[str, str]:
    """A submitted modal's answers by field name (view_submission's `view`); empty optional
    fields come back as ""."""
    values = (view.get("state") or {}).get("values") or {}
    return {block: str((actions.get(block) or {}).get("value") or "")
            for block, actions in values.items() if isinstance(actions, dict)}


def _text(text: str, limit: int) -> dict[str, str]:
    return {"type": "plain_text", "text": text[:limit] or " "}
