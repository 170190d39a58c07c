"""L1's three decisions on an alert (Belarus §4.2) as buttons, and who may press them where."""

from __future__ import annotations

import json

from sqlalchemy.engine import Connection

from connector.buttons import ButtonAction, ButtonTable
from connector.chat import button
from connector.config import AlertsConfig
from connector.context import FeatureContext
from connector.errors import ActionError
from connector.events import Action, ChatButton, TicketRef
from connector.features.alerts.models import FEATURE, RULE, alert_ref, small_int
from connector.features.alerts.wording import decision_text, say, severity_text
from connector.store import threads
from connector.store.db import reading

LEGACY = ("oneoff", "register", "accident")  # presses of buttons posted before namespaces


def alerts_config(c: FeatureContext) -> AlertsConfig:
    if c.config.alerts is None:
        raise RuntimeError("alerts are not configured")  # registered only when they are
    return c.config.alerts


def buttons(c: FeatureContext, cfg: AlertsConfig, alert_id: int) -> list[list[str]]:
    """One-off, one issue button per priority label, accident."""
    rows = [[say(c, "button_oneoff"), button(FEATURE, "oneoff", alert_id)]]
    rows += [[say(c, "button_register", label=label), button(FEATURE, "register", alert_id, i)]
             for i, label in enumerate(cfg.priority_labels)]
    rows.append([say(c, "button_accident"), button(FEATURE, "accident", alert_id)])
    return rows


def well_formed(ev: ChatButton, cfg: AlertsConfig) -> bool:
    """Exactly what `buttons` puts under a message: an action, the alert's id and, for a
    priority, an index the config has. Anything else is refused, never guessed at."""
    parts = ev.value.split(":")
    if ev.action in ("oneoff", "accident"):
        return len(parts) == 1 and small_int(parts[0]) is not None
    if ev.action == "register" and len(parts) == 2 and small_int(parts[0]) is not None:
        index = small_int(parts[1])
        return index is not None and index < len(cfg.priority_labels)
    return False


def refusal(c: FeatureContext, ev: ChatButton) -> str | None:
    """Alert buttons act only in the alerts channel of the chat they were pressed in, on
    the message the connector posted for that alert, and only for a channel member."""
    chat_cfg = c.config.chats.configured().get(ev.chat)
    if c.config.alerts is None or chat_cfg is None:
        return "no alerts channel is configured"
    channel = c.config.alerts.channel
    if not well_formed(ev, c.config.alerts):
        return "not a button the connector posts"
    if ev.channel_id != str(chat_cfg.channels.get(channel, "")):
        return "pressed outside the alerts channel"
    alert_id = small_int(ev.value.partition(":")[0])
    with reading(c.engine) as conn:
        thread = threads.find(conn, str(alert_ref(alert_id or 0)), ev.chat, channel)
    if thread is None or thread.message_id != ev.message_id:
        return "not the connector's message for this alert"
    try:
        member = c.is_member(ev.chat, ev.channel_id, ev.user_id)
    except ActionError as exc:
        return f"membership could not be checked ({exc})"
    return None if member in (True, None) else "not a member of the alerts channel"


def press(c: FeatureContext, conn: Connection, ev: ChatButton) -> list[Action]:
    """Record L1's decision on an alert; only the first decision counts."""
    cfg = alerts_config(c)
    raw_id, _, extra = ev.value.partition(":")
    alert_id = small_int(raw_id)
    ref = alert_ref(alert_id) if alert_id is not None else None
    actions: list[Action] = []
    if ev.callback_id:
        actions.append(Action("answer_button", ev.chat, ref or alert_ref(0), {
            "callback_id": ev.callback_id, "text": say(c, "button_answer")}, RULE))
    row = threads.get_alert(conn, alert_id) if alert_id is not None else None
    if row is None or ref is None:
        return actions
    if ev.action == "oneoff" and row.decision == "pending":
        threads.set_alert(conn, row.id, decision="awaiting_cause")
        actions.append(Action("post_in_thread", ev.chat, ref, {
            "channel": cfg.channel,
            "text": say(c, "alert_ask_cause", title=row.title, user=ev.user_name)}, RULE))
    elif ev.action in ("register", "accident") and \
            row.decision in ("pending", "awaiting_cause"):
        if ev.action == "register":
            label = cfg.priority_labels[int(extra)]  # well_formed checked the index
            labels, decision = [label], f"issue: {label}"
        else:
            labels, decision = list(cfg.accident_labels), "accident"
        threads.set_alert(conn, row.id, decision=decision)
        details = json.loads(row.details)
        values = {"title": row.title, "severity": severity_text(c, details.get("severity"))}
        actions.append(Action("create_issue", cfg.tracker,
                              TicketRef(cfg.tracker, cfg.project, "new"), {
            "title": say(c, "alert_issue_title", **values),
            "description": say(c, "alert_issue_description",
                                    summary=details.get("summary", ""),
                                    url=details.get("url", ""), user=ev.user_name,
                                    decision=decision_text(c, decision), **values),
            "labels": labels, "alert_id": row.id, "user": ev.user_name,
            "started_at": str(details.get("started_at") or "")}, RULE))
    return actions


# One-off, register with a priority, accident: one check and one press serve them all.
TABLE = ButtonTable({action: ButtonAction(refusal, press)
                     for action in ("oneoff", "register", "accident")})
