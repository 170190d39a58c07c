"""Normalised events and actions: the only shapes the core sees, whatever the tracker."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeVar

from connector.actions import ActionParamsError, Params, typed_params

P = TypeVar("P", bound=Params)

EventKind = Literal["ticket", "note"]
ActionKind = Literal[
    # trackers
    "update_labels", "add_note", "assign", "set_priority", "set_status", "set_field", "link",
    "create_issue", "attach_file", "set_state",
    # chats
    "escalate", "deescalate", "relay_note", "post_alert", "update_alert", "post_in_thread",
    "answer_button", "notify", "post_image", "open_room", "update_room", "post_in_room",
    "answer_join", "open_form", "close_room", "remove_member",
    # mail, monitoring
    "send_mail", "query_metrics", "create_silence", "expire_silence",
]


@dataclass(frozen=True)
class TicketRef:
    """Identifies one ticket: tracker type, project and the ticket's key inside the project."""

    tracker: str
    project: str
    key: str

    def __str__(self) -> str:
        return f"{self.tracker}:{self.project}#{self.key}"

    @classmethod
    def parse(cls, text: str) -> TicketRef:
        """Inverse of `str(ref)`."""
        tracker, rest = text.split(":", 1)
        project, key = rest.rsplit("#", 1)
        return cls(tracker, project, key)


@dataclass(frozen=True)
class Attachment:
    """A file on a ticket: its name and size (0 when the tracker does not say)."""

    name: str
    size: int = 0

    @property
    def extension(self) -> str:
        """Lower-case extension without the dot ("" when the name has none)."""
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""


@dataclass(frozen=True)
class Person:
    """Who did something on a ticket, with what the tracker tells about their standing."""

    name: str  # username (Mantis), agent id or login (OTRS)
    level: int | None = None  # access level in the ticket's project, where the tracker has one
    agent: bool = False  # a helpdesk agent rather than a customer (OTRS)


@dataclass(frozen=True)
class TicketEvent:
    """Something happened to a ticket, told in tracker-neutral terms."""

    ref: TicketRef
    kind: EventKind
    action: str  # open, update, close, reopen, note, sync
    actor: str  # username of whoever caused it ("" when unknown, e.g. polling)
    title: str = ""
    url: str = ""
    state: str = "opened"  # opened | closed
    labels: tuple[str, ...] = ()
    previous_labels: tuple[str, ...] | None = None
    assignees: tuple[str, ...] = ()
    author: str = ""
    author_level: int | None = None  # the reporter's access level in the project (Mantis)
    priority: str | None = None
    impact: str | None = None
    status: str | None = None  # trackers with a status field (Mantis, OTRS)
    handler: str = ""  # who the ticket is assigned to, where the tracker has one handler
    description: str = ""
    category: str = ""  # Mantis category, OTRS ticket type: what kind of request it is
    attachments: tuple[Attachment, ...] = ()
    supplements: tuple[str, ...] = ()  # what the applicant added later: notes, follow-ups
    updated_at: str = ""
    created_at: str = ""  # when the ticket was created, where the payload says (canonical)
    reference: str = ""  # how another project names it, where that differs (GitLab group/p#7)
    is_new: bool = False
    own: bool = False  # the payload itself shows the connector caused it (marker, bot author)
    by_connector: bool = False  # the connector itself created the ticket (its bot is the author)
    note: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # custom fields and extra text fields
    # Who set the current value of a field (tracker field name → person), where known: a
    # webhook names the actor of its change, polled history the last one to change each field.
    changed_by: dict[str, Person] = field(default_factory=dict)
    staff_set: frozenset[str] = frozenset()  # regulation fields last set by L1 (see vocab.py)


