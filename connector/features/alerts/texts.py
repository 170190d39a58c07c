"""The texts alerts speak with and how their stored values map to them (the mapping loader
reads this: data only; saying them is wording.py)."""

from __future__ import annotations

# Template id → the placeholders it may use; every mapping's texts must have them all.
TEMPLATES: dict[str, set[str]] = {
    "alert_message": {"title", "severity", "summary", "url", "status"},
    "alert_resolved": {"title", "severity", "summary", "url", "decision"},
    "alert_ask_cause": {"title", "user"},
    "alert_cause_recorded": {"title", "severity", "summary", "url", "cause", "user"},
    "alert_issue_created": {"title", "url", "user", "issue_url"},
    "alert_issue_title": {"title", "severity"},
    "alert_issue_description": {"title", "severity", "summary", "url", "user", "decision"},
    "alert_status_firing": set(),
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
}
DECISIONS = {"pending": "alert_decision_pending", "awaiting_cause": "alert_decision_awaiting",
             "one-off": "alert_decision_oneoff", "accident": "alert_decision_accident"}
SEVERITIES = {"critical": "alert_severity_critical", "warning": "alert_severity_warning",
              "info": "alert_severity_info"}
