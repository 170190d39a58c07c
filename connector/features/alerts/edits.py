"""A group's message kept current without flooding the chat (issue 21, storms).

Each chat message of a group has at most ONE waiting edit in the outbox. A change to the group
renders the message anew and either gives that waiting edit the new text (the latest state
wins: twenty alerts joining while it waits make one edit) or, when there is none (or it is
being performed right now), enqueues a new edit due no sooner than the chat's rate allows:
each rate scope — a Slack message (chat.update ≈ 60 per minute per message), a Telegram chat
(≈ 20 per minute per group) — keeps when its next edit may go, and every new edit takes the
next free slot. So a storm of any size makes at most one edit per slot per message, and the
last edit always shows the group as it is. Slots and waiting keys live in `alert_edits`, in the
transaction that changed the group, so two processes coalesce alike."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from connector.actions import typed_params
from connector.events import Action
from connector.features.alerts.models import RULE, alert_ref
from connector.store import outbox
from connector.store.db import insert_ignore, now
from connector.store.schema import alert_edits

# Seconds between two edits in one rate scope, and whether the scope is the whole chat.
RATES: dict[str, tuple[float, bool]] = {"slack": (1.0, False), "telegram": (3.0, True)}
DEFAULT_RATE = (3.0, True)


def message_scope(chat: str, group_id: int) -> str:
    return f"{chat}|{alert_ref(group_id)}"


def schedule(conn: Connection, chat: str, group_id: int, channel: str, text: str,
             buttons: list[tuple[str, str]]) -> None:
    """The group's message in `chat` shows `text` and `buttons` soon, within the chat's rate."""
    action = Action("update_alert", chat, alert_ref(group_id),
                    {"channel": channel, "text": text, "buttons": buttons}, RULE)
    coalesce(conn, action, message_scope(chat, group_id), channel)


def coalesce(conn: Connection, action: Action, message_scope: str, channel: str) -> None:
    """`action` (to one chat, rewriting one message: `message_scope`) done soon: it replaces
    the message's waiting one, else it takes the next free slot of its rate scope — the
    message on Slack, the chat's `channel` on Telegram."""
    typed_params(action.kind, action.params)
    chat = action.target
    waiting = _slot(conn, message_scope)[1]
    if waiting and outbox.replace_pending(conn, waiting, action.params):
        return
    interval, per_chat = RATES.get(chat, DEFAULT_RATE)
    rate_scope = f"{chat}|{channel}" if per_chat else message_scope
    next_at = _slot(conn, rate_scope)[0]
    due = max(now(conn), next_at)
    key = f"alerts|edit|{message_scope}|{due:.3f}"
    conn.execute(update(alert_edits).where(alert_edits.c.scope == rate_scope)
                 .values(next_at=due + interval))
    conn.execute(update(alert_edits).where(alert_edits.c.scope == message_scope)
                 .values(pending_key=key))
    outbox.enqueue_at(conn, action, key, due)


def waiting(conn: Connection, message_scope: str) -> bool:
    """Whether the message has an edit waiting that nobody performs yet: a change need not be
    rendered now — when that edit is done, the message is rendered anew (see flows.follow_up)
    and edited again if it shows less than the group now holds. A storm renders the message
    once per slot, not once per alert."""
    return outbox.waiting(conn, select(alert_edits.c.pending_key).where(
        alert_edits.c.scope == message_scope[:255]).scalar_subquery())


def _slot(conn: Connection, scope: str) -> tuple[float, str | None]:
    """(next free time, waiting edit's key) of a scope, created empty and locked for this
    transaction (PostgreSQL: FOR UPDATE; SQLite writes one at a time)."""
    insert_ignore(conn, alert_edits, {"scope": scope[:255], "next_at": 0.0})
    row = conn.execute(select(alert_edits).where(alert_edits.c.scope == scope[:255])
                       .with_for_update()).one()
    return float(row.next_at), row.pending_key
