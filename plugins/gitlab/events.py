"""GitLab payloads → TicketEvent. Pure: used by the receiver to validate and the worker to act."""

from __future__ import annotations

from typing import Any

from connector.errors import PayloadError
from connector.events import TicketEvent, TicketRef
from connector.timestamps import canonical

ISSUE_HOOKS = frozenset({"Issue Hook", "Confidential Issue Hook"})
NOTE_HOOKS = frozenset({"Note Hook", "Confidential Note Hook"})
HANDLED_HOOKS = ISSUE_HOOKS | NOTE_HOOKS
RECONCILE = "Reconcile"  # a change found by polling the API, payload {"issue": …, "is_new": …}


def normalize(event_name: str, payload: Any) -> TicketEvent | None:
    """Turn a payload into an event; None for things the rules ignore; PayloadError if malformed."""
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    if event_name in ISSUE_HOOKS:
        return _issue_hook(payload)
    if event_name in NOTE_HOOKS:
        return _note_hook(payload)
    if event_name == RECONCILE:
        return _polled_issue(payload)
    return None


def _issue_hook(p: dict[str, Any]) -> TicketEvent | None:
    if _field(p, "object_kind", str) != "issue":
        return None  # incidents, tasks and other work items are not support tickets here
    attrs = _field(p, "object_attributes", dict)
    labels_src = p["labels"] if "labels" in p else attrs.get("labels", [])
    changes = p.get("changes")
    label_change = changes.get("labels") if isinstance(changes, dict) else None
    previous = None
    if isinstance(label_change, dict):
        previous = _label_titles(label_change.get("previous", []), "changes.labels.previous")
    action = attrs.get("action") or "update"
    return TicketEvent(
        ref=TicketRef("gitlab", str(_field(p, "project.id", int)),
                      str(_field(attrs, "iid", int, "object_attributes.iid"))),
        kind="ticket",
        action=str(action),
        actor=_field(p, "user.username", str),
        title=_field(attrs, "title", str, "object_attributes.title"),
        url=str(attrs.get("url") or ""),
        state=_field(attrs, "state", str, "object_attributes.state"),
        labels=_label_titles(labels_src, "labels"),
        previous_labels=previous,
        assignees=tuple(_usernames(p.get("assignees") or [], "assignees")),
        updated_at=_time(attrs.get("updated_at"), "object_attributes.updated_at"),
        created_at=_time(attrs.get("created_at"), "object_attributes.created_at"),
        reference=_reference(p, attrs.get("iid")),
        is_new=action == "open",
    )


def _note_hook(p: dict[str, Any]) -> TicketEvent | None:
    attrs = _field(p, "object_attributes", dict)
    if attrs.get("noteable_type") != "Issue" or attrs.get("system"):
        return None  # notes on merge requests, commits, snippets; system notes
    issue = _field(p, "issue", dict)
    return TicketEvent(
        ref=TicketRef("gitlab", str(_field(p, "project.id", int)),
                      str(_field(issue, "iid", int, "issue.iid"))),
        kind="note",
        action="note",
        actor=_field(p, "user.username", str),
        title=str(issue.get("title") or ""),
        url=str(attrs.get("url") or ""),
        state=str(issue.get("state") or "opened"),
        labels=_label_titles(issue.get("labels") or [], "issue.labels"),
        updated_at=_time(attrs.get("updated_at"), "object_attributes.updated_at"),
        note=_field(attrs, "note", str, "object_attributes.note"),
    )


def _polled_issue(p: dict[str, Any]) -> TicketEvent:
    issue = _field(p, "issue", dict)
    labels = issue.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise PayloadError("issue.labels: expected a list of strings")
    author = issue.get("author") if isinstance(issue.get("author"), dict) else {}
    return TicketEvent(
        ref=TicketRef("gitlab", str(_field(issue, "project_id", int, "issue.project_id")),
                      str(_field(issue, "iid", int, "issue.iid"))),
        kind="ticket",
        action="sync",
        actor="",
        title=str(issue.get("title") or ""),
        url=str(issue.get("web_url") or ""),
        state=str(issue.get("state") or "opened"),
        labels=tuple(labels),
        assignees=tuple(_usernames(issue.get("assignees") or [], "issue.assignees")),
        author=str(author.get("username") or ""),
        updated_at=_time(issue.get("updated_at"), "issue.updated_at"),
        created_at=_time(issue.get("created_at"), "issue.created_at"),
        reference=issue_reference(issue),
        is_new=bool(p.get("is_new")),
    )


def _field(obj: dict[str, Any], path: str, kind: type, name: str | None = None) -> Any:
    """Fetch a dotted path and check its type, or say exactly what is wrong."""
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise PayloadError(f"{name or path}: required field is missing")
        value = value[part]
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise PayloadError(f"{name or path}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def _label_titles(labels: Any, name: str) -> tuple[str, ...]:
    if not isinstance(labels, list):
        raise PayloadError(f"{name}: expected a list of labels")
    titles = []
    for i, label in enumerate(labels):
        if not isinstance(label, dict):
            raise PayloadError(f"{name}[{i}]: expected a label object")
        titles.append(_field(label, "title", str, f"{name}[{i}].title"))
    return tuple(titles)


def _usernames(users: Any, name: str) -> list[str]:
    if not isinstance(users, list):
        raise PayloadError(f"{name}: expected a list of users")
    return [str(u.get("username") or "") for u in users if isinstance(u, dict)]


def issue_reference(issue: dict[str, Any]) -> str:
    """`group/project#7`, as GitLab's API gives it (`references.full`); "" if it does not."""
    refs = issue.get("references")
    full = refs.get("full") if isinstance(refs, dict) else None
    return full if isinstance(full, str) and "#" in full and len(full) <= 255 else ""


def _reference(p: dict[str, Any], iid: Any) -> str:
    """`group/project#7` from a hook's project path (GitLab links `#7` within the project)."""
    project = p.get("project")
    path = project.get("path_with_namespace") if isinstance(project, dict) else None
    return f"{path}#{iid}" if isinstance(path, str) and path and len(path) <= 240 else ""


def _time(value: Any, name: str) -> str:
    if value is None:
        return ""
    try:
        return canonical(str(value))
    except ValueError:
        raise PayloadError(f"{name}: not a timestamp: {str(value)[:40]!r}") from None
