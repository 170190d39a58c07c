"""Clocks that do not depend on the order events arrive in (issue 17, item 9).

Webhooks come late, twice and out of order; every tracker event carries the tracker's own
time of the change. A ticket keeps what its clocks are built from — one observation per event:
that time, which of each policy's conditions held (start, stop, pause, cancel, reset), and when
the connector learned of it — once for all its policies (shared.py); a new event is put at its
own time and each policy's run replayed from its observations in time order. Trackers date
changes to the second, so two changes may share a time (a request reported and sent to
«обратная связь» at once): those are ordered, per policy, as a ticket's life goes — a start (a
new request) first, then what runs, pauses, stops, cancels (`shared.order`) — never by
arrival. So the order of delivery never changes a run or a due time. Chosen over rebuilding
from the tracker's history on every late event: no network call inside an event's
transaction, and it works for trackers without a history API (Znuny).

- A policy seen without a run yet has no clock row: its observations are in the ticket's
  history, so a start delivered after the change that stopped it finds that change. A policy's
  row is written when its run, its fired thresholds or its base change — not on every event.
- An event later than all kept (the usual case) moves each run one step from the run its row
  keeps; only an event placed among the kept ones replays the policies from their bases.
- Thresholds fired stay fired while the run is the same — a replay that only moves its start
  earlier keeps them; a run starting later than the old one (a reset placed between) fires
  afresh.
- History is bounded: beyond KEEP entries the oldest (all of one tracker time) fold into each
  policy's base (the run as they left it, and the tracker time of the last one) — kept in the
  policy's row, or in the history row for a policy without one. An event older than a
  policy's folded part cannot be placed for it and is left out (flows logs it); `sla repair`
  rebuilds the clocks from the tracker's history.
- The connector's time of learning tells why a threshold fired late: had the connector known,
  by the due time, that the clock would be due then, it was not running; otherwise the ticket,
  or the change that made the threshold due, reached it after the due time (`lateness`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Literal

from connector.events import TicketEvent
from connector.features.sla.clocks import (
    Base,
    Clock,
    Condition,
    Hours,
    Observation,
    advance,
    due,
    holding,
)
from connector.features.sla.models import SlaPolicy
from connector.features.sla.shared import Shared

KEEP = 300  # entries a ticket's history keeps before the oldest fold into the bases

Lateness = Literal["down", "unknown_ticket", "unknown_change"]


@dataclass
class Ticket:
    """A ticket's clocks as stored: the shared history and the rows of the policies that have
    one (run, fired thresholds, base; no `seen`)."""

    history: Shared = field(default_factory=Shared)
    clocks: dict[str, Clock] = field(default_factory=dict)

    def base(self, name: str) -> Base | None:
        """What the policy's replay starts from."""
        clock = self.clocks.get(name)
        return clock.base if clock is not None else self.history.idle.get(name)

    def clock(self, name: str) -> Clock:
        """The policy's clock with its observations (idle when no run started)."""
        stored = self.clocks.get(name, Clock("idle", 0.0))
        return replace(stored, fired=list(stored.fired), seen=self.history.view(name),
                       base=self.base(name))

    @classmethod
    def alone(cls, name: str, clock: Clock | None) -> Ticket:
        """One policy's clock, its observations in `clock.seen`, as a ticket of its own."""
        ticket = cls(Shared([name]))
        if clock is None:
            return ticket
        for o in clock.seen:
            ticket.history.add(o.at, o.learned, {name: o.held})
        if clock.state != "idle":
            ticket.clocks[name] = replace(clock, seen=[])
        elif clock.base is not None:
            ticket.history.idle[name] = clock.base
        return ticket


