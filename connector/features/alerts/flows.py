"""Alerts channel (Belarus §4.2), one message per Alertmanager group: the group's first firing
alert posts it with L1's three decisions; alerts joining, resolving and firing again edit it;
the cause of a one-off is the first reply; the registered ticket's link and the decision stay
in it when the group resolves; silences made from it are shown in it."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.actions import CreateSilence, ExpireSilence
from connector.adapters import Performed
from connector.context import FeatureContext
from connector.events import Action, Alert, ChatMessage, TicketRef
from connector.features.alerts import groups, roomnotes, store
from connector.features.alerts.message import rules_for
from connector.features.alerts.models import TRACKER, alert_ref, small_int
from connector.features.alerts.wording import decision_text
from connector.store import threads
from connector.store.outbox import OutboxItem
from connector.timestamps import to_epoch
from connector.work import enqueue_actions, finish

log = logging.getLogger(__name__)


def process_alert(c: FeatureContext, row: Row[Any]) -> str:
    """Fold an alert into its group; post the group's message or keep it current."""
    alert = Alert(**json.loads(row.payload))
    name, _ = rules_for(c)
    with c.engine.begin() as conn:
        group_id, _ = store.upsert_group(conn, alert)
        _, before = threads.upsert_alert(conn, alert.fingerprint, alert.status, alert.title,
                                         asdict(alert), group_id)
        if before == alert.status:  # Alertmanager repeats a group's alerts: nothing new
            return finish(c, conn, row, "done", f"alert group {group_id}: no change")
        firing = store.any_firing(conn, group_id)
        was = store.get(conn, group_id)
        state = "firing" if firing else "resolved"
        store.change(conn, group_id, state=state)
        group = store.get(conn, group_id)
        assert group is not None and was is not None
        actions: list[Action] = []
        if not json.loads(group.details).get("posted"):
            actions = [groups.post(c, conn, group)] if state == "firing" else []
        else:
            groups.refresh(c, conn, group_id, lazy=True)
            if was.state == "resolved" and state == "firing":
                actions.append(groups.in_thread(c, group_id, c.render(
                    "alert_group_refired", name, title=alert.title)))
            elif was.state == "firing" and state == "resolved":
                actions.append(groups.in_thread(c, group_id, c.render(
                    "alert_group_resolved_line", name,
                    decision=decision_text(c, group.decision, name))))
        roomnotes.tell_rooms(c, conn, group_id, lazy=True)
        count = enqueue_actions(c, conn, row.dedup_key, actions, row.id)
        return finish(c, conn, row, "done",
                      f"alert group {group_id} {state}: {count} action(s)")


def on_reply(c: FeatureContext, conn: Connection, ref: TicketRef, m: ChatMessage,
             author: str) -> list[Action]:
    """The first reply after "one-off" is the cause; the group's message shows it."""
    group_id = small_int(ref.key)
    if group_id is None or not store.decide(conn, group_id, "one-off", was=("awaiting_cause",),
                                            cause=m.text):
        return []
    groups.refresh(c, conn, group_id)
    return []


def follow_up(c: FeatureContext, conn: Connection, item: OutboxItem, performed: Performed) -> None:
    """What came back from an action on a group: its ticket's link, its silence made or
    lifted — recorded on the group, said in its message and thread."""
    kind, result, ref = item.action.kind, performed.result, item.action.ticket
    if kind in ("post_alert", "update_alert") and ref.tracker == TRACKER:
        group_id = small_int(ref.key)
        if group_id is not None and ref == alert_ref(group_id):
            groups.after_edit(c, conn, item.action.target, group_id, item.action.params)
        return
    if roomnotes.is_note(item):
        roomnotes.after_note(c, conn, item)
        return
    name, _ = rules_for(c)
    if kind == "create_issue" and item.action.params.get("alert_id") is not None:
        group_id = int(item.action.params["alert_id"])
        store.change(conn, group_id, issue_url=str(result.get("url", "")))
    elif kind == "create_silence":
        p = item.action.params_as(CreateSilence)
        group_id = p.group_id
        store.change(conn, group_id, silence_id=str(result.get("silence_id", "")),
                     silenced_until=_epoch(str(result.get("ends_at", ""))),
                     silenced_by=p.created_by)
        line = c.render("alert_silence_created", name, user=p.created_by, hours=p.hours)
        enqueue_actions(c, conn, f"followup:{item.idempotency_key}",
                        [groups.in_thread(c, group_id, line)])
    elif kind == "expire_silence":
        e = item.action.params_as(ExpireSilence)
        group_id = e.group_id
        store.change(conn, group_id, silence_id=None, silenced_until=None, silenced_by=None)
        enqueue_actions(c, conn, f"followup:{item.idempotency_key}", [groups.in_thread(
            c, group_id, c.render("alert_silence_expired", name, user=e.user))])
    else:
        return
    groups.refresh(c, conn, group_id)


def _epoch(moment: str) -> float | None:
    try:
        return to_epoch(moment) if moment else None
    except ValueError:
        return None
