"""Silences from the alerts channel (issue 21 item 3): «Заглушить 1 ч / 4 ч» silences exactly the
group's groupLabels in Alertmanager (API v2), by the presser's catalog name, the comment naming
the chat user and the ticket; «Снять» expires it. Who may: the service's duty and responsible
(catalog), and whoever the mapping's `alerts.silencers` names; anyone else hears one line."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.buttons import ButtonAction
from connector.context import FeatureContext
from connector.events import Action, ChatButton
from connector.features.alerts import store
from connector.features.alerts.buttons import answer, refusal
from connector.features.alerts.message import rules_for
from connector.features.alerts.models import AlertRules, alert_ref, small_int

TARGET = "alertmanager"
RULE = "alerts"


def silencer(c: FeatureContext, rules: AlertRules, group: Row[Any],
             ev: ChatButton) -> str | None:
    """The presser's catalog name if they may silence this group, else None."""
    found = c.mappings.catalog.keyed(ev.chat, ev.user_id)
    if found is None:
        return None
    key, person = found
    details = json.loads(group.details)
    labels = {**details.get("common_labels", {}), **details.get("group_labels", {})}
    service = c.mappings.catalog.services.get(labels.get(rules.service_label, ""))
    allowed = set(rules.silencers) | (set(service.duty) | set(service.responsible)
                                      if service else set())
    return person.name if key in allowed else None


def press(c: FeatureContext, conn: Connection, ev: ChatButton) -> list[Action]:
    """A silence made or lifted for the group, by someone who may; the presser hears it."""
    name, rules = rules_for(c)
    raw_id, _, hours = ev.value.partition(":")
    group = store.get(conn, small_int(raw_id) or 0)
    if group is None:
        return []
    who = silencer(c, rules, group, ev)
    if who is None:
        return answer(c, ev, group.id, c.render("alert_silence_refused", name), True)
    acts = answer(c, ev, group.id, c.render("button_answer", name))
    details = json.loads(group.details)
    if ev.action == "silence" and not group.silence_id and details.get("group_labels"):
        comment = c.render("alert_silence_comment", name, user=ev.user_name, chat=ev.chat,
                           url=group.issue_url or "—")
        acts.append(Action("create_silence", TARGET, alert_ref(group.id), {
            "matchers": details["group_labels"], "hours": int(hours), "created_by": who,
            "comment": comment, "group_id": group.id}, RULE))
    elif ev.action == "unsilence" and group.silence_id:
        acts.append(Action("expire_silence", TARGET, alert_ref(group.id), {
            "silence_id": group.silence_id, "group_id": group.id, "user": who}, RULE))
    return acts


ACTIONS = {action: ButtonAction(refusal, press) for action in ("silence", "unsilence")}
