"""L1's three decisions on an alert group (Belarus §4.2) and its silences, as buttons, and who
may press them where."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.buttons import ButtonAction
from connector.config import AlertsConfig
from connector.context import FeatureContext
from connector.errors import ActionError
from connector.events import Action, ChatButton, TicketRef
from connector.features.alerts import groups, store
from connector.features.alerts.message import (
    SILENCE_HOURS,
    alerts_config,
    group_title,
    rules_for,
)
from connector.features.alerts.models import RULE, alert_ref, answers_ref, small_int
from connector.features.alerts.wording import decision_text, severity_text
from connector.store import threads
from connector.store.db import reading

LEGACY = ("oneoff", "register", "accident")  # presses of buttons posted before namespaces


def well_formed(ev: ChatButton, cfg: AlertsConfig) -> bool:
    """Exactly what the group's message carries: an action, the group's id and, for a
    priority, an index the config has, for a silence its hours. Anything else is refused,
    never guessed at."""
    parts = ev.value.split(":")
    if ev.action in ("oneoff", "accident", "unsilence"):
        return len(parts) == 1 and small_int(parts[0]) is not None
    if len(parts) != 2 or small_int(parts[0]) is None:
        return False
    index = small_int(parts[1])
    if ev.action == "register":
        return index is not None and index < len(cfg.priority_labels)
    return ev.action == "silence" and index in SILENCE_HOURS


def refusal(c: FeatureContext, ev: ChatButton) -> str | None:
    """Alert buttons act only in the alerts channel of the chat they were pressed in, on
    the message the connector posted for that group, and only for a channel member."""
    chat_cfg = c.config.chats.configured().get(ev.chat)
    if c.config.alerts is None or chat_cfg is None:
        return "no alerts channel is configured"
    channel = c.config.alerts.channel
    if not well_formed(ev, c.config.alerts):
        return "not a button the connector posts"
    if ev.channel_id != str(chat_cfg.channels.get(channel, "")):
        return "pressed outside the alerts channel"
    group_id = small_int(ev.value.partition(":")[0])
    with reading(c.engine) as conn:
        thread = threads.find(conn, str(alert_ref(group_id or 0)), ev.chat, channel)
    if thread is None or thread.message_id != ev.message_id:
        return "not the connector's message for this alert group"
    try:
        member = c.is_member(ev.chat, ev.channel_id, ev.user_id)
    except ActionError as exc:
        return f"membership could not be checked ({exc})"
    return None if member in (True, None) else "not a member of the alerts channel"


def answer(c: FeatureContext, ev: ChatButton, group_id: int, text: str,
           refusal_: bool = False) -> list[Action]:
    """The presser's answer (Telegram acknowledges every press; Slack hears refusals)."""
    if not ev.callback_id:
        return []
    return [Action("answer_button", ev.chat, answers_ref(group_id), {
        "callback_id": ev.callback_id, "text": text, "refusal": refusal_}, RULE)]


def press(c: FeatureContext, conn: Connection, ev: ChatButton) -> list[Action]:
    """Record L1's decision on a group; only the first decision counts."""
    cfg, (name, _) = alerts_config(c), rules_for(c)
    raw_id, _, extra = ev.value.partition(":")
    group_id = small_int(raw_id) or 0
    group = store.get(conn, group_id)
    if group is None:
        return answer(c, ev, group_id, c.render("button_answer", name))
    actions = answer(c, ev, group_id, c.render("button_answer", name))
    if ev.action == "oneoff":
        if store.decide(conn, group_id, "awaiting_cause", was=("pending",)):
            actions.append(groups.in_thread(c, group_id, c.render(
                "alert_ask_cause", name, title=group_title(conn, group), user=ev.user_name)))
    elif ev.action in ("register", "accident"):
        if ev.action == "register":
            label = cfg.priority_labels[int(extra)]  # well_formed checked the index
            labels, decision = [label], f"issue: {label}"
        else:
            labels, decision = list(cfg.accident_labels), "accident"
        if store.decide(conn, group_id, decision, was=store.UNDECIDED):
            actions.append(_issue(c, conn, name, group, labels, decision, ev.user_name))
    groups.refresh(c, conn, group_id)
    return actions


def _issue(c: FeatureContext, conn: Connection, name: str | None, group: Row[Any],
           labels: list[str], decision: str, user: str) -> Action:
    """The ticket L1 decided on, told what the group's alerts say."""
    cfg = alerts_config(c)
    rows, _, _ = store.members(conn, group.id, 20)
    alerts = [json.loads(r.details) for r in rows]
    first = alerts[0] if alerts else {}
    values = {"title": group_title(conn, group),
              "severity": severity_text(c, first.get("severity"), name)}
    started = sorted(str(a.get("started_at")) for a in alerts if a.get("started_at"))
    return Action("create_issue", cfg.tracker, TicketRef(cfg.tracker, cfg.project, "new"), {
        "title": c.render("alert_issue_title", name, **values),
        "description": c.render("alert_issue_description", name,
                                summary=str(first.get("summary", "")),
                                url=str(first.get("url", "")), user=user,
                                decision=decision_text(c, decision, name), **values),
        "labels": labels, "alert_id": group.id, "user": user,
        "started_at": started[0] if started else ""}, RULE)


# One-off, register with a priority, accident: one check and one press serve them all.
ACTIONS = {action: ButtonAction(refusal, press) for action in ("oneoff", "register", "accident")}
