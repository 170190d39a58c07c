"""MantisBT: webhooks from our PHP plugin (plugins/mantisbt/), REST write-back, polling."""

from __future__ import annotations

from typing import Any

from connector.adapters import DryRunAdapter, Tracker, TrackerPlugin
from connector.config import Config
from plugins.mantis.events import RECONCILE, normalize


def make_tracker(config: Config) -> Tracker:
    """A REST client, or a dry-run logger when no API token is configured."""
    cfg = config.trackers.mantis
    if cfg is None or cfg.dry_run:
        return DryRunAdapter("mantis")
    from plugins.mantis.tracker import MantisTracker

    return MantisTracker(cfg)


def guess_event(payload: Any) -> str:
    """Plugin webhooks name their event; anything else is taken as a polled issue."""
    return str(payload.get("event")) if isinstance(payload, dict) and "event" in payload \
        else RECONCILE


PLUGIN = TrackerPlugin(name="mantis", normalize=normalize, make_tracker=make_tracker,
                       reconcile_event=RECONCILE, guess_event=guess_event)
