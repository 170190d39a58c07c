"""A group's message in every chat: posted once when the group first fires, then kept current
through coalesced edits (edits.py); a change worth a line goes into its thread."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action
from connector.features.alerts import edits, store
from connector.features.alerts.message import alerts_config, render_group, rules_for
from connector.features.alerts.models import RULE, TOPIC, alert_ref
from connector.work import chat_targets


def post(c: FeatureContext, conn: Connection, group: Row[Any]) -> Action:
    """The group's one top-level message (Telegram: in the one alerts topic)."""
    name, _ = rules_for(c)
    text, buttons = render_group(c, conn, group)
    details = json.loads(group.details)
    store.change(conn, group.id, details=json.dumps({**details, "posted": True},
                                                    ensure_ascii=False))
    return Action("post_alert", "chat", alert_ref(group.id), {
        "channel": alerts_config(c).channel, "title": text.split("\n", 1)[0][:128],
        "text": text, "buttons": buttons, "topic": str(TOPIC),
        "topic_title": c.render("alert_topic_title", name)}, RULE)


def refresh(c: FeatureContext, conn: Connection, group_id: int, *, lazy: bool = False) -> None:
    """The group's message shows the group as it is now, in every chat (a group never posted
    — all its alerts came resolved — has nothing to show). `lazy`: a chat whose edit still
    waits is left to it — rendered anew once done (after_edit) — so a storm renders the
    message once per edit, not once per alert."""
    group = store.get(conn, group_id)
    if group is None or not json.loads(group.details).get("posted"):
        return
    channel = alerts_config(c).channel
    chats = [t.target for t in chat_targets(c, Action("update_alert", "chat", alert_ref(
        group_id), {"channel": channel, "text": ""}, RULE))
        if t.target != "chat"]  # no chat has the channel: nothing to edit
    if lazy:
        chats = [chat for chat in chats
                 if not edits.waiting(conn, edits.message_scope(chat, group_id))]
    if not chats:
        return
    text, buttons = render_group(c, conn, group)
    for chat in chats:
        edits.schedule(conn, chat, group_id, channel, text, buttons)


def after_edit(c: FeatureContext, conn: Connection, chat: str, group_id: int,
               shown: dict[str, Any]) -> None:
    """The group's message in `chat` was posted or edited showing `shown`: edited again,
    within the rate, if the group moved on since (changes left to a waiting edit too)."""
    group = store.get(conn, group_id)
    if group is None or not json.loads(group.details).get("posted"):
        return
    text, buttons = render_group(c, conn, group)
    now_shown = (text, [list(b) for b in buttons])
    if edits.waiting(conn, edits.message_scope(chat, group_id)) or \
            now_shown != (shown.get("text"), [list(b) for b in shown.get("buttons", [])]):
        edits.schedule(conn, chat, group_id, alerts_config(c).channel, text, buttons)


def in_thread(c: FeatureContext, group_id: int, text: str) -> Action:
    """A line in the group's Slack thread / the Telegram alerts topic."""
    return Action("post_in_thread", "chat", alert_ref(group_id),
                  {"channel": alerts_config(c).channel, "text": text}, RULE)
