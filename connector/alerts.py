"""Alerts channel (Belarus §4.2): each firing alert gets a message with L1's three decisions."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.adapters import Performed
from connector.config import AlertsConfig
from connector.core import Connector
from connector.errors import ActionError
from connector.events import Action, ChatButton, ChatMessage, TicketRef
from connector.processing import enqueue_actions, finish
from connector.store import threads
from connector.store.db import reading
from connector.store.outbox import OutboxItem

log = logging.getLogger(__name__)

SOURCE = "alerts"  # inbox source of alert events
TRACKER = "alerts"  # TicketRef.tracker of an alert's thread
RULE = "alerts"


@dataclass(frozen=True)
class Alert:
    """One alert, whatever sent it (Alertmanager or the generic format)."""

    fingerprint: str  # identifies one firing: a new firing after resolution is a new alert
    status: str  # firing | resolved
    title: str
    severity: str = ""
    summary: str = ""
    url: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def alert_ref(alert_id: int) -> TicketRef:
    return TicketRef(TRACKER, "monitoring", str(alert_id))


def process_alert(c: Connector, row: Row[Any]) -> str:
    """Post a new firing alert with buttons; update its message when it resolves."""
    cfg = _config(c)
    alert = Alert(**json.loads(row.payload))
    with c.engine.begin() as conn:
        alert_id, created = threads.upsert_alert(conn, alert.fingerprint, alert.status,
                                                 alert.title, asdict(alert))
        ref, stored = alert_ref(alert_id), threads.get_alert(conn, alert_id)
        decision = stored.decision if stored is not None else "pending"
        values = {"title": alert.title, "severity": severity_text(c, alert.severity),
                  "summary": alert.summary, "url": alert.url}
        if alert.status == "firing" and created:
            text = c.render("alert_message", status=c.render("alert_status_firing"), **values)
            actions = [Action("post_alert", "chat", ref, {
                "channel": cfg.channel, "title": alert.title, "text": text,
                "buttons": buttons(c, cfg, alert_id)}, RULE)]
        elif alert.status == "resolved":
            text = c.render("alert_resolved", decision=decision_text(c, decision), **values)
            actions = [Action("update_alert", "chat", ref,
                              {"channel": cfg.channel, "text": text, "buttons": []}, RULE)]
        else:
            actions = []
        count = enqueue_actions(c, conn, row.dedup_key, actions, row.id)
        return finish(c, conn, row, "done", f"alert {alert_id} {alert.status}: {count} action(s)")


def buttons(c: Connector, cfg: AlertsConfig, alert_id: int) -> list[list[str]]:
    """One-off, one issue button per priority label, accident (callback data ≤ 64 bytes)."""
    rows = [[c.render("button_oneoff"), f"hdc:oneoff:{alert_id}"]]
    rows += [[c.render("button_register", label=label), f"hdc:register:{alert_id}:{i}"]
             for i, label in enumerate(cfg.priority_labels)]
    rows.append([c.render("button_accident"), f"hdc:accident:{alert_id}"])
    return rows


def on_button(c: Connector, conn: Connection, ev: ChatButton) -> list[Action]:
    """Record L1's decision on an alert; only the first decision counts."""
    cfg = _config(c)
    raw_id, _, extra = ev.value.partition(":")
    alert_id = _small_int(raw_id)
    ref = alert_ref(alert_id) if alert_id is not None else None
    actions: list[Action] = []
    if ev.callback_id:
        actions.append(Action("answer_button", ev.chat, ref or alert_ref(0), {
            "callback_id": ev.callback_id, "text": c.render("button_answer")}, RULE))
    row = threads.get_alert(conn, alert_id) if alert_id is not None else None
    if row is None or ref is None:
        return actions
    details = json.loads(row.details)
    if ev.action == "oneoff" and row.decision == "pending":
        threads.set_alert(conn, row.id, decision="awaiting_cause")
        actions.append(Action("post_in_thread", ev.chat, ref, {
            "channel": cfg.channel,
            "text": c.render("alert_ask_cause", title=row.title, user=ev.user_name)}, RULE))
    elif ev.action in ("register", "accident") and row.decision in ("pending", "awaiting_cause"):
        if ev.action == "register":
            index = _small_int(extra) or 0
            index = index if index < len(cfg.priority_labels) else 0
            labels, decision = [cfg.priority_labels[index]], f"issue: {cfg.priority_labels[index]}"
        else:
            labels, decision = list(cfg.accident_labels), "accident"
        threads.set_alert(conn, row.id, decision=decision)
        values = {"title": row.title, "severity": severity_text(c, details.get("severity"))}
        actions.append(Action("create_issue", cfg.tracker, TicketRef(cfg.tracker, cfg.project,
                                                                       "new"), {
            "title": c.render("alert_issue_title", **values),
            "description": c.render("alert_issue_description", summary=details.get("summary", ""),
                                    url=details.get("url", ""), user=ev.user_name,
                                    decision=decision_text(c, decision), **values),
            "labels": labels, "alert_id": row.id, "user": ev.user_name}, RULE))
    return actions