def place(ticket: Ticket, held: dict[str, frozenset[Condition]], at: float,
          learned: float) -> set[str] | None:
    """Put the event — the conditions each policy in `held` met at the tracker's time `at`,
    learned at `learned` — into the ticket's history and move the runs; returns the policies
    whose rows changed, None when the event is a copy of one kept (nothing to write)."""
    history = ticket.history
    latest = not history.seen or at > history.seen[-1][0]
    fresh = set(held) if latest else {n for n, h in held.items() if not history.has(n, at, h)}
    if not fresh:
        return None
    history.add(at, learned, {name: held[name] for name in fresh})
    changed = _fold(ticket)
    # a start folded at once (an event older than every kept one) leaves a run in a base
    started = {name for name, base in history.idle.items() if base.clock is not None}
    for name in fresh | started:
        before, base = ticket.clocks.get(name), ticket.base(name)
        if latest and name not in started:  # after all its observations: a step from its row
            run = advance(before.run() if before is not None else None, held[name], at)
        else:
            run = run_of(base, history.view(name))
        if run is None:
            continue  # idle: no row; its folded part is in the history row
        clock = replace(run.run(), base=base)
        clock.fired = carried(before, clock)
        if before is None or (clock.run(), clock.fired, clock.base) != (
                before.run(), before.fired, before.base):
            ticket.clocks[name] = clock
            history.idle.pop(name, None)
            changed.add(name)
    return changed


def _fold(ticket: Ticket) -> set[str]:
    """Beyond KEEP entries, the oldest — all of one tracker time, so no policy's same-second
    order is cut — fold into each policy's base; returns the policies whose rows changed."""
    history, changed = ticket.history, set()
    while len(history.seen) > KEEP:
        at, n = history.seen[0][0], 0
        while n < len(history.seen) and history.seen[n][0] == at:
            n += 1
        oldest, history.seen[:n] = history.seen[:n], []
        for name in history.policies:
            observed = history.view(name, oldest)
            if not observed:
                continue
            base = functools.reduce(fold, observed[1:], fold(ticket.base(name), observed[0]))
            if name in ticket.clocks:
                ticket.clocks[name] = replace(ticket.clocks[name], base=base)
                changed.add(name)
            else:
                history.idle[name] = base
    return changed


def observe(policy: SlaPolicy, clock: Clock | None, event: TicketEvent, at: float,
            learned: float) -> Clock:
    """One policy's clock alone with the event placed at `at` (the tracker's time), learned
    at `learned` (the connector's). Unchanged when the event is a copy of one seen, or older
    than the history kept (`too_old`)."""
    ticket = Ticket.alone(policy.name, clock)
    if clock is not None and too_old(clock.base, at):
        return clock
    if place(ticket, {policy.name: holding(policy, event)}, at, learned) is None \
            and clock is not None:
        return clock
    return ticket.clock(policy.name)


def too_old(base: Base | None, at: float) -> bool:
    """The event falls before the history kept: it cannot be placed."""
    return base is not None and at < base.until


def run_of(base: Base | None, seen: list[Observation]) -> Clock | None:
    """The run the observations make from the base (None: none started)."""
    run = base.clock if base is not None else None
    for o in seen:
        run = advance(run, o.held, o.at)
    return run


def carried(before: Clock | None, after: Clock) -> list[int]:
    """Thresholds fired in `before`'s run that stay fired in `after`'s: the latest run goes on
    to now, so a run starting no later than the old one contains it — the same run."""
    if before is None or "idle" in (before.state, after.state):
        return []
    return list(before.fired) if after.started_at <= before.started_at else []


def fold(base: Base | None, oldest: Observation) -> Base:
    """The base with its oldest observation folded in."""
    run = advance(base.clock if base is not None else None, oldest.held, oldest.at)
    learned = oldest.learned if base is None else max(base.learned, oldest.learned)
    return Base(run, oldest.at, learned)


def known_by(clock: Clock, instant: float) -> Clock | None:
    """The run as the connector knew it at its own time `instant`: only what it had learned
    by then (the folded part as a whole, once all of it was learned)."""
    base = clock.base
    run = base.clock if base is not None and base.learned <= instant else None
    for o in clock.seen:
        if o.learned <= instant:
            run = advance(run, o.held, o.at)
    return run


def first_learned(clock: Clock) -> float:
    """When the connector first learned anything of the ticket for this clock."""
    base = clock.base
    return min([*([base.learned] if base is not None else []),
                *(o.learned for o in clock.seen)], default=0.0)


def lateness(clock: Clock, hours: Hours, target: float, percent: int, when: float) -> Lateness:
    """Why a threshold due at `when` is fired late: the connector knew it was due then and
    was not running (`down`), or learned of the ticket (`unknown_ticket`) or of the change that
    made it due then (`unknown_change`) only after it."""
    known = known_by(clock, when)
    expected = due(known, hours, target, percent, when) if known is not None else None
    if expected is not None and expected <= when:
        return "down"
    return "unknown_ticket" if first_learned(clock) > when else "unknown_change"
