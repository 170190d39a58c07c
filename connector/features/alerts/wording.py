"""How an alert's values read in the team's language, in the words of the regulation of the
alerts' tracker project: never a stored English value, never the neutral default where that
regulation words a text its own way (Belarus: «задача», «авария»)."""

from __future__ import annotations

from connector.context import FeatureContext
from connector.features.alerts.texts import DECISIONS, SEVERITIES


def decision_text(c: FeatureContext, decision: str, mapping: str | None = None) -> str:
    """L1's decision as the message shows it, never the stored value."""
    if decision.startswith("issue: "):
        return c.render("alert_decision_issue", mapping,
                        label=decision.removeprefix("issue: "))
    return c.render(DECISIONS[decision], mapping) if decision in DECISIONS else decision


def severity_text(c: FeatureContext, severity: object, mapping: str | None = None) -> str:
    """Alertmanager's usual severities in the team's language; others as the sender wrote."""
    value = str(severity or "").strip()
    if not value:
        return "—"
    return c.render(SEVERITIES[value.lower()], mapping) if value.lower() in SEVERITIES \
        else value
