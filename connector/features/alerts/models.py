"""Where the alerts feature files an alert's chat thread, and its names (an alert itself is a
normalised event: connector.events.Alert)."""

from __future__ import annotations

from connector.events import TicketRef

FEATURE = "alerts"  # registry namespace of its buttons
TRACKER = "alerts"  # TicketRef.tracker of an alert's thread
RULE = "alerts"  # Action.reason of what it decides


def alert_ref(alert_id: int) -> TicketRef:
    return TicketRef(TRACKER, "monitoring", str(alert_id))


def small_int(text: str) -> int | None:
    """A button's number (ids fit in 18 digits); anything else is not one of our buttons."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
