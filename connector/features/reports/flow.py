"""SLA compliance and the request flow, as pure functions over rows read from the store: how
many clocks met their target, breached it or still run, per policy (and per tracker and
priority); how many requests came each day, per tracker and priority, and how many of them the
regulation sent back to the applicant («обратная связь», Sevastopol)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from connector.features.reports.period import Period


@dataclass(frozen=True)
class ClockFacts:
    policy: str
    tracker: str
    priority: str
    state: str  # running | paused | met | cancelled
    level: int  # the highest threshold fired, per cent
    count: int = 1  # how many clocks are like this


@dataclass(frozen=True)
class RequestFacts:
    tracker: str
    priority: str
    created_at: float
    feedback: bool
    count: int = 1  # how many requests are like this (created the same day)


def outcome(clock: ClockFacts) -> str | None:
    """breached (its 100 % fired, whatever it did after), met, running; a cancelled clock is
    none of them."""
    if clock.level >= 100:
        return "breached"
    if clock.state == "met":
        return "met"
    return "running" if clock.state in ("running", "paused") else None


def sla(clocks: Iterable[ClockFacts]) -> list[dict[str, Any]]:
    """Per policy (tracker and priority null), then per policy, tracker and priority: met,
    breached, running and the per cent met of those decided."""
    counts: Counter[tuple[str, str | None, str | None, str]] = Counter()
    for clock in clocks:
        result = outcome(clock)
        if result is None:
            continue
        counts[(clock.policy, None, None, result)] += clock.count
        counts[(clock.policy, clock.tracker, clock.priority, result)] += clock.count
    keys = sorted({k[:3] for k in counts}, key=lambda k: (k[0], k[1] is not None, k[1] or "",
                                                          k[2] or ""))
    rows = []
    for policy, tracker, priority in keys:
        met, breached, running = (counts[(policy, tracker, priority, r)]
                                  for r in ("met", "breached", "running"))
        rows.append({"policy": policy, "tracker": tracker, "priority": priority, "met": met,
                     "breached": breached, "running": running,
                     "percent": 100 * met / (met + breached) if met + breached else None})
    return rows


def requests(period: Period, found: Iterable[RequestFacts]) -> list[dict[str, Any]]:
    """Requests created each day of the period (its zone), per tracker and priority, with how
    many of them waited for the applicant."""
    counts: Counter[tuple[str, str, str]] = Counter()
    waited: Counter[tuple[str, str, str]] = Counter()
    for r in found:
        if not period.start <= r.created_at < period.end:
            continue
        key = (period.day_of(r.created_at).isoformat(), r.tracker, r.priority)
        counts[key] += r.count
        waited[key] += r.count if r.feedback else 0
    return [{"day": day, "tracker": tracker, "priority": priority, "count": counts[k],
             "feedback": waited[k]}
            for k in sorted(counts) for day, tracker, priority in [k]]


def feedback_share(rows: Iterable[dict[str, Any]]) -> float | None:
    """The per cent of the period's requests that waited for the applicant."""
    total = waited = 0
    for row in rows:
        total += row["count"]
        waited += row["feedback"]
    return 100 * waited / total if total else None
