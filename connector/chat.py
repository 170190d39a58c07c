"""The chat capability: threads, messages, buttons. Slack and Telegram plugins implement it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    """A button under a message; `data` comes back when it is pressed (≤ 64 bytes)."""

    text: str
    data: str


@dataclass(frozen=True)
class Posted:
    """Where a message landed."""

    channel_id: str
    thread_id: str
    message_id: str


@dataclass(frozen=True)
class ChatUser:
    name: str
    email: str = ""


class Chat(ABC):
    """A chat platform as the flows use it. Failures raise Retryable/PermanentActionError."""

    name: str
    max_text: int  # longer texts are split, never cut

    @abstractmethod
    def create_thread(self, channel_id: str, title: str) -> str | None:
        """Create a thread container if the platform has one (Telegram topic → its id);
        None where the first message starts the thread (Slack)."""

    @abstractmethod
    def post(self, channel_id: str, thread_id: str | None, text: str,
             buttons: Sequence[Button] = (), key: str = "") -> Posted:
        """Post one message (≤ max_text). Without thread_id it starts a thread (Slack);
        `key` is attached where the platform can find it again (see find_post)."""

    @abstractmethod
    def find_post(self, channel_id: str, key: str, since: float,
                  thread_id: str | None = None) -> Posted | None:
        """A message posted with `key` after `since` — thread-starting, or in `thread_id` —
        if the platform can tell; lets a retry see that an earlier attempt landed."""

    @abstractmethod
    def update(self, channel_id: str, message_id: str, text: str,
               buttons: Sequence[Button] = ()) -> None:
        """Replace a message's text and buttons."""

    @abstractmethod
    def close_thread(self, channel_id: str, thread_id: str) -> None:
        """Close a thread where the platform has such a thing (Telegram topics)."""

    @abstractmethod
    def reopen_thread(self, channel_id: str, thread_id: str) -> None:
        """Reopen a closed thread (Telegram topics) before posting into it again."""

    @abstractmethod
    def invite(self, channel_id: str, user_ids: Sequence[str]) -> str | None:
        """Bring people into a channel: Slack adds them; Telegram returns a join-request link
        (bots cannot add people), which the flow posts where they will see it."""

    @abstractmethod
    def archive(self, channel_id: str) -> None:
        """Archive a whole channel (an outage room) when its work is over."""

    @abstractmethod
    def describe_user(self, user_id: str) -> ChatUser:
        """Name and e-mail of a chat user, for mapping to tracker users."""

    @abstractmethod
    def answer_button(self, callback_id: str, text: str, *, refusal: bool = False) -> None:
        """Answer a press only its presser sees: Telegram acknowledges every press (a refusal
        as an alert); Slack, whose 200 already acknowledged it, is told only of a refusal."""

    @abstractmethod
    def is_member(self, channel_id: str, user_id: str) -> bool:
        """Whether a user belongs to a channel: only members press its buttons or run commands
        there."""


def split_text(text: str, limit: int) -> list[str]:
    """Cut a long text into pieces ≤ limit, preferring line breaks, losing nothing."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n") if text[cut:cut + 1] == "\n" else text[cut:]
    if text or not pieces:
        pieces.append(text)
    return pieces


def button_data(data: str) -> tuple[str, str] | None:
    """`hdc:<action>:<value>` → (action, value); anything else is not the connector's."""
    prefix, _, rest = data.partition(":")
    action, _, value = rest.partition(":")
    return (action, value) if prefix == "hdc" and action else None