def on_reply(c: Connector, conn: Connection, ref: TicketRef, m: ChatMessage,
             author: str) -> list[Action]:
    """The first reply after "one-off" is the cause; it goes into the alert's message."""
    row = threads.get_alert(conn, int(ref.key))
    if row is None or row.decision != "awaiting_cause":
        return []
    threads.set_alert(conn, row.id, decision="one-off", cause=m.text)
    details = json.loads(row.details)
    text = c.render("alert_cause_recorded", title=row.title, cause=m.text, user=author,
                    severity=severity_text(c, details.get("severity")),
                    summary=details.get("summary", ""),
                    url=details.get("url", ""))
    return [Action("update_alert", "chat", ref,
                   {"channel": _config(c).channel, "text": text, "buttons": []}, RULE)]


def follow_up(c: Connector, conn: Connection, item: OutboxItem, performed: Performed) -> None:
    """When an alert's issue exists, say so in the alert's message and drop the buttons."""
    alert_id = item.action.params.get("alert_id")
    if item.action.kind != "create_issue" or alert_id is None:
        return
    url = str(performed.result.get("url", ""))
    threads.set_alert(conn, int(alert_id), issue_url=url)
    row = threads.get_alert(conn, int(alert_id))
    text = c.render("alert_issue_created", title=row.title if row else "", url="",
                    user=item.action.params.get("user", ""), issue_url=url)
    action = Action("update_alert", "chat", alert_ref(int(alert_id)),
                    {"channel": _config(c).channel, "text": text, "buttons": []}, RULE)
    enqueue_actions(c, conn, f"followup:{item.idempotency_key}", [action])


def refusal(c: Connector, ev: ChatButton) -> str | None:
    """Why a press may not act, or None. Alert buttons act only in the alerts channel of the
    chat they were pressed in, on the message the connector posted for that alert, and only
    for a member of that channel."""
    chat_cfg = c.config.chats.configured().get(ev.chat)
    if c.config.alerts is None or chat_cfg is None:
        return "no alerts channel is configured"
    channel = c.config.alerts.channel
    if ev.channel_id != str(chat_cfg.channels.get(channel, "")):
        return "pressed outside the alerts channel"
    alert_id = _small_int(ev.value.partition(":")[0])
    with reading(c.engine) as conn:
        thread = threads.find(conn, str(alert_ref(alert_id or 0)), ev.chat, channel)
    if thread is None or thread.message_id != ev.message_id:
        return "not the connector's message for this alert"
    chat = c.chats.get(ev.chat)
    if chat is None:
        return None  # a dry run: nobody to ask
    try:
        member = chat.is_member(ev.channel_id, ev.user_id)
    except ActionError as exc:
        return f"membership could not be checked ({exc})"
    return None if member else "not a member of the alerts channel"


def decision_text(c: Connector, decision: str) -> str:
    """L1's decision as the message shows it, never the stored value."""
    if decision.startswith("issue: "):
        return c.render("alert_decision_issue", label=decision.removeprefix("issue: "))
    known = {"pending": "alert_decision_pending", "awaiting_cause": "alert_decision_awaiting",
             "one-off": "alert_decision_oneoff", "accident": "alert_decision_accident"}
    return c.render(known[decision]) if decision in known else decision


def severity_text(c: Connector, severity: object) -> str:
    """Alertmanager's usual severities in the team's language; others as the sender wrote."""
    value = str(severity or "").strip()
    known = {"critical": "alert_severity_critical", "warning": "alert_severity_warning",
             "info": "alert_severity_info"}
    if not value:
        return "—"
    return c.render(known[value.lower()]) if value.lower() in known else value


def _small_int(text: str) -> int | None:
    """A button's number (ids fit in 18 digits); anything else is not one of our buttons."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _config(c: Connector) -> AlertsConfig:
    if c.config.alerts is None:
        raise RuntimeError("alerts are not configured")  # receivers only exist when they are
    return c.config.alerts
