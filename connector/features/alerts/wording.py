"""How an alert's values read in the team's language, in the words of the regulation of the
alerts' tracker project: never a stored English value, never the neutral default where that
regulation words a text its own way (Belarus: «задача», «авария»)."""

from __future__ import annotations

from connector.context import FeatureContext
from connector.events import TicketRef
from connector.features.alerts.texts import DECISIONS, SEVERITIES


def say(c: FeatureContext, template_id: str, **values: object) -> str:
    """An alerts text as the regulation governing `alerts.project` words it (its mapping's
    `templates:` over templates.yml); the neutral default when no mapping governs it."""
    cfg = c.config.alerts
    mapping = c.mapping_for(TicketRef(cfg.tracker, cfg.project, "")) if cfg else None
    return c.render(template_id, mapping.name if mapping else None, **values)


def decision_text(c: FeatureContext, decision: str) -> str:
    """L1's decision as the message shows it, never the stored value."""
    if decision.startswith("issue: "):
        return say(c, "alert_decision_issue", label=decision.removeprefix("issue: "))
    return say(c, DECISIONS[decision]) if decision in DECISIONS else decision


def severity_text(c: FeatureContext, severity: object) -> str:
    """Alertmanager's usual severities in the team's language; others as the sender wrote."""
    value = str(severity or "").strip()
    if not value:
        return "—"
    return say(c, SEVERITIES[value.lower()]) if value.lower() in SEVERITIES else value
