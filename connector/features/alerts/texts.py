"""The texts alerts speak with and how their stored values map to them (the mapping loader
reads this: data only; saying them is wording.py)."""

from __future__ import annotations

# Template id → the placeholders it may use; every mapping's texts must have them all.
TEMPLATES: dict[str, set[str]] = {
    # the group's one message and its parts (message.py)
    "alert_group_firing": {"title", "severity", "firing", "resolved", "alerts", "details",
                           "decision"},
    "alert_group_resolved": {"title", "severity", "firing", "resolved", "alerts", "details",
                             "decision"},
    "alert_line": {"state", "title", "summary"},
    "alert_state_firing": set(),
    "alert_state_resolved": set(),
    "alert_label": {"label", "value"},
    "alert_label_service": set(),
    "alert_label_instance": set(),
    "alert_label_env": set(),
    "alert_label_severity": set(),
    "alert_link": {"what", "url"},
    "alert_link_source": set(),
    "alert_link_runbook": set(),
    "alert_link_dashboard": set(),
    "alert_more": {"count"},
    "alert_truncated": {"count"},
    "alert_silence_form": {"url"},
    "alert_priority": {"priority"},
    "alert_silenced": {"user", "until"},
    "alert_decision_cause": {"decision", "cause"},
    "alert_decision_ticket": {"decision", "url"},
    "alert_topic_title": set(),
    "alert_choices": set(),
    # lines in the group's thread
    "alert_group_refired": {"title"},
    "alert_group_resolved_line": {"decision"},
    "alert_ask_cause": {"title", "user"},
    "alert_reminder": {"who", "title", "waited"},
    "alert_reminder_l1": set(),
    "alert_silence_created": {"user", "hours"},
    "alert_silence_expired": {"user"},
    "alert_silence_refused": set(),
    "alert_silence_comment": {"user", "chat", "url"},
    # the group's one note in the room of its service's outage (roomnotes.py)
    "alert_room_note": {"title", "firing", "resolved", "newest"},
    # the ticket L1 registers
    "alert_issue_title": {"title", "severity"},
    "alert_issue_description": {"title", "severity", "summary", "url", "user", "decision"},
    "alert_decision_pending": set(),
    "alert_decision_awaiting": set(),
    "alert_decision_oneoff": set(),
    "alert_decision_accident": set(),
    "alert_decision_issue": {"label"},
    "alert_severity_critical": set(),
    "alert_severity_warning": set(),
    "alert_severity_info": set(),
    "button_oneoff": set(),
    "button_register": {"label"},
    "button_accident": set(),
    "button_answer": set(),
    "button_silence": {"hours"},
    "button_unsilence": set(),
}
DECISIONS = {"pending": "alert_decision_pending", "awaiting_cause": "alert_decision_awaiting",
             "one-off": "alert_decision_oneoff", "accident": "alert_decision_accident"}
SEVERITIES = {"critical": "alert_severity_critical", "warning": "alert_severity_warning",
              "info": "alert_severity_info"}
