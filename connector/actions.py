"""Typed parameters per action kind: what a rule or feature must give, what an adapter may read.

An action is checked against its kind's model when it is decided (a wrong key fails at the rule
that made it, not at the adapter hours later), and adapters read `action.typed()` instead of
guessing dictionary keys. Stored actions keep their JSON params; the models accept exactly
those keys, so the outbox of an older version still performs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError


class Params(BaseModel):
    """An action's parameters; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- trackers -------------------------------------------------------------------------------


class UpdateLabels(Params):
    add: list[str]
    remove: list[str]


class AddNote(Params):
    body: str


class Assign(Params):
    username: str
    role: str = ""  # the regulation's role that chose the person, for logs


class SetPriority(Params):
    priority: str  # the regulation's value (translated by the tracker's vocabulary)
    was: str | None = None


class SetStatus(Params):
    status: str


class SetState(Params):
    """A GitLab issue opened or closed (trackers with statuses use set_status)."""

    state: Literal["opened", "closed"]


class SetField(Params):
    field: str
    value: str


class Link(Params):
    target: str
    type: str = "related-to"


class AttachFile(Params):
    """A text file on the ticket (an outage room's log), with a note saying what it is."""

    filename: str
    content: str
    note: str


class CreateIssue(Params):
    title: str
    description: str
    labels: list[str] = []
    category: str = "General"  # Mantis' category
    priority: str = "3 normal"  # Znuny's priority (GitLab and Mantis: labels, their default)
    customer: str = ""  # Znuny's customer user ("": the connector's own user)
    alert_id: int | None = None  # the alert the issue was registered from (alerts feature)
    user: str = ""  # who decided it, in the chat
    severity: str = ""  # Mantis' severity, in Mantis' words (Sevastopol's «Влияние»)
    facts: dict[str, str] = {}  # what the declarer recorded, for the feature that asked
    started_at: str = ""  # when what it reports began (canonical): stated, or the alert's
    for_ticket: str = ""  # the ticket it is made for (an outage's report), e.g. gitlab:1#23


# --- chats ----------------------------------------------------------------------------------


class InChannel(Params):
    """Something in a logical chat channel (l2, alerts): each chat maps it to its own id."""

    channel: str


class ThreadAction(InChannel):
    """Something in a ticket's thread in a logical channel."""

    title: str = ""
    url: str = ""
    mapping: str | None = None  # the regulation whose wording the texts use


class Escalate(ThreadAction):
    labels: list[str] = []
    assignees: list[str] = []
    author: str = ""
    priority: str = ""


class RelayNote(ThreadAction):
    text: str


class Deescalate(ThreadAction):
    why: str = ""  # closed | label_removed | ended: for logs
    text: str


class PostAlert(InChannel):
    title: str
    text: str
    buttons: list[tuple[str, str]] = []  # (text, callback data)
    # One container all such messages share where the chat has containers (Telegram: one
    # alerts topic, named `topic_title`, never a topic per alert): its ref ("" = its own).
    topic: str = ""
    topic_title: str = ""


class UpdateAlert(InChannel):
    text: str
    buttons: list[tuple[str, str]] = []


class PostInThread(InChannel):
    text: str


class Notify(InChannel):
    """A message of its own in a channel (not in a ticket's thread): e.g. an SLA breach."""

    text: str


class PostImage(InChannel):
    """An image of its own in a channel (a report's chart), with the message introducing it:
    Slack uploads the file and shares it with `text` as its comment, Telegram sends a photo
    with `text` as its caption (a text too long for one goes first, as a message)."""

    filename: str  # e.g. report-2026-03-05.png
    content: str  # the image's bytes, base64
    title: str  # what the image shows, in words (its title, alt text)
    text: str = ""


class OpenRoom(InChannel):
    """A room of its own for an outage: `channel` is the logical home (Telegram's forum
    supergroup; Slack creates a channel), `invite` the people per chat, then the intro and the
    status message, pinned, with its buttons."""

    name: str
    invite: dict[str, list[str]] = {}  # chat name → user ids
    thread: bool = False  # a thread under the intro in the home channel, not a room of its own
    pooled: bool = True  # may take a pool room (Telegram); problems, which last, do not
    intro: str
    status: str
    buttons: list[tuple[str, str]] = []


class PostInRoom(InChannel):
    """A message of its own in an outage's room, with buttons (e.g. to a related service).
    With a `note` key: one message kept under that key — posted the first time, edited in
    place after (an alert group's count in the room)."""

    text: str
    buttons: list[tuple[str, str]] = []
    note: str = ""


