"""Where the alerts feature files a group's chat thread, its names, and what a mapping says of
alerts (`alerts:`; an alert itself is a normalised event: connector.events.Alert)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from connector.events import TicketRef

FEATURE = "alerts"  # registry namespace of its buttons
TRACKER = "alerts"  # TicketRef.tracker of an alert's thread
RULE = "alerts"  # Action.reason of what it decides


TOPIC = TicketRef(TRACKER, "monitoring", "topic")  # Telegram: the one topic all groups are in


def alert_ref(group_id: int) -> TicketRef:
    """The thread of a group's message (its id; an alert of older versions is a group)."""
    return TicketRef(TRACKER, "monitoring", str(group_id))


def answers_ref(group_id: int) -> TicketRef:
    """Answers to presses: ordered apart from the group's edits, which may wait their turn."""
    return TicketRef(TRACKER, "answers", str(group_id))


class AlertRules(BaseModel):
    """A mapping's `alerts:` section: what L1 sees of a group and when it is raised again."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # The labels shown for each alert, in this order; each reads as its `alert_label_<name>`
    # template says (templates.yml), a label without one under its own name.
    labels: list[str] = ["service", "instance", "env", "severity"]
    # Alertmanager's severity → the priority label suggested to L1 (a register button's label).
    priorities: dict[str, str] = {}
    # Annotations that link to a dashboard (the first one an alert has is shown).
    dashboard_annotations: list[str] = ["dashboard", "dashboard_url", "grafana_url"]
    service_label: str = "service"  # the label naming the catalog's service
    # An undecided group is raised again in its thread after this many minutes, once per N.
    remind_after_minutes: float = Field(30, gt=0)
    # Besides the service's duty and responsible (catalog), who may silence (people keys).
    silencers: list[str] = []
    max_alerts_shown: int = Field(20, ge=1, le=100)  # a storm's group lists the newest


def small_int(text: str) -> int | None:
    """A button's number (ids fit in 18 digits); anything else is not one of our buttons."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
