"""Adapter bases: one per capability, few methods. The core never imports a vendor SDK."""

from __future__ import annotations

import importlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from connector.chat import Chat
from connector.errors import PermanentActionError
from connector.events import ChatEvent, TicketEvent, TicketRef
from connector.store.outbox import OutboxItem

if TYPE_CHECKING:  # the config lists the plugins' own sections: no import at run time
    from connector.config import Config

log = logging.getLogger(__name__)

Outcome = Literal["done", "dry_run"]


@dataclass(frozen=True)
class Performed:
    """How an action ended and what it produced (e.g. the URL of a created issue)."""

    status: Outcome = "done"
    result: dict[str, Any] = field(default_factory=dict)


DONE = Performed()
DRY_RUN = Performed("dry_run")


class Adapter(ABC):
    """Performs outbox actions on one service."""

    @abstractmethod
    def perform(self, item: OutboxItem) -> Performed:
        """Do the action once; raise RetryableActionError or PermanentActionError on failure.

        `item.attempt > 1` means an earlier try may already have taken effect: actions the
        service cannot dedupe must be checked before they are repeated.
        """


@dataclass(frozen=True)
class Change:
    """A ticket the tracker reports as changed since a watermark."""

    key: str
    updated_at: str  # canonical, see connector.timestamps
    created_at: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class TicketFacts:
    """What L1 has found so far, for the escalation message."""

    author: str = ""
    description: str = ""
    notes: tuple[tuple[str, str], ...] = ()  # (author, text), oldest first


@dataclass(frozen=True)
class Snapshot:
    """What a ticket's history says it was from `at` on (tracker terms): what SLA repair
    replays and outages are read from."""

    at: str  # canonical
    status: str | None = None
    state: str = "opened"
    labels: tuple[str, ...] = ()
    assigned: bool | None = None  # None: the tracker's history does not tell
    priority: str | None = None  # where the tracker keeps it in a field (Mantis)
    category: str = ""  # Mantis category
    fields: dict[str, str] = field(default_factory=dict)  # severity, custom fields (Mantis)

    def event(self, ref: TicketRef) -> TicketEvent:
        """The ticket as it was then, as an event in tracker terms (read_event words it)."""
        return TicketEvent(ref, "ticket", "sync", "", state=self.state, status=self.status,
                           labels=self.labels, assignees=("?",) if self.assigned else (),
                           priority=self.priority, category=self.category,
                           fields=dict(self.fields), updated_at=self.at)


def add_point(points: list[Snapshot], point: Snapshot) -> None:
    """Changes made at one instant make one snapshot: the last one at that time stands."""
    if points and points[-1].at == point.at:
        points[-1] = point
    else:
        points.append(point)


class Tracker(Adapter):
    """A helpdesk: write-back plus the listing reconciliation needs."""

    def ticket_history(self, ref: TicketRef) -> list[Snapshot]:
        """The ticket after each change (status; labels, state and assignment where the tracker
        keeps them; priority, category and fields where it keeps those), oldest first, from
        the tracker's own history; changes made at one instant make one snapshot. Not every
        tracker's API tells: those answer PermanentActionError."""
        raise PermanentActionError(f"{ref.tracker}: the connector cannot read ticket history "
                                   "from this tracker yet")

    def list_open(self, project: str) -> Iterator[Change]:
        """Tickets of a project not closed now, whatever their last change."""
        raise PermanentActionError(f"{project}: the connector cannot list open tickets of "
                                   "this tracker yet")

    @abstractmethod
    def list_changes(self, project: str, since: str) -> Iterator[Change]:
        """Tickets of a project updated at or after `since`, oldest first."""

    @abstractmethod
    def ticket_facts(self, ref: TicketRef) -> TicketFacts:
        """Author, description and people's notes of a ticket."""

    @abstractmethod
    def find_username(self, email: str) -> str | None:
        """The tracker user with this e-mail, if the tracker lets us see it."""


class DryRunAdapter(Tracker):
    """Stands in for a service without credentials: logs what it would do and lists nothing."""

    def __init__(self, target: str) -> None:
        self.target = target

    def perform(self, item: OutboxItem) -> Performed:
        a = item.action
        log.info("dry run: would %s on %s", a.kind, a.ticket,
                 extra={"target": self.target, "action": a.kind, "params": a.params})
        return DRY_RUN

    def list_changes(self, project: str, since: str) -> Iterator[Change]:
        return iter(())

    def list_open(self, project: str) -> Iterator[Change]:
        return iter(())

    def ticket_facts(self, ref: TicketRef) -> TicketFacts:
        return TicketFacts()

    def find_username(self, email: str) -> str | None:
        return None


@dataclass(frozen=True)
class TrackerPlugin:
    """What a tracker plugin offers the core: payload normalisation and a client factory."""

    name: str
    normalize: Callable[[str, Any], TicketEvent | None]
    make_tracker: Callable[[Any], Tracker]  # from the tracker's config section, credentials set
    reconcile_event: str  # inbox event name of polled changes
    guess_event: Callable[[Any], str]  # event name of a saved payload, for `explain`
    supports: frozenset[str]  # action kinds its tracker performs (connector/actions.py)


class Normalize(Protocol):
    """A chat's update → the event the core sees; `commands` are the slash commands features
    answer (the registry's): anything else written with a slash is talk."""

    def __call__(self, event_name: str, payload: Any,
                 commands: Collection[str] = ()) -> ChatEvent | None: ...


@dataclass(frozen=True)
class ChatPlugin:
    """What a chat plugin offers the core: update normalisation and a client factory."""

    name: str
    normalize: Normalize
    make_chat: Callable[[Any], Chat]  # from the chat's config section, token set
    register_webhook: Callable[[Config], str] | None = None  # one-time setup, if any
    # check-config's vendor rules for the chat's section: `file: key: problem — fix` lines
    check_settings: Callable[[Any, str], list[str]] = lambda _section, _source: []


# Explicit registries: names in the config → modules exposing PLUGIN.
TRACKER_PLUGINS: dict[str, str] = {"gitlab": "plugins.gitlab", "mantis": "plugins.mantis",
                                   "otrs": "plugins.otrs"}
CHAT_PLUGINS: dict[str, str] = {"slack": "plugins.slack", "telegram": "plugins.telegram"}


def load_tracker_plugin(name: str) -> TrackerPlugin:
    """Import a tracker plugin by its config name."""
    plugin: TrackerPlugin = importlib.import_module(TRACKER_PLUGINS[name]).PLUGIN
    return plugin


def load_chat_plugin(name: str) -> ChatPlugin:
    """Import a chat plugin by its config name."""
    plugin: ChatPlugin = importlib.import_module(CHAT_PLUGINS[name]).PLUGIN
    return plugin
