"""MantisBT payloads → TicketEvent: our PHP plugin's webhooks and polled REST issues. Pure."""

from __future__ import annotations

from typing import Any

from connector.errors import PayloadError
from connector.events import TicketEvent, TicketRef
from connector.timestamps import canonical

EVENTS = frozenset({"issue_reported", "issue_updated", "note_added"})
RECONCILE = "Reconcile"  # payload {"issue": <REST issue with "_url">, "is_new": bool}
CLOSED_STATUSES = frozenset({"resolved", "closed"})


def normalize(event_name: str, payload: Any) -> TicketEvent | None:
    """An event for each plugin webhook or polled issue; PayloadError names a bad field."""
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    if event_name == RECONCILE:
        issue = _dict(payload, "issue")
        return _event(issue, "sync", "", str(issue.get("_url") or ""),
                      bool(payload.get("is_new")))
    if event_name not in EVENTS:
        return None
    issue = _dict(payload, "issue")
    actor: dict[str, Any] = payload["actor"] if isinstance(payload.get("actor"), dict) else {}
    url = f"{str(payload.get('mantis_url') or '').rstrip('/')}/view.php?id={issue.get('id')}"
    actor_name = str(actor.get("name") or "")  # null when no user was logged in (scripts)
    if event_name == "note_added":
        note = _dict(payload, "note")
        base = _event(issue, "note", actor_name, url, False)
        return TicketEvent(**{**base.__dict__, "kind": "note",
                              "note": _str(note, "text", "note.text")})
    action = "open" if event_name == "issue_reported" else "update"
    return _event(issue, action, actor_name, url, event_name == "issue_reported")


def _event(issue: dict[str, Any], action: str, actor: str, url: str, is_new: bool) -> TicketEvent:
    issue_id = issue.get("id")
    if not isinstance(issue_id, int) or isinstance(issue_id, bool):
        raise PayloadError("issue.id: expected an integer")
    project = _dict(issue, "project")
    fields = {
        str(_dict(cf, "field").get("name")): "" if cf.get("value") is None else str(cf["value"])
        for cf in _list(issue, "custom_fields") if isinstance(cf, dict)}
    for text_field in ("steps_to_reproduce", "additional_information"):
        if issue.get(text_field):
            fields[text_field] = str(issue[text_field])
    status = _name(issue, "status")
    return TicketEvent(
        ref=TicketRef("mantis", str(project.get("id")), str(issue_id)),
        kind="ticket", action=action, actor=actor, title=str(issue.get("summary") or ""), url=url,
        state="closed" if status in CLOSED_STATUSES else "opened",
        labels=tuple(str(t.get("name")) for t in _list(issue, "tags") if isinstance(t, dict)),
        assignees=tuple(n for n in [_name(issue, "handler")] if n),
        author=_name(issue, "reporter") or "", priority=_name(issue, "priority"),
        status=status, handler=_name(issue, "handler") or "",
        description=str(issue.get("description") or ""),
        attachments=tuple(str(a.get("filename")) for a in _list(issue, "attachments")
                          if isinstance(a, dict) and a.get("filename")),
        updated_at=_time(issue.get("updated_at")), is_new=is_new, fields=fields,
    )


def _name(obj: dict[str, Any], key: str) -> str | None:
    """`{"id": 10, "name": "new"}` → "new"; absent or null → None."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise PayloadError(f"issue.{key}: expected an object with a name")
    return str(value["name"])


def _dict(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise PayloadError(f"{key}: expected an object")
    return value


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key) or []
    if not isinstance(value, list):
        raise PayloadError(f"issue.{key}: expected a list")
    return value


def _str(obj: dict[str, Any], key: str, name: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise PayloadError(f"{name}: required string is missing")
    return value


def _time(value: Any) -> str:
    try:
        return canonical(str(value)) if value else ""
    except ValueError:
        raise PayloadError(f"issue.updated_at: not a timestamp: {str(value)[:40]!r}") from None
