"""The assembled connector: config, mappings, store, plugins and adapters, built once (by
connector/assembly.py, the composition root). It satisfies connector.context.FeatureContext,
which is all a feature sees of it; it names no feature."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import Connection, Engine

from connector.adapters import Adapter, ChatPlugin, Snapshot, Tracker, TrackerPlugin
from connector.chat import Chat
from connector.circuits import Circuits
from connector.clock import Clock
from connector.config import Config
from connector.context import ServiceRoom
from connector.errors import PermanentActionError
from connector.events import TicketEvent, TicketRef
from connector.mappings import Mapping, Mappings, render
from connector.metrics import Metrics
from connector.registry import Registry
from connector.rules.context import RuleContext
from connector.store import inbox, outbox
from connector.store.db import clock_of, reading

log = logging.getLogger(__name__)


@dataclass
class Connector:
    """Everything a receiver or worker needs, shared by one process."""

    config: Config
    mappings: Mappings
    engine: Engine
    plugins: dict[str, TrackerPlugin]
    trackers: dict[str, Tracker]
    adapters: dict[str, Adapter]
    metrics: Metrics
    chat_plugins: dict[str, ChatPlugin] = field(default_factory=dict)
    chats: dict[str, Chat] = field(default_factory=dict)
    circuits: Circuits = field(default_factory=Circuits)
    registry: Registry = field(default_factory=Registry)
    worker_id: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
    # Are webhooks arriving in a burst now? Set by the Runner (the receivers' wake-ups, or the
    # requests of the process it runs in); the worker then writes in short slices
    # (connector/slices.py) so their inserts do not wait. True where nobody tells: short slices.
    receivers_busy: Callable[[], bool] = field(default=lambda: True)

    @property
    def clock(self) -> Clock:
        """Business time (see connector.clock): the store's clock."""
        return clock_of(self.engine)

    def rules_context(self) -> RuleContext:
        return RuleContext(self.mappings, self.config.language, dict(self.config.roles))

    def mapping_for(self, ref: TicketRef) -> Mapping | None:
        """The regulation governing a ticket's project, if any."""
        tracker = self.config.trackers.configured().get(ref.tracker)
        name = tracker.mapping_for(ref.project) if tracker else None
        return self.mappings.get(name) if name else None

    def render(self, template_id: str, mapping: str | None = None, **values: object) -> str:
        """A message in the configured language, worded as the named regulation words it."""
        return speak(self.mappings, self.config.language, template_id, mapping, **values)

    def supports(self, tracker: str) -> frozenset[str]:
        """The action kinds a configured tracker can perform."""
        plugin = self.plugins.get(tracker)
        return plugin.supports if plugin is not None else frozenset()

    def ticket_history(self, ref: TicketRef) -> list[Snapshot]:
        tracker = self.trackers.get(ref.tracker)
        if tracker is None:
            raise PermanentActionError(f"{ref.tracker} is not configured")
        return tracker.ticket_history(ref)

    def tickets_since(self, tracker: str, project: str, since: str) -> Iterator[TicketEvent]:
        """The tickets changed since `since` and those open now, normalised as polled ones."""
        adapter, plugin = self.trackers.get(tracker), self.plugins.get(tracker)
        if adapter is None or plugin is None:
            raise PermanentActionError(f"{tracker} is not configured")
        seen: set[str] = set()
        for change in chain(adapter.list_changes(project, since), adapter.list_open(project)):
            if change.key in seen:
                continue
            seen.add(change.key)
            event = plugin.normalize(plugin.reconcile_event,
                                     {"issue": change.payload, "is_new": False})
            if event is not None:
                yield event

    def is_member(self, chat: str, channel_id: str, user_id: str) -> bool | None:
        found = self.chats.get(chat)
        return None if found is None else found.is_member(channel_id, user_id)

    def service_rooms(self, conn: Connection, service: str) -> list[ServiceRoom]:
        return [room for find in self.registry.room_finders for room in find(self, conn, service)]

    def bot_username(self, source: str) -> str:
        tracker = self.config.trackers.configured().get(source)
        return tracker.bot_username if tracker else ""

    def store_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        with reading(self.engine) as conn:
            return inbox.count_by_status(conn), outbox.count_by_status(conn)


def speak(mappings: Mappings, language: str, template_id: str, mapping: str | None,
          **values: object) -> str:
    """Render a template, preferring the named regulation's own wording."""
    own = mappings.by_name.get(mapping) if mapping else None
    return render(mappings.texts(own, language), template_id, **values)
