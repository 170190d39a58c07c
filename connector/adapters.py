"""Adapter bases: one per capability, few methods. The core never imports a vendor SDK."""

from __future__ import annotations

import importlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from connector.config import Config
from connector.events import TicketEvent
from connector.store.outbox import OutboxItem

log = logging.getLogger(__name__)

Outcome = Literal["done", "dry_run"]


class Adapter(ABC):
    """Performs outbox actions on one service."""

    @abstractmethod
    def perform(self, item: OutboxItem) -> Outcome:
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


class Tracker(Adapter):
    """A helpdesk: write-back plus the listing reconciliation needs."""

    @abstractmethod
    def list_changes(self, project: str, since: str) -> Iterator[Change]:
        """Tickets of a project updated at or after `since`, oldest first."""


class DryRunAdapter(Tracker):
    """Stands in for a service without credentials: logs what it would do and lists nothing."""

    def __init__(self, target: str) -> None:
        self.target = target

    def perform(self, item: OutboxItem) -> Outcome:
        a = item.action
        log.info("dry run: would %s on %s", a.kind, a.ticket,
                 extra={"target": self.target, "action": a.kind, "params": a.params})
        return "dry_run"

    def list_changes(self, project: str, since: str) -> Iterator[Change]:
        return iter(())


@dataclass(frozen=True)
class TrackerPlugin:
    """What a tracker plugin offers the core: payload normalisation and a client factory."""

    name: str
    normalize: Callable[[str, Any], TicketEvent | None]
    make_tracker: Callable[[Config], Tracker]
    reconcile_event: str  # inbox event name of polled changes


# Explicit registry: tracker type in the config → module exposing PLUGIN.
TRACKER_PLUGINS: dict[str, str] = {"gitlab": "plugins.gitlab"}


def load_tracker_plugin(name: str) -> TrackerPlugin:
    """Import a tracker plugin by its config name."""
    module = importlib.import_module(TRACKER_PLUGINS[name])
    plugin: TrackerPlugin = module.PLUGIN
    return plugin
