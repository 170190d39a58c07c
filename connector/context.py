"""What a feature may use of the connector, and nothing else: the seam between the features
(connector/features/*) and the assembled connector (connector/core.py), which satisfies it.

A feature reads the regulations and their texts (`mappings`, `render`, `mapping_for`; the
service catalog is `mappings.catalog`), the config, the store (`engine`) and the business
clock, and asks the trackers and chats the few questions it needs (`supports`,
`ticket_history`, `tickets_since`, `is_member`), and which rooms other features hold open
for a service (`service_rooms`). Everything it wants done goes out as actions
through the outbox (connector/work.py); what it handles comes in through what it registered
(connector/registry.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, Engine

from connector.adapters import Snapshot
from connector.clock import Clock
from connector.config import Config
from connector.events import TicketEvent, TicketRef
from connector.mappings import Mapping, Mappings


@dataclass(frozen=True)
class ServiceRoom:
    """A room another feature holds open for a catalog service now (an outage's): the ref
    whose room it is and the logical chat channel the room lives in."""

    ref: TicketRef
    channel: str


class FeatureContext(Protocol):
    """The connector as a feature sees it."""

    @property
    def config(self) -> Config: ...

    @property
    def mappings(self) -> Mappings: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def clock(self) -> Clock:
        """Business time: frozen and advanced in tests."""

    @property
    def worker_id(self) -> str:
        """This process's name on the rows it claims (leases)."""

    def mapping_for(self, ref: TicketRef) -> Mapping | None:
        """The regulation governing a ticket's project, if any."""

    def render(self, template_id: str, mapping: str | None = None, **values: object) -> str:
        """A text in the configured language, worded as the named regulation words it."""

    def supports(self, tracker: str) -> frozenset[str]:
        """The action kinds a configured tracker can perform (empty for one not configured)."""

    def ticket_history(self, ref: TicketRef) -> list[Snapshot]:
        """A ticket after each change, from the tracker's own history (PermanentActionError
        where the tracker cannot tell)."""

    def tickets_since(self, tracker: str, project: str, since: str) -> Iterator[TicketEvent]:
        """Every ticket of a project that may have been open at `since` (canonical) or later —
        changed since then (closing one is a change), or not closed now — each once, as it
        is now. ActionError when the tracker cannot list them."""

    def is_member(self, chat: str, channel_id: str, user_id: str) -> bool | None:
        """Whether a user belongs to a chat channel; None when the chat runs dry (nobody to
        ask). ActionError when the chat cannot tell now."""

    def service_rooms(self, conn: Connection, service: str) -> list[ServiceRoom]:
        """The rooms open now for a catalog service, as the features that hold rooms tell
        (registry.service_rooms): one feature reaches another's rooms without importing it."""


# What the command line gives a feature's commands: the connector built from a config
# (migrating the store, or not).
Build = Callable[[Config, bool], FeatureContext]
