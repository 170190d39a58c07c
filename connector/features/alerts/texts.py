"""How an alert's values read in the team's language: never a stored English value."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the mapping loader imports TEMPLATES before the connector exists
    from connector.core import Connector

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


def decision_text(c: Connector, decision: str) -> str:
    """L1's decision as the message shows it, never the stored value."""
    if decision.startswith("issue: "):
        return c.render("alert_decision_issue", label=decision.removeprefix("issue: "))
    return c.render(DECISIONS[decision]) if decision in DECISIONS else decision


def severity_text(c: Connector, severity: object) -> str:
    """Alertmanager's usual severities in the team's language; others as the sender wrote."""
    value = str(severity or "").strip()
    if not value:
        return "—"
    return c.render(SEVERITIES[value.lower()]) if value.lower() in SEVERITIES else value
