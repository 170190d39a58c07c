"""Events from a project the config does not list are ignored; the admin is told so once per
project per process, with the key to add it under, not left to wonder why nothing happens."""

from __future__ import annotations

import logging
import threading

from connector.core import Connector
from connector.events import TicketRef

log = logging.getLogger(__name__)

_told: set[tuple[str, str, str]] = set()  # (worker id, tracker, project) already named
_lock = threading.Lock()


def tell_unlisted(c: Connector, ref: TicketRef) -> None:
    """Log the first ignored event of an unlisted project (per connector, i.e. per process)."""
    seen = (c.worker_id, ref.tracker, ref.project)
    with _lock:
        if seen in _told:
            return
        _told.add(seen)
    log.warning("%s project %s is not listed in the config: its events are ignored; to act on "
                "them add `{id: %s, mapping: <name>}` under trackers.%s.projects (mappings: "
                "%s), then `helpdesk-connector inbox retry` the ignored events",
                ref.tracker, ref.project, ref.project, ref.tracker,
                ", ".join(sorted(c.mappings.by_name)),
                extra={"tracker": ref.tracker, "project": ref.project})
