"""Alerts for a service in a declared outage reach the outage's room (issue 21 item 5): one
message per group in each room, edited — how many alerts fire and are resolved, and the newest
one — never a post per alert. The rooms are whatever the features holding rooms say are open
for the group's service (FeatureContext.service_rooms: the outage feature's open outages),
so this feature knows no outage; the message is posted and edited through the outbox and
coalesced within the chats' rates as the group's own message is (edits.py), rendered once per
edit: a change while the note's edit waits is left to it (after_note renders anew)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext, ServiceRoom
from connector.events import Action
from connector.features.alerts import edits, store
from connector.features.alerts.message import alert_lines, group_title, rules_for
from connector.features.alerts.models import RULE
from connector.store.outbox import OutboxItem
from connector.work import chat_targets

PREFIX = "alerts|room|"  # a note's key: PREFIX + the room's ref + "|" + the group's id


def service_of(conn: Connection, group: Row[Any], label: str) -> str:
    """The catalog service the group is about: its group labels, its common labels, else the
    newest alert's own."""
    details = json.loads(group.details)
    labels = {**details.get("common_labels", {}), **details.get("group_labels", {})}
    if not labels.get(label):
        row = store.newest(conn, group.id)
        labels = json.loads(row.details).get("labels") or {} if row is not None else {}
    return str(labels.get(label) or "")


def tell_rooms(c: FeatureContext, conn: Connection, group_id: int, *,
               lazy: bool = False) -> None:
    """The group's note in every open room of its service shows the group as it is now
    (`lazy`: where a note's edit still waits, it is left to it)."""
    found = _rooms(c, conn, group_id)
    if found is None:
        return
    group, rooms = found
    todo = [(room, chat) for room in rooms for chat in _chats(c, room)
            if not (lazy and edits.waiting(conn, _scope(chat, room, group_id)))]
    if todo:
        text = _text(c, conn, group)
        for room, chat in todo:
            _say(conn, chat, room, group_id, text)


def after_note(c: FeatureContext, conn: Connection, item: OutboxItem) -> None:
    """A note was posted or edited: edited again, within the rate, if its group moved on
    since (changes left to a waiting edit too) and the room is still its service's."""
    note = str(item.action.params.get("note", ""))
    group_id = int(note.rpartition("|")[2])
    found = _rooms(c, conn, group_id)
    if found is None:
        return
    group, rooms = found
    room = next((r for r in rooms if r.ref == item.action.ticket), None)
    if room is None:  # the outage is over
        return
    text, chat = _text(c, conn, group), item.action.target
    if edits.waiting(conn, _scope(chat, room, group_id)) or text != item.action.params["text"]:
        _say(conn, chat, room, group_id, text)


def is_note(item: OutboxItem) -> bool:
    return item.action.kind == "post_in_room" and \
        str(item.action.params.get("note", "")).startswith(PREFIX)


def _rooms(c: FeatureContext, conn: Connection,
           group_id: int) -> tuple[Row[Any], list[ServiceRoom]] | None:
    group = store.get(conn, group_id)
    if group is None:
        return None
    rooms = c.service_rooms(conn, service_of(conn, group, rules_for(c)[1].service_label))
    return (group, rooms) if rooms else None


def _chats(c: FeatureContext, room: ServiceRoom) -> list[str]:
    """The chats that have the room's channel."""
    return [t.target for t in chat_targets(c, Action("post_in_room", "chat", room.ref, {
        "channel": room.channel, "text": ""}, RULE)) if t.target != "chat"]


def _note(room: ServiceRoom, group_id: int) -> str:
    return f"{PREFIX}{room.ref}|{group_id}"


def _scope(chat: str, room: ServiceRoom, group_id: int) -> str:
    return f"{chat}|{_note(room, group_id)}"


def _text(c: FeatureContext, conn: Connection, group: Row[Any]) -> str:
    """How many alerts fire and are resolved, and the newest one with what L1 reads of it."""
    name, rules = rules_for(c)
    _, firing, resolved = store.members(conn, group.id, 0)
    row = store.newest(conn, group.id)
    newest = json.loads(row.details) | {"status": row.status} if row is not None else {}
    lines = alert_lines(c, name, rules, newest) if newest else []
    return c.render("alert_room_note", name, title=group_title(conn, group), firing=firing,
                    resolved=resolved, newest="\n".join(lines))


def _say(conn: Connection, chat: str, room: ServiceRoom, group_id: int, text: str) -> None:
    action = Action("post_in_room", chat, room.ref, {
        "channel": room.channel, "text": text, "note": _note(room, group_id)}, RULE)
    edits.coalesce(conn, action, _scope(chat, room, group_id), room.channel)
