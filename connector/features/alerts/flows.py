"""Alerts channel (Belarus §4.2): each firing alert gets a message with L1's three decisions;
the cause of a one-off is the first reply; the issue's link replaces the buttons."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.adapters import Performed
from connector.context import FeatureContext
from connector.events import Action, Alert, ChatMessage, TicketRef
from connector.features.alerts.buttons import alerts_config, buttons
from connector.features.alerts.models import RULE, alert_ref
from connector.features.alerts.wording import decision_text, say, severity_text
from connector.store import threads
from connector.store.outbox import OutboxItem
from connector.work import enqueue_actions, finish

log = logging.getLogger(__name__)


def process_alert(c: FeatureContext, row: Row[Any]) -> str:
    """Post a new firing alert with buttons; update its message when it resolves."""
    cfg = alerts_config(c)
    alert = Alert(**json.loads(row.payload))
    with c.engine.begin() as conn:
        alert_id, created = threads.upsert_alert(conn, alert.fingerprint, alert.status,
                                                 alert.title, asdict(alert))
        ref, stored = alert_ref(alert_id), threads.get_alert(conn, alert_id)
        decision = stored.decision if stored is not None else "pending"
        values = {"title": alert.title, "severity": severity_text(c, alert.severity),
                  "summary": alert.summary, "url": alert.url}
        if alert.status == "firing" and created:
            text = say(c, "alert_message", status=say(c, "alert_status_firing"), **values)
            actions = [Action("post_alert", "chat", ref, {
                "channel": cfg.channel, "title": alert.title, "text": text,
                "buttons": buttons(c, cfg, alert_id)}, RULE)]
        elif alert.status == "resolved":
            text = say(c, "alert_resolved", decision=decision_text(c, decision), **values)
            actions = [Action("update_alert", "chat", ref,
                              {"channel": cfg.channel, "text": text, "buttons": []}, RULE)]
        else:
            actions = []
        count = enqueue_actions(c, conn, row.dedup_key, actions, row.id)
        return finish(c, conn, row, "done", f"alert {alert_id} {alert.status}: {count} action(s)")


def on_reply(c: FeatureContext, conn: Connection, ref: TicketRef, m: ChatMessage,
             author: str) -> list[Action]:
    """The first reply after "one-off" is the cause; it goes into the alert's message."""
    row = threads.get_alert(conn, int(ref.key))
    if row is None or row.decision != "awaiting_cause":
        return []
    threads.set_alert(conn, row.id, decision="one-off", cause=m.text)
    details = json.loads(row.details)
    text = say(c, "alert_cause_recorded", title=row.title, cause=m.text, user=author,
                    severity=severity_text(c, details.get("severity")),
                    summary=details.get("summary", ""),
                    url=details.get("url", ""))
    return [Action("update_alert", "chat", ref,
                   {"channel": alerts_config(c).channel, "text": text, "buttons": []}, RULE)]


def follow_up(c: FeatureContext, conn: Connection, item: OutboxItem, performed: Performed) -> None:
    """When an alert's issue exists, say so in the alert's message and drop the buttons."""
    alert_id = item.action.params.get("alert_id")
    if item.action.kind != "create_issue" or alert_id is None:
        return
    url = str(performed.result.get("url", ""))
    threads.set_alert(conn, int(alert_id), issue_url=url)
    row = threads.get_alert(conn, int(alert_id))
    text = say(c, "alert_issue_created", title=row.title if row else "", url="",
                    user=item.action.params.get("user", ""), issue_url=url)
    action = Action("update_alert", "chat", alert_ref(int(alert_id)),
                    {"channel": alerts_config(c).channel, "text": text, "buttons": []}, RULE)
    enqueue_actions(c, conn, f"followup:{item.idempotency_key}", [action])
