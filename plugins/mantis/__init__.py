"""MantisBT: webhooks from our PHP plugin (plugins/mantisbt/), REST write-back, polling."""

from __future__ import annotations

from typing import Any

from connector.adapters import Tracker, TrackerPlugin
from plugins.mantis.events import RECONCILE, normalize


def make_tracker(config: Any) -> Tracker:
    """The client for a configured tracker section (the SDK loads only when it is used)."""
    # start-up time: the SDK loads only when a client is made
    from plugins.mantis.tracker import MantisTracker

    return MantisTracker(config)


def guess_event(payload: Any) -> str:
    """Plugin webhooks name their event; anything else is taken as a polled issue."""
    return str(payload.get("event")) if isinstance(payload, dict) and "event" in payload \
        else RECONCILE


# Kinds of action its tracker performs: every one (tags stand for labels).
SUPPORTS = frozenset({"set_status", "set_priority", "assign", "update_labels", "set_field",
                      "link", "add_note", "create_issue", "attach_file"})

PLUGIN = TrackerPlugin(name="mantis", normalize=normalize, make_tracker=make_tracker,
                       reconcile_event=RECONCILE, guess_event=guess_event,
                       supports=SUPPORTS)