@dataclass(frozen=True)
class Action:
    """One effect the rules want on a tracker or chat, performed later from the outbox."""

    kind: ActionKind
    target: str  # tracker type ("gitlab") or "chat"
    ticket: TicketRef
    params: dict[str, Any]
    reason: str  # rule that decided it, for logs and `explain`
    # Actions of a ticket on a target go out in order, one at a time; a lane of their own
    # (e.g. one per client channel) lets one that keeps failing hold none of the others.
    lane: str = ""

    def typed(self) -> Params:
        """The parameters as their kind's model (connector/actions.py); adapters read these."""
        return typed_params(self.kind, self.params)

    def params_as(self, model: type[P]) -> P:
        """The parameters as `model`, the model of this action's kind (ActionParamsError if
        the action is of another kind or its parameters do not fit)."""
        typed = self.typed()
        if not isinstance(typed, model):
            raise ActionParamsError(f"{self.kind}: not a {model.__name__} action")
        return typed

    def fingerprint(self) -> str:
        """Stable digest of what the action does, part of its idempotency key."""
        blob = json.dumps([self.kind, self.target, str(self.ticket), self.params], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ChatMessage:
    """Someone wrote in a chat the connector listens to."""

    chat: str  # slack | telegram
    channel_id: str
    thread_id: str | None  # Slack thread_ts, Telegram message_thread_id
    message_id: str
    author_id: str
    author_name: str
    text: str
    at: str  # canonical timestamp
    files: tuple[str, ...] = ()
    from_bot: bool = False
    reply_to: str | None = None  # the message it answers (Telegram's reply_to_message)


@dataclass(frozen=True)
class ChatButton:
    """Someone pressed one of the connector's buttons."""

    chat: str
    channel_id: str
    thread_id: str | None
    message_id: str
    user_id: str
    user_name: str
    feature: str  # whose button: the registry's namespace, e.g. "alerts"
    action: str  # the feature's own verb, e.g. "oneoff"
    value: str  # what the button carries, e.g. "12" or "12:2"
    callback_id: str = ""  # how to answer the presser: Telegram's query id, Slack's response_url
    trigger_id: str = ""  # Slack: a press may open a modal (for 3 seconds)

    @property
    def data(self) -> str:
        """The button's data as the connector posted it (`hdc:<feature>:<action>:<value>`)."""
        return ":".join(["hdc", self.feature, self.action, *([self.value] if self.value
                                                              else [])])


@dataclass(frozen=True)
class ChatJoin:
    """Someone asked to join a chat the connector administers (Telegram join requests)."""

    chat: str
    channel_id: str
    user_id: str
    user_name: str


@dataclass(frozen=True)
class ChatCommand:
    """A slash command the connector records rather than answers at once (e.g. /progress)."""

    chat: str
    channel_id: str
    user_id: str
    user_name: str
    command: str  # without the slash: "progress"
    text: str
    thread_id: str | None = None  # Telegram: the forum topic it was sent in
    trigger_id: str = ""  # Slack: opens a modal in answer


@dataclass(frozen=True)
class ChatForm:
    """Someone submitted a form the connector opened (a Slack modal)."""

    chat: str
    form_id: str  # the Form's id: hdc:<feature>:<action>:<value>
    user_id: str
    user_name: str
    values: dict[str, str]  # answers by field name


ChatEvent = ChatMessage | ChatButton | ChatJoin | ChatCommand | ChatForm

ALERT_SOURCE = "alerts"  # the inbox source alerts are stored under


@dataclass(frozen=True)
class Alert:
    """One monitoring alert, whatever sent it (Alertmanager or the generic format), with the
    Alertmanager group it came in (one chat message per group)."""

    fingerprint: str  # identifies one firing: a new firing after resolution is a new alert
    status: str  # firing | resolved
    title: str
    severity: str = ""
    summary: str = ""
    url: str = ""  # the sender's link to the alert (Alertmanager's generatorURL)
    started_at: str = ""  # when it began firing (canonical; "" if the sender did not say)
    # The group the sender sent it in: Alertmanager's groupKey (a generic alert is a group of
    # its own), the labels that make the group (silence matchers), those all its alerts share,
    # Alertmanager's own address (its silence form) and how many alerts it left out.
    group_key: str = ""
    group_labels: dict[str, str] = field(default_factory=dict)
    common_labels: dict[str, str] = field(default_factory=dict)
    external_url: str = ""
    truncated: int = 0
    labels: dict[str, str] = field(default_factory=dict)  # the alert's own labels
    annotations: dict[str, str] = field(default_factory=dict)  # summary, description, runbook_url…
    source_fingerprint: str = ""  # Alertmanager's fingerprint of the label set
    # The alerts of the body left out as bad (one line each, the first few; rejected_count
    # says how many in all), for the group's message.
    rejected: tuple[str, ...] = ()
    rejected_count: int = 0

    @property
    def group(self) -> str:
        """The group it belongs to: stored alerts of older versions had none, each its own."""
        return self.group_key or f"alert:{self.fingerprint}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)
