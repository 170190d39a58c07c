"""A GitLab issue's history: resource label and state events, and the system notes GitLab
writes when people are (un)assigned — replayed into what the issue was after each instant it
changed (one request's labels share their time), for SLA repair and outages from history."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from connector.adapters import Snapshot, add_point
from connector.timestamps import canonical


def snapshots(issue: Any, label_events: list[Any], state_events: list[Any],
              notes: list[Any]) -> list[Snapshot]:
    """The issue at creation, then after each change, oldest first."""
    changes: list[tuple[str, str, Any]] = []
    for e in label_events:
        a = e.attributes
        changes.append((canonical(a["created_at"]), "label",
                        (a.get("action"), (a.get("label") or {}).get("name"))))
    for e in state_events:
        a = e.attributes
        changes.append((canonical(a["created_at"]), "state", a.get("state")))
    for n in notes:
        a = n.attributes
        body = str(a.get("body") or "")
        if a.get("system") and (body.startswith("assigned to ") or body.startswith("unassigned ")):
            changes.append((canonical(a["created_at"]), "assign", "unassigned" not in body
                            or body.startswith("assigned to ")))
    changes.sort(key=lambda c: c[0])
    labels = set(issue.attributes.get("labels") or [])
    for _, kind, value in reversed(changes):  # back to what it was created with
        if kind == "label":
            action, name = value
            (labels.discard if action == "add" else labels.add)(name)
    assigns = [value for _, kind, value in changes if kind == "assign"]
    assigned = bool(issue.attributes.get("assignees")) if not assigns else not assigns[0]
    state, created = "opened", canonical(issue.attributes["created_at"])
    points = [Snapshot(created, None, state, tuple(sorted(labels)), assigned)]
    for at, group in groupby(changes, key=lambda c: c[0]):
        for _, kind, value in group:
            if kind == "label":
                action, name = value
                (labels.add if action == "add" else labels.discard)(name)
            elif kind == "state":
                state = "closed" if value == "closed" else "opened"
            else:
                assigned = bool(value)
        add_point(points, Snapshot(max(at, created), None, state, tuple(sorted(labels)),
                                   assigned))
    return points
