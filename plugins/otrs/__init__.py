"""Znuny/OTRS: invoker webhooks from our web service (HelpdeskConnector.yml), REST write-back."""

from __future__ import annotations

from typing import Any

from connector.adapters import DryRunAdapter, Tracker, TrackerPlugin
from connector.config import Config
from plugins.otrs.events import RECONCILE, normalize


def make_tracker(config: Config) -> Tracker:
    """A GenericInterface client, or a dry-run logger without an agent password."""
    cfg = config.trackers.otrs
    if cfg is None or cfg.dry_run:
        return DryRunAdapter("otrs")
    from plugins.otrs.tracker import OtrsTracker

    return OtrsTracker(cfg)


def guess_event(payload: Any) -> str:
    """Which invoker sent a saved payload (the name itself travels only in the URL path)."""
    event = payload.get("Event") if isinstance(payload, dict) else None
    if not isinstance(event, dict):
        return RECONCILE
    if "ArticleID" in event:
        return "ArticleCreate"
    return "TicketStateUpdate" if "OldTicketData" in event else "TicketPriorityUpdate"


PLUGIN = TrackerPlugin(name="otrs", normalize=normalize, make_tracker=make_tracker,
                       reconcile_event=RECONCILE, guess_event=guess_event)
