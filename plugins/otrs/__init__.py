"""Znuny/OTRS: invoker webhooks from our web service (HelpdeskConnector.yml), REST write-back."""

from __future__ import annotations

from typing import Any

from connector.adapters import Tracker, TrackerPlugin
from plugins.otrs.events import RECONCILE, normalize


def make_tracker(config: Any) -> Tracker:
    """The client for a configured tracker section (the SDK loads only when it is used)."""
    # start-up time: the SDK loads only when a client is made
    from plugins.otrs.tracker import OtrsTracker

    return OtrsTracker(config)


def guess_event(payload: Any) -> str:
    """Which invoker sent a saved payload (the name itself travels only in the URL path)."""
    event = payload.get("Event") if isinstance(payload, dict) else None
    if not isinstance(event, dict):
        return RECONCILE
    if "ArticleID" in event:
        return "ArticleCreate"
    return "TicketStateUpdate" if "OldTicketData" in event else "TicketPriorityUpdate"


# Kinds of action its tracker performs (Znuny tickets have no labels and no links through
# the shipped web service).
SUPPORTS = frozenset({"set_status", "set_priority", "assign", "set_field", "add_note",
                      "create_issue", "attach_file"})

PLUGIN = TrackerPlugin(name="otrs", normalize=normalize, make_tracker=make_tracker,
                       reconcile_event=RECONCILE, guess_event=guess_event,
                       supports=SUPPORTS)
