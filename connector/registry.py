"""What features plug into the generic spine: inbox sources, buttons, thread replies, hooks after
an action, timed jobs, web pages and the chat channels they post to. The spine looks things up
here and names no feature; each feature's `register` fills it in when the connector is built.
(The templates a feature speaks with are static: its texts.py, read by the mapping loader.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from prometheus_client.registry import Collector
from sqlalchemy.engine import Connection, Row

from connector.adapters import Performed
from connector.config import Config
from connector.context import FeatureContext, ServiceRoom
from connector.events import (
    Action,
    ChatButton,
    ChatCommand,
    ChatForm,
    ChatJoin,
    ChatMessage,
    TicketEvent,
    TicketRef,
)
from connector.mappings import Mappings
from connector.store.outbox import OutboxItem

if TYPE_CHECKING:  # start-up time: Flask only for the checker; the web app imports it
    from flask import Blueprint

# An inbox source's processor: acts on one claimed row, returns its outcome ("done: …").
SourceProcessor = Callable[[FeatureContext, Row[Any]], str]
# A reply in a thread the connector opened for `ref`; `author` is already described.
ReplyHandler = Callable[[FeatureContext, Connection, TicketRef, ChatMessage, str], list[Action]]
# Sees every tracker event of a ticket (the connector's own changes too), in the transaction
# that records it: e.g. SLA clocks start, pause and stop on them.
TicketHook = Callable[[FeatureContext, Connection, TicketEvent], None]
# A recorded slash command: the actions it decides (after checking where and by whom).
CommandHandler = Callable[[FeatureContext, Connection, ChatCommand], list[Action]]
# A submitted form (a Slack modal): the actions it decides, in the transaction.
FormHandler = Callable[[FeatureContext, Connection, ChatForm], list[Action]]
# A join request to a chat: the actions answering it (approve or decline), in the transaction.
JoinHandler = Callable[[FeatureContext, Connection, ChatJoin], list[Action]]
# Runs in the transaction that records an action as done.
AfterAction = Callable[[FeatureContext, Connection, OutboxItem, Performed], None]
# Runs in the transaction that records an action as failed for good (with the reason).
AfterFailure = Callable[[FeatureContext, Connection, OutboxItem, str], None]
# The rooms a feature holds open now for a catalog service (an outage's room): other features
# post into them without importing the feature that holds them.
ServiceRooms = Callable[[FeatureContext, Connection, str], list[ServiceRoom]]
# check-config's look at a feature's own config against the mappings (and at what each
# tracker kind can do): one `file: key: problem — fix` line per problem.
ConfigCheck = Callable[[Config, Mappings, Callable[[str], frozenset[str]]], list[str]]


class Buttons(Protocol):
    """A feature's buttons: who may press them where, and what a press does."""

    def refusal(self, c: FeatureContext, ev: ChatButton) -> str | None:
        """Why this press may not act (None: it may); may ask the chat, outside transactions."""

    def press(self, c: FeatureContext, conn: Connection, ev: ChatButton) -> list[Action]:
        """The actions an allowed press decides, in the caller's transaction."""


@dataclass(frozen=True)
class Job:
    """Work on a timer; `run` returns the inbox sources it stored events for (to wake)."""

    name: str
    every_seconds: float
    run: Callable[[FeatureContext], list[str]]


class RegistryError(ValueError):
    """Two features claimed the same name."""