class UpdateRoom(InChannel):
    """The room's pinned status message, rewritten in place."""

    status: str
    buttons: list[tuple[str, str]] = []


class FieldParams(Params):
    name: str
    label: str
    multiline: bool = False
    optional: bool = False
    placeholder: str = ""
    initial: str = ""


class OpenForm(InChannel):
    """A form in a room (the ticket's, in logical channel `channel`): Slack opens it as a modal
    (a press's `trigger_id`), Telegram asks the next unanswered field as a reply-forced
    question; the prompt's id comes back in the result."""

    form_id: str
    title: str
    submit: str = "OK"
    fields: list[FieldParams]
    answers: list[str] = []
    trigger_id: str = ""
    user_id: str = ""  # whom it is for: only they answer (Telegram: a selective ForceReply)
    user_name: str = ""  # how the question names them
    reply_to: str = ""  # their last answer, which the next question replies to (Telegram)


class CloseRoom(InChannel):
    """The room's work is over: Slack archives its channel, Telegram closes the topic, or a
    pool room loses its members (`members`, per chat) and goes back to the pool as
    `free_title`."""

    members: dict[str, list[str]] = {}
    free_title: str = ""


class AnswerJoin(Params):
    """Let someone in (or not) who asked to join through an invite link."""

    channel_id: str
    user_id: str
    approve: bool


class RemoveMember(Params):
    """Take someone an outage let into a forum supergroup out again (Telegram: ban, then
    unban, so a later outage's link lets them back in)."""

    channel_id: str
    user_id: str


class AnswerButton(Params):
    callback_id: str
    text: str
    refusal: bool = False


# --- mail and monitoring ----------------------------------------------------------------------


class SendMail(Params):
    """A letter to mailing lists (an outage notice), through the configured SMTP server."""

    to: list[str]
    subject: str
    body: str


class QueryMetrics(Params):
    """Prometheus' instant queries; what they answer goes to the feature's after-action hook."""

    queries: list[tuple[str, str]]  # (title, PromQL)
    purpose: str  # the feature's own word for why: "ask" (/metrics), "affected" (sampled)
    who: str = ""


class CreateSilence(Params):
    """A silence in Alertmanager (API v2) for a group's alerts: exactly its group labels."""

    matchers: dict[str, str]  # label → value, each an equality matcher
    hours: int
    created_by: str  # the presser's catalog name
    comment: str
    group_id: int  # the alert group it silences (alerts feature)


class ExpireSilence(Params):
    silence_id: str
    group_id: int
    user: str = ""  # who lifted it, in the chat


TRACKER_PARAMS: dict[str, type[Params]] = {
    "update_labels": UpdateLabels, "add_note": AddNote, "assign": Assign,
    "set_priority": SetPriority, "set_status": SetStatus, "set_field": SetField, "link": Link,
    "create_issue": CreateIssue, "attach_file": AttachFile, "set_state": SetState,
}
CHAT_PARAMS: dict[str, type[Params]] = {
    "escalate": Escalate, "deescalate": Deescalate, "relay_note": RelayNote,
    "post_alert": PostAlert, "update_alert": UpdateAlert, "post_in_thread": PostInThread,
    "answer_button": AnswerButton, "notify": Notify, "post_image": PostImage,
    "open_room": OpenRoom,
    "update_room": UpdateRoom, "post_in_room": PostInRoom, "answer_join": AnswerJoin,
    "open_form": OpenForm, "close_room": CloseRoom, "remove_member": RemoveMember,
}
OTHER_PARAMS: dict[str, type[Params]] = {"send_mail": SendMail, "query_metrics": QueryMetrics,
                                         "create_silence": CreateSilence,
                                         "expire_silence": ExpireSilence}
PARAMS: dict[str, type[Params]] = {**TRACKER_PARAMS, **CHAT_PARAMS, **OTHER_PARAMS}


class ActionParamsError(ValueError):
    """An action was decided with parameters its kind does not take."""


def typed_params(kind: str, params: dict[str, Any]) -> Params:
    """The parameters as their kind's model; ActionParamsError names what is wrong."""
    model = PARAMS.get(kind)
    if model is None:
        raise ActionParamsError(f"no action kind {kind!r}")
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "params"
        raise ActionParamsError(f"{kind}: {where}: {first['msg']}") from None
