"""One SLA clock: its state machine over ticket events, and its arithmetic — elapsed working
time net of pauses, and when each threshold falls due. Pure: no store, no wall clock."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

from connector.events import TicketEvent
from connector.features.sla.models import SlaPolicy

State = Literal["running", "paused", "met", "cancelled"]


class Hours(Protocol):
    """What a clock counts in: a working-hours calendar, or the wall clock."""

    def working_seconds(self, start: float, end: float) -> float: ...

    def add_working(self, start: float, seconds: float) -> float: ...


class WallClock:
    """Every second counts."""

    def working_seconds(self, start: float, end: float) -> float:
        return max(0.0, end - start)

    def add_working(self, start: float, seconds: float) -> float:
        return start + max(0.0, seconds)


@dataclass
class Clock:
    """A policy's clock on one ticket; `pauses` keeps the history that makes elapsed exact."""

    state: State
    started_at: float
    paused_at: float | None = None
    pauses: list[tuple[float, float]] = field(default_factory=list)
    fired: list[int] = field(default_factory=list)  # threshold percents already fired
    stopped_at: float | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Clock:
        data = json.loads(text)
        data["pauses"] = [tuple(p) for p in data.get("pauses", [])]
        return cls(**data)


def step(policy: SlaPolicy, clock: Clock | None, event: TicketEvent, at: float) -> Clock | None:
    """The clock after the ticket became what `event` shows, at `at` (the tracker's time)."""
    if clock is None or clock.state in ("met", "cancelled"):
        if clock is not None and not (policy.reset and policy.reset.holds(event)):
            return clock  # settled; only a reset starts it again
        if not policy.start.holds(event):
            return clock
        clock = Clock("running", at)
    elif policy.reset is not None and policy.reset.holds(event):
        clock = Clock("running", at)
    if policy.cancel is not None and policy.cancel.holds(event):
        _close_pause(clock, at)
        clock.state, clock.stopped_at = "cancelled", at
    elif policy.stop.holds(event):
        _close_pause(clock, at)
        clock.state, clock.stopped_at = "met", at
    elif policy.pause is not None and policy.pause.holds(event):
        if clock.state == "running":
            clock.state, clock.paused_at = "paused", at
    elif clock.state == "paused":
        _close_pause(clock, at)
        clock.state = "running"
    return clock


def _close_pause(clock: Clock, at: float) -> None:
    if clock.paused_at is not None:
        clock.pauses.append((clock.paused_at, max(at, clock.paused_at)))
        clock.paused_at = None


def elapsed(clock: Clock, hours: Hours, now: float) -> float:
    """Working seconds the clock has run by `now`, pauses left out."""
    end = clock.stopped_at if clock.stopped_at is not None else now
    if clock.paused_at is not None:
        end = min(end, clock.paused_at)
    total = hours.working_seconds(clock.started_at, end)
    return max(0.0, total - sum(hours.working_seconds(a, min(b, end)) for a, b in clock.pauses
                                if a < end))


def due(clock: Clock, hours: Hours, target: float, percent: int, now: float) -> float | None:
    """When `percent` of the target falls due while the clock runs on (None: it does not run)."""
    if clock.state != "running":
        return None
    resumed = max([clock.started_at, *(b for _, b in clock.pauses)])
    used = elapsed(clock, hours, resumed)
    return hours.add_working(resumed, target * percent / 100 - used)


def next_due(clock: Clock, hours: Hours, target: float, policy: SlaPolicy,
             now: float) -> tuple[int, float] | None:
    """The lowest threshold not yet fired and when it falls due, if the clock runs."""
    for threshold in policy.thresholds:
        if threshold.at not in clock.fired:
            when = due(clock, hours, target, threshold.at, now)
            return None if when is None else (threshold.at, when)
    return None
