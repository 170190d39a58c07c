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
    try:
        return _format(moment.astimezone(UTC))
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError(f"time out of range: {text[:40]!r}") from None


def from_epoch(seconds: float) -> str:
    """Canonical form of a POSIX time; ValueError for one no calendar holds (NaN, 1e20…)."""
    if not 0 <= seconds < 253402300800:  # 9999-12-31T23:59:59Z; also false for NaN
        raise ValueError(f"time out of range: {seconds!r}")
    return _format(datetime.fromtimestamp(seconds, UTC))


def to_epoch(canonical_text: str) -> float:
    """POSIX seconds of a canonical timestamp (`from_epoch`'s inverse)."""
    return datetime.fromisoformat(canonical_text.replace("Z", "+00:00")).timestamp()


def _format(moment: datetime) -> str:
    """CANONICAL, with the year in four digits even before 1000 (strftime drops the zeros
    there, and `1-01-01…` would sort after `2026-…`)."""
    return f"{moment.year:04d}" + moment.strftime(CANONICAL)[len(str(moment.year)):]