@dataclass
class Registry:
    """Everything features registered, looked up by the spine."""

    sources: dict[str, SourceProcessor] = field(default_factory=dict)
    buttons: dict[str, Buttons] = field(default_factory=dict)
    replies: dict[str, ReplyHandler] = field(default_factory=dict)  # thread tracker → handler
    default_reply: ReplyHandler | None = None  # replies in a ticket's own thread
    room_replies: dict[str, ReplyHandler] = field(default_factory=dict)  # logical channel → …
    after_action: list[AfterAction] = field(default_factory=list)
    after_failure: list[AfterFailure] = field(default_factory=list)
    ticket_hooks: list[TicketHook] = field(default_factory=list)
    late_ticket_hooks: list[TicketHook] = field(default_factory=list)  # see late events too
    joins: list[JoinHandler] = field(default_factory=list)
    commands: dict[str, CommandHandler] = field(default_factory=dict)
    forms: dict[str, FormHandler] = field(default_factory=dict)  # namespace → handler
    gauges: list[Callable[[FeatureContext], Collector]] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    pages: list[Callable[[FeatureContext], Blueprint]] = field(default_factory=list)
    channels: dict[str, str] = field(default_factory=dict)  # config key → logical channel
    checks: list[ConfigCheck] = field(default_factory=list)
    room_finders: list[ServiceRooms] = field(default_factory=list)
    _aliases: dict[str, str] = field(default_factory=dict)

    def source(self, name: str, processor: SourceProcessor) -> None:
        self._unique(self.sources, name, "inbox source")
        self.sources[name] = processor

    def button(self, namespace: str, handler: Buttons, *, legacy: tuple[str, ...] = ()) -> None:
        """Buttons whose data is `hdc:<namespace>:<action>:<value>`. `legacy`: actions that
        buttons already posted by an older version carry as `hdc:<action>:<value>`."""
        self._unique(self.buttons, namespace, "button namespace")
        self.buttons[namespace] = handler
        self._aliases.update(dict.fromkeys(legacy, namespace))

    def reply(self, thread_tracker: str | None, handler: ReplyHandler) -> None:
        """Handle replies in threads opened for `thread_tracker`'s refs (None: tickets)."""
        if thread_tracker is None:
            if self.default_reply is not None:
                raise RegistryError("two features handle replies in ticket threads")
            self.default_reply = handler
            return
        self._unique(self.replies, thread_tracker, "thread kind")
        self.replies[thread_tracker] = handler

    def room_reply(self, channel: str, handler: ReplyHandler) -> None:
        """Handle messages in the rooms a feature opens in logical `channel` (before any
        handler by ticket kind): an outage room's talk is its own, not the ticket's thread."""
        self._unique(self.room_replies, channel, "room channel")
        self.room_replies[channel] = handler

    def gauge(self, make: Callable[[FeatureContext], Collector]) -> None:
        """A /metrics collector reading the store at scrape time (made once per connector)."""
        self.gauges.append(make)

    def page(self, make: Callable[[FeatureContext], Blueprint]) -> None:
        """Web pages a feature serves beside the receivers (a blueprint made once per app)."""
        self.pages.append(make)

    def command(self, name: str, handler: CommandHandler) -> None:
        """A slash command (without the slash) the feature answers from the inbox."""
        self._unique(self.commands, name, "command")
        self.commands[name] = handler

    def form(self, namespace: str, handler: FormHandler) -> None:
        """Forms whose id is `hdc:<namespace>:…`, submitted (Slack modals)."""
        self._unique(self.forms, namespace, "form namespace")
        self.forms[namespace] = handler

    def on_join(self, handler: JoinHandler) -> None:
        """Who answers join requests; the first handler with actions decides."""
        self.joins.append(handler)

    def on_ticket(self, hook: TicketHook, *, late: bool = False) -> None:
        """Told of every ticket event the rules act on; with `late`, also of one delivered
        after a newer event of its ticket (the rules ignore it; its tracker time places it,
        as SLA clocks do)."""
        self.ticket_hooks.append(hook)
        if late:
            self.late_ticket_hooks.append(hook)

    def after(self, hook: AfterAction) -> None:
        self.after_action.append(hook)

    def failed(self, hook: AfterFailure) -> None:
        """Told when an action fails for good (people may need to know, e.g. no room)."""
        self.after_failure.append(hook)

    def job(self, job: Job) -> None:
        if any(j.name == job.name for j in self.jobs):
            raise RegistryError(f"two jobs are named {job.name!r}")
        self.jobs.append(job)

    def posts_to(self, config_key: str, channel: str) -> None:
        """A logical chat channel a feature posts to: check-config insists some chat has it."""
        self.channels[config_key] = channel

    def check(self, check: ConfigCheck) -> None:
        """A cross-check check-config runs (the channels posted to are checked anyway)."""
        self.checks.append(check)

    def service_rooms(self, finder: ServiceRooms) -> None:
        """Tell which rooms the feature holds open for a service (FeatureContext asks all)."""
        self.room_finders.append(finder)

    def buttons_for(self, ev: ChatButton) -> tuple[Buttons, ChatButton] | None:
        """The handler of a press, with the press in today's shape (legacy data re-read)."""
        if ev.feature in self.buttons:
            return self.buttons[ev.feature], ev
        namespace = self._aliases.get(ev.feature)
        if namespace is None:
            return None
        # `hdc:register:12:2` was read as feature "register", action "12", value "2".
        value = f"{ev.action}:{ev.value}" if ev.value else ev.action
        return self.buttons[namespace], replace(ev, feature=namespace, action=ev.feature,
                                                value=value)

    def reply_handler(self, ref: TicketRef, channel: str = "") -> ReplyHandler | None:
        if channel in self.room_replies:
            return self.room_replies[channel]
        return self.replies.get(ref.tracker, self.default_reply)

    @staticmethod
    def _unique(table: dict[str, Any], name: str, what: str) -> None:
        if name in table:
            raise RegistryError(f"two features registered the {what} {name!r}")
