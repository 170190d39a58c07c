"""MantisBT payloads → TicketEvent: our PHP plugin's webhooks and polled REST issues. Pure.

Built-in fields the rules may read go into `fields` by their REST names (`severity` — the
«Влияние» of a Russian MantisBT —, `steps_to_reproduce`, `additional_information`) next to
the custom fields. Who set what: a webhook's `changes` were made by its actor (whose access
level in the project the plugin sends, as it sends the reporter's); a polled issue's `history`
names the last person to change each field, and the poll adds `_access_levels` for the people
in it and its reporter.
"""

from __future__ import annotations

from typing import Any

from connector.errors import PayloadError
from connector.events import Attachment, Person, TicketEvent, TicketRef
from connector.timestamps import canonical

EVENTS = frozenset({"issue_reported", "issue_updated", "note_added"})
# payload {"issue": <REST issue with "_url" and "_access_levels" {name: level}>, "is_new": bool}
RECONCILE = "Reconcile"
CLOSED_STATUSES = frozenset({"resolved", "closed"})
TEXT_FIELDS = ("steps_to_reproduce", "additional_information")


def normalize(event_name: str, payload: Any) -> TicketEvent | None:
    """An event for each plugin webhook or polled issue; PayloadError names a bad field."""
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    if event_name == RECONCILE:
        issue = _dict(payload, "issue")
        levels = issue.get("_access_levels")
        event = _event(issue, "sync", "", str(issue.get("_url") or ""),
                       bool(payload.get("is_new")))
        known = levels if isinstance(levels, dict) else {}
        return TicketEvent(**{**event.__dict__, "changed_by": _history(issue, known),
                              "author_level": _level(known.get(event.author)),
                              "supplements": _reporter_notes(issue, event.author)})
    if event_name not in EVENTS:
        return None
    issue = _dict(payload, "issue")
    actor: dict[str, Any] = payload["actor"] if isinstance(payload.get("actor"), dict) else {}
    url = f"{str(payload.get('mantis_url') or '').rstrip('/')}/view.php?id={issue.get('id')}"
    actor_name = str(actor.get("name") or "")  # null when no user was logged in (scripts)
    if event_name == "note_added":
        note = _dict(payload, "note")
        base = _event(issue, "note", actor_name, url, False)
        text = _str(note, "text", "note.text")
        by = _name(note, "reporter") or actor_name
        return TicketEvent(**{**base.__dict__, "kind": "note", "note": text,
                              "supplements": (text,) if by and by == base.author else ()})
    action = "open" if event_name == "issue_reported" else "update"
    event = _event(issue, action, actor_name, url, event_name == "issue_reported")
    if event_name != "issue_updated":
        return event
    return TicketEvent(**{**event.__dict__, "changed_by": _changes(payload, actor)})


def _event(issue: dict[str, Any], action: str, actor: str, url: str, is_new: bool) -> TicketEvent:
    issue_id = issue.get("id")
    if not isinstance(issue_id, int) or isinstance(issue_id, bool):
        raise PayloadError("issue.id: expected an integer")
    project = _dict(issue, "project")
    fields = {
        str(_dict(cf, "field").get("name")): "" if cf.get("value") is None else str(cf["value"])
        for cf in _list(issue, "custom_fields") if isinstance(cf, dict)}
    for text_field in TEXT_FIELDS:
        if issue.get(text_field):
            fields[text_field] = str(issue[text_field])
    severity = _name(issue, "severity")
    if severity is not None:
        fields["severity"] = severity
    status = _name(issue, "status")
    category = issue.get("category")
    return TicketEvent(
        ref=TicketRef("mantis", str(project.get("id")), str(issue_id)),
        kind="ticket", action=action, actor=actor, title=str(issue.get("summary") or ""), url=url,
        state="closed" if status in CLOSED_STATUSES else "opened",
        labels=tuple(str(t.get("name")) for t in _list(issue, "tags") if isinstance(t, dict)),
        assignees=tuple(n for n in [_name(issue, "handler")] if n),
        author=_name(issue, "reporter") or "", author_level=_reporter_level(issue),
        priority=_name(issue, "priority"),
        status=status, handler=_name(issue, "handler") or "",
        description=str(issue.get("description") or ""),
        category=str(category.get("name") or "") if isinstance(category, dict)
        else str(category or ""),
        attachments=tuple(Attachment(str(a["filename"]), _size(a.get("size")))
                          for a in _list(issue, "attachments")
                          if isinstance(a, dict) and a.get("filename")),
        updated_at=_time(issue.get("updated_at")),
        created_at=_time(issue.get("created_at"), "issue.created_at"), is_new=is_new,
        fields=fields,
    )


def _changes(payload: dict[str, Any], actor: dict[str, Any]) -> dict[str, Person]:
    """Fields the plugin reports changed by this update: their new value is the actor's."""
    changes = payload.get("changes")
    if not isinstance(changes, dict) or not actor.get("name"):
        return {}
    level = actor.get("access_level")
    who = Person(str(actor["name"]), _level(level.get("id") if isinstance(level, dict)
                                            else level))
    names = [k for k in changes if k != "custom_fields"]
    custom = changes.get("custom_fields")
    names += [str(k) for k in custom] if isinstance(custom, dict) else []
    return dict.fromkeys(names, who)


def _history(issue: dict[str, Any], levels: dict[str, Any]) -> dict[str, Person]:
    """The last person to change each field, from the REST issue's history (oldest first)."""
    entries = [h for h in _list(issue, "history") if isinstance(h, dict)]
    last: dict[str, Person] = {}
    for entry in sorted(entries, key=lambda h: str(h.get("created_at") or "")):
        field = entry.get("field")
        user = entry.get("user")
        if not isinstance(field, dict) or not isinstance(user, dict) or not field.get("name"):
            continue
        name = str(user.get("name") or "")
        last[str(field["name"])] = Person(name, _level(levels.get(name)))
    return last


def _reporter_notes(issue: dict[str, Any], reporter: str) -> tuple[str, ...]:
    """What the applicant wrote in notes: the way a reporter completes a request in Mantis."""
    return tuple(str(n.get("text") or "") for n in _list(issue, "notes")
                 if isinstance(n, dict) and reporter
                 and isinstance(n.get("reporter"), dict) and n["reporter"].get("name") == reporter)


def _reporter_level(issue: dict[str, Any]) -> int | None:
    """The reporter's access level in the project, as our plugin sends it (the REST API does
    not: a polled issue's comes from `_access_levels`)."""
    reporter = issue.get("reporter")
    level = reporter.get("access_level") if isinstance(reporter, dict) else None
    return _level(level.get("id") if isinstance(level, dict) else level)


def _level(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _size(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


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


def _time(value: Any, name: str = "issue.updated_at") -> str:
    try:
        return canonical(str(value)) if value else ""
    except ValueError:
        raise PayloadError(f"{name}: not a timestamp: {str(value)[:40]!r}") from None
