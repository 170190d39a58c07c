"""An alert as the alerts feature keeps it, and where its chat thread is filed."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from connector.events import TicketRef

FEATURE = "alerts"  # registry namespace of its buttons
SOURCE = "alerts"  # inbox source of alert events
TRACKER = "alerts"  # TicketRef.tracker of an alert's thread
RULE = "alerts"  # Action.reason of what it decides


@dataclass(frozen=True)
class Alert:
    """One alert, whatever sent it (Alertmanager or the generic format)."""

    fingerprint: str  # identifies one firing: a new firing after resolution is a new alert
    status: str  # firing | resolved
    title: str
    severity: str = ""
    summary: str = ""
    url: str = ""
    started_at: str = ""  # when it began firing (canonical; "" if the sender did not say)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def alert_ref(alert_id: int) -> TicketRef:
    return TicketRef(TRACKER, "monitoring", str(alert_id))


def small_int(text: str) -> int | None:
    """A button's number (ids fit in 18 digits); anything else is not one of our buttons."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
