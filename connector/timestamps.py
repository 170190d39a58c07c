"""One canonical timestamp form, so webhook and API times compare as strings."""

from __future__ import annotations

from datetime import UTC, datetime

CANONICAL = "%Y-%m-%dT%H:%M:%S.%fZ"


def canonical(text: str | None) -> str:
    """Parse ISO 8601 or GitLab's `2015-05-17 17:06:40 UTC`; return UTC with microseconds."""
    if not text:
        return ""
    value = text.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    if " " in value and "T" not in value:
        value = value.replace(" ", "T", 1)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(CANONICAL)


def from_epoch(seconds: float) -> str:
    """Canonical form of a POSIX time."""
    return datetime.fromtimestamp(seconds, UTC).strftime(CANONICAL)
