"""GitLab issues: webhook payload normalisation and python-gitlab write-back."""

from __future__ import annotations

from typing import Any

from connector.adapters import Tracker, TrackerPlugin
from plugins.gitlab.events import RECONCILE, normalize


def make_tracker(config: Any) -> Tracker:
    """The client for a configured tracker section (the SDK loads only when it is used)."""
    # start-up time: the SDK loads only when a client is made
    from plugins.gitlab.tracker import GitLabTracker

    return GitLabTracker(config)


def guess_event(payload: Any) -> str:
    """The X-Gitlab-Event a saved payload came with, from its object_kind."""
    kind = payload.get("object_kind") if isinstance(payload, dict) else None
    return {"issue": "Issue Hook", "note": "Note Hook"}.get(str(kind), "Issue Hook")


# Kinds of action its tracker performs (GitLab has no status or priority field: labels).
SUPPORTS = frozenset({"update_labels", "assign", "add_note", "create_issue", "attach_file",
                      "set_state"})

PLUGIN = TrackerPlugin(name="gitlab", normalize=normalize, make_tracker=make_tracker,
                       reconcile_event=RECONCILE, guess_event=guess_event,
                       supports=SUPPORTS)
