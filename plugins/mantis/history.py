"""A Mantis issue's history, as the REST issue's `history` tells it (mci_issue_get_history):
replayed into what the issue was after each change of what the rules read — status, priority,
severity and the custom fields, category, handler, tags — so the declaring rule of an outage
and its stages can be read as they were then."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from connector.adapters import Snapshot, add_point
from connector.timestamps import canonical

ENUMS = ("status", "priority", "severity")  # values {id, name, label}: the name is kept
TAGS = {"tag-added": True, "tag-deleted": False}  # history types 25 and 26
Values = dict[str, str]


def snapshots(issue: dict[str, Any]) -> list[Snapshot]:
    """The issue at creation, then after each instant it changed, oldest first. What it was
    created with is today's value taken back through each change's old value."""
    custom = {str((cf.get("field") or {}).get("name")) for cf in issue.get("custom_fields") or []
              if isinstance(cf, dict)}
    values, tags = _now(issue), {str(t.get("name")) for t in issue.get("tags") or []
                                 if isinstance(t, dict)}
    changes = sorted((c for h in issue.get("history") or [] if isinstance(h, dict)
                      for c in _change(h, custom)), key=lambda c: c[0])
    for _, name, old, _new in reversed(changes):
        _apply(values, tags, name, old)
    created = canonical(str(issue.get("created_at")))
    points = [_snapshot(created, values, tags)]
    for at, group in groupby(changes, key=lambda c: c[0]):
        for _, name, _old, new in group:
            _apply(values, tags, name, new)
        add_point(points, _snapshot(max(at, created), values, tags))  # with the issue: one
    return points


def _now(issue: dict[str, Any]) -> Values:
    values = {name: _name(issue.get(name)) for name in ENUMS}
    category = issue.get("category")
    values["category"] = str(category.get("name") or "") if isinstance(category, dict) \
        else str(category or "")
    values["handler"] = _name(issue.get("handler"))
    for cf in issue.get("custom_fields") or []:
        if isinstance(cf, dict):
            values[str((cf.get("field") or {}).get("name"))] = str(cf.get("value") or "")
    return values


def _change(entry: dict[str, Any], custom: set[str]) -> list[tuple[str, str, Any, Any]]:
    """(at, what, old, new) of a history entry the rules can read; tags as (`#tag`, name,
    attached?): taking one back detaches what was attached."""
    at = canonical(str(entry.get("created_at")))
    kind = str((entry.get("type") or {}).get("name") or "")
    if kind in TAGS:
        name = _name(entry.get("tag"))
        return [(at, "#tag", (name, not TAGS[kind]), (name, TAGS[kind]))] if name else []
    field = str((entry.get("field") or {}).get("name") or "")
    if kind != "field-updated" or not (field in (*ENUMS, "category", "handler") or
                                       field in custom):
        return []
    return [(at, field, _text(field, entry.get("old_value")),
             _text(field, entry.get("new_value")))]


def _apply(values: Values, tags: set[str], name: str, value: Any) -> None:
    if name == "#tag":
        tag, attached = value
        (tags.add if attached else tags.discard)(tag)
    else:
        values[name] = value


def _snapshot(at: str, values: Values, tags: set[str]) -> Snapshot:
    status = values.get("status") or None
    fields = {k: v for k, v in values.items() if k not in ("status", "priority", "category",
                                                            "handler")}
    return Snapshot(at, status, "closed" if status == "closed" else "opened",
                    tuple(sorted(tags)), bool(values.get("handler")),
                    values.get("priority") or None, values.get("category", ""), fields)


def _text(field: str, value: Any) -> str:
    """An enum or account by its name; category and custom fields are plain text."""
    return _name(value) if field in (*ENUMS, "handler") else str(value or "")


def _name(value: Any) -> str:
    return str(value.get("name") or "") if isinstance(value, dict) else ""
