"""Alerts for a service in a declared outage reach the outage's room (issue 21 item 5): one
message per group in each room, edited — how many alerts fire and are resolved, and the newest
one — never a post per alert. The rooms are whatever the features holding rooms say are open
for the group's service (FeatureContext.service_rooms: the outage feature's open outages),
so this feature knows no outage; the message is posted and edited through the outbox and
coalesced within the chats' rates as the group's own message is (edits.py)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action
from connector.features.alerts import edits, store
from connector.features.alerts.message import alert_lines, group_title, rules_for
from connector.features.alerts.models import RULE
from connector.work import chat_targets


def service_of(group: Row[Any], newest: dict[str, Any], label: str) -> str:
    """The catalog service the group is about: its group labels, its common labels, else the
    newest alert's own."""
    details = json.loads(group.details)
    labels = {**(newest.get("labels") or {}), **details.get("common_labels", {}),
              **details.get("group_labels", {})}
    return str(labels.get(label) or "")


def tell_rooms(c: FeatureContext, conn: Connection, group_id: int) -> None:
    """The group's note in every open room of its service shows the group as it is now."""
    group, row = store.get(conn, group_id), store.newest(conn, group_id)
    if group is None or row is None:
        return
    name, rules = rules_for(c)
    newest = json.loads(row.details) | {"status": row.status}
    rooms = c.service_rooms(conn, service_of(group, newest, rules.service_label))
    if not rooms:
        return
    _, firing, resolved = store.members(conn, group_id, 0)
    text = c.render("alert_room_note", name, title=group_title(conn, group), firing=firing,
                    resolved=resolved, newest="\n".join(alert_lines(c, name, rules, newest)))
    for room in rooms:
        note = f"alerts|room|{room.ref}|{group_id}"
        action = Action("post_in_room", "chat", room.ref,
                        {"channel": room.channel, "text": text, "note": note}, RULE)
        for target in chat_targets(c, action):
            if target.target != "chat":  # no chat has the room's channel: nowhere to say it
                edits.coalesce(conn, target, f"{target.target}|{note}", room.channel)
