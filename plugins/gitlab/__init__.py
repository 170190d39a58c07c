"""GitLab issues: webhook payload normalisation and python-gitlab write-back."""

from __future__ import annotations

from typing import Any

from connector.adapters import DryRunAdapter, Tracker, TrackerPlugin
from connector.config import Config
from plugins.gitlab.events import RECONCILE, normalize


def make_tracker(config: Config) -> Tracker:
    """A python-gitlab client, or a dry-run logger when no token is configured."""
    gl = config.trackers.gitlab
    if gl is None or gl.dry_run:
        return DryRunAdapter("gitlab")
    from plugins.gitlab.tracker import GitLabTracker  # the SDK loads only when it is used

    return GitLabTracker(gl)


def guess_event(payload: Any) -> str:
    """The X-Gitlab-Event a saved payload came with, from its object_kind."""
    kind = payload.get("object_kind") if isinstance(payload, dict) else None
    return {"issue": "Issue Hook", "note": "Note Hook"}.get(str(kind), "Issue Hook")


PLUGIN = TrackerPlugin(name="gitlab", normalize=normalize, make_tracker=make_tracker,
                       reconcile_event=RECONCILE, guess_event=guess_event)
