"""One SLA clock: its state machine over what the policy's conditions say of a ticket, and its
arithmetic — elapsed working time net of pauses, and when each threshold falls due. Pure: no
store, no wall clock. The order events arrive in is history.py's business; the observations a
clock is replayed from are kept once per ticket for all its policies (shared.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from connector.events import TicketEvent
from connector.features.sla.models import SlaPolicy

# idle: no run started yet — such a policy needs no row: the ticket's shared history keeps what
# it saw (a start delivered late must find the changes after it)
State = Literal["idle", "running", "paused", "met", "cancelled"]
# "again": the start holds on a policy that `repeat`s — a run that met its stop starts afresh
Condition = Literal["start", "stop", "pause", "cancel", "reset", "again"]


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


@dataclass(frozen=True)
class Observation:
    """One tracker event as a policy reads it: which of its conditions held at the tracker's
    time `at`, and when the connector learned of it (its own clock)."""

    at: float
    held: frozenset[Condition]
    learned: float


@dataclass
class Base:
    """The run as the observations folded out of a clock's history left it."""

    clock: Clock | None  # None: no run had started
    until: float  # the tracker time of the last observation folded in
    learned: float  # by when the connector had learned all of them (0: before the upgrade)


@dataclass
class Clock:
    """A policy's clock on one ticket: the run (`pauses` make elapsed exact), the thresholds
    fired in it, and what it is replayed from (history.py): the base its row keeps and — read
    from the ticket's shared history, never stored with the clock — its observations."""

    state: State
    started_at: float
    paused_at: float | None = None
    pauses: list[tuple[float, float]] = field(default_factory=list)
    fired: list[int] = field(default_factory=list)  # threshold percents already fired
    stopped_at: float | None = None
    seen: list[Observation] = field(default_factory=list)  # in order (history.order)
    base: Base | None = None

    def to_json(self) -> str:
        """The row's JSON: the run, the thresholds fired and the base (not `seen`)."""
        return json.dumps({**_as_dict(self),
                           "base": None if self.base is None else base_as_dict(self.base)})

    @classmethod
    def from_json(cls, text: str) -> Clock:
        """A stored clock (migration 0009 brought older rows to this form)."""
        data = json.loads(text)
        clock = _from_dict(data)
        if data.get("base") is not None:
            clock.base = base_from_dict(data["base"])
        return clock

    def run(self) -> Clock:
        """The run alone, without history or fired thresholds: what the state machine moves."""
        return Clock(self.state, self.started_at, self.paused_at, list(self.pauses), [],
                     self.stopped_at)


def base_as_dict(base: Base) -> dict[str, Any]:
    return {"clock": None if base.clock is None else _as_dict(base.clock), "until": base.until,
            "learned": base.learned}


def base_from_dict(data: dict[str, Any]) -> Base:
    clock = data["clock"]
    return Base(None if clock is None else _from_dict(clock), data["until"], data["learned"])


def _as_dict(clock: Clock) -> dict[str, Any]:
    return {"state": clock.state, "started_at": clock.started_at, "paused_at": clock.paused_at,
            "pauses": [list(p) for p in clock.pauses], "fired": clock.fired,
            "stopped_at": clock.stopped_at}


def _from_dict(data: dict[str, Any]) -> Clock:
    return Clock(data["state"], data["started_at"], data.get("paused_at"),
                 [(a, b) for a, b in data.get("pauses", [])], list(data.get("fired", [])),
                 data.get("stopped_at"))


def holding(policy: SlaPolicy, event: TicketEvent) -> frozenset[Condition]:
    """The policy's conditions the ticket meets as the event shows it."""
    conditions: list[tuple[Condition, Any]] = [
        ("start", policy.start), ("stop", policy.stop), ("pause", policy.pause),
        ("cancel", policy.cancel), ("reset", policy.reset)]
    held = {name for name, when in conditions if when is not None and when.holds(event)}
    if policy.repeat and "start" in held:
        held.add("again")
    return frozenset(held)


def advance(clock: Clock | None, held: frozenset[Condition], at: float) -> Clock | None:
    """The run after the ticket met `held` at `at` (the tracker's time); `clock` is left as
    it was."""
    if clock is not None and clock.state == "idle":
        clock = None
    if clock is None or clock.state in ("met", "cancelled"):
        again = clock is not None and clock.state == "met" and "again" in held
        if clock is not None and "reset" not in held and not again:
            return clock  # settled; only a reset (or, repeating, the start again) restarts it
        if "start" not in held:
            return clock
        clock = Clock("running", at)
    elif "reset" in held:
        clock = Clock("running", at)
    else:
        clock = clock.run()  # a copy: the caller's clock stays as it was
    if "cancel" in held:
        _close_pause(clock, at)
        clock.state, clock.stopped_at = "cancelled", at
    elif "stop" in held:
        _close_pause(clock, at)
        clock.state, clock.stopped_at = "met", at
    elif "pause" in held:
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
