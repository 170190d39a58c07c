"""The chat capability: threads, buttons, rooms, forms. Slack and Telegram plugins implement it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from connector.errors import PermanentActionError
from connector.forms import FormProgress


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
class Image:
    """An image to show in a chat (a report's chart): its file name, bytes and what it shows."""

    filename: str
    content: bytes
    title: str


@dataclass(frozen=True)
class ChatUser:
    name: str
    email: str = ""


@dataclass(frozen=True)
class Room:
    """A place for one piece of work (an outage): a Slack channel of its own, or a topic in a
    Telegram forum supergroup. Post into it with `post(room.channel_id, room.thread_id, …)`."""

    channel_id: str
    thread_id: str | None  # the Telegram topic; None for a Slack channel
    name: str


class Chat(ABC):
    """A chat platform as the flows use it. Failures raise Retryable/PermanentActionError."""

    name: str
    max_text: int  # longer texts are split, never cut
    max_caption: int  # an image's text beyond this goes first as a message of its own

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
    def post_image(self, channel_id: str, thread_id: str | None, image: Image, text: str,
                   staged: str = "") -> Posted:
        """Show an image with `text` (≤ max_caption) introducing it: Slack shares the file
        `staged` put there; Telegram sends it as a photo."""

    def stage_image(self, image: Image) -> str:
        """Put an image on the platform before it is shown, where that is a step of its own
        (Slack: files.getUploadURLExternal and the upload) — its id; "" where showing it is
        one call (Telegram)."""
        return ""

    def find_image(self, channel_id: str, staged: str) -> Posted | None:
        """Whether the image `staged` was shown in the channel, if the platform can tell
        (Slack: files.info): lets a retry see that an earlier attempt landed."""
        return None

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
    def create_room(self, name: str, home_id: str,
                    held: Callable[[str], bool] = lambda channel_id: False) -> Room:
        """Open a room: Slack creates a public channel named after `name` (lowercase, digits,
        - and _, ≤ 80; a retry adopts the channel its earlier try created — unless `held`
        says another ticket's room is that channel — another's name is `name_taken`);
        Telegram opens a topic in the forum supergroup `home_id`."""

    @abstractmethod
    def pin(self, channel_id: str, message_id: str) -> None:
        """Pin a message (a room's status, kept current with `update`); pinning twice is
        harmless."""

    @abstractmethod
    def close_room(self, room: Room) -> None:
        """End a room when its work is over: Slack archives the channel, Telegram closes the
        topic. Closing twice is harmless."""

    @abstractmethod
    def room_link(self, room: Room) -> str:
        """Where people go to join a room, for notices and letters: a Slack channel's URL; a
        Telegram join-request link (whoever follows it is checked by the catalog)."""

    def adopt_room(self, channel_id: str, name: str) -> Room:
        """Make a pre-created room (a pool supergroup the bot administers) this outage's: only
        Telegram has pools."""
        raise PermanentActionError(f"{self.name} has no room pool")

    def unpin(self, channel_id: str, message_id: str) -> None:
        """Unpin a status when its pool room goes back (Telegram): the next outage's status
        is the room's only pin."""
        raise PermanentActionError(f"{self.name} has no room pool")

    def remove_member(self, channel_id: str, user_id: str) -> None:
        """Take someone out of a pool room when its outage is over (Telegram)."""
        raise PermanentActionError(f"{self.name} does not remove members")

    @abstractmethod
    def answer_join_request(self, channel_id: str, user_id: str, approve: bool) -> None:
        """Let in (or not) someone who asked to join through an `invite` link (Telegram's
        chat_join_request). Slack has no join requests: people are invited or join public
        channels themselves, so there is nothing to answer. Answering twice is harmless."""

    @abstractmethod
    def open_form(self, progress: FormProgress, channel_id: str, thread_id: str | None = None,
                  *, trigger_id: str = "", reply_to: str = "",
                  for_user: tuple[str, str] | None = None) -> FormProgress:
        """Show a form where it stands; returns the progress waiting for the answer. Slack
        opens one modal with every field from an interaction's `trigger_id` (valid 3 s, once:
        call it while handling the press; only the presser sees it); Telegram asks the current
        field in the chat (topic) as a reply-forced message that only `for_user` (id, name)
        gets the reply field of — it replies to `reply_to` (their last answer), or names them.
        The flow feeds replies to `progress.answer` and asks again."""

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


def button_data(data: str) -> tuple[str, str, str] | None:
    """`hdc:<feature>:<action>:<value>` → (feature, action, value); anything else is not the
    connector's. (Buttons of older versions, `hdc:<action>:<value>`, come out shifted by one;
    the registry re-reads them for the feature that claimed them.)"""
    prefix, _, rest = data.partition(":")
    feature, _, rest = rest.partition(":")
    action, _, value = rest.partition(":")
    return (feature, action, value) if prefix == "hdc" and feature and action else None


def button(feature: str, action: str, *values: object) -> str:
    """A button's data, `hdc:<feature>:<action>:<values…>`; Telegram allows 64 bytes."""
    data = ":".join(["hdc", feature, action, *(str(v) for v in values)])
    if len(data.encode()) > 64:
        raise ValueError(f"button data over 64 bytes: {data!r}")
    return data
