"""Clocks that do not depend on the order events arrive in (issue 17, item 9).

Webhooks come late, twice and out of order; every tracker event carries the tracker's own
time of the change. A clock keeps what it was built from — one observation per event: that
time, which of the policy's conditions held (start, stop, pause, cancel, reset), and when the
connector learned of it — and a new event is put at its own time and the run replayed from
the observations in time order. Trackers date changes to the second, so two changes may share
a time (a request reported and sent to «обратная связь» at once): those are ordered as a
ticket's life goes — a start (a new request) first, then what runs, pauses, stops, cancels
(`_order`) — never by arrival. So the order of delivery never changes a run or a due time.
Chosen over rebuilding from the tracker's history on every late event: no network call inside
an event's transaction, and it works for trackers without a history API (Znuny).

- A ticket seen without a run yet is kept `idle` with its observations: a start delivered
  after the change that stopped it must find that change.
- Thresholds fired stay fired while the run is the same — a replay that only moves its start
  earlier keeps them; a run starting later than the old one (a reset placed between) fires
  afresh.
- History is bounded: beyond KEEP observations the oldest fold into the base (the run as they
  left it, and the tracker time of the last one). An event older than the folded part cannot
  be placed and is left out (flows logs it); `sla repair` rebuilds the clock from the
  tracker's history. A clock stored before history was kept is its own base, placed at the
  latest tracker time it knew.
- The connector's time of learning tells why a threshold fired late: had the connector known,
  by the due time, that the clock would be due then, it was not running; otherwise the ticket,
  or the change that made the threshold due, reached it after the due time (`lateness`).
"""

from __future__ import annotations

import bisect
from typing import Literal

from connector.events import TicketEvent
from connector.features.sla.clocks import Base, Clock, Hours, Observation, advance, due, holding
from connector.features.sla.models import SlaPolicy

KEEP = 300  # observations a clock keeps before the oldest fold into its base

Lateness = Literal["down", "unknown_ticket", "unknown_change"]


def observe(policy: SlaPolicy, clock: Clock | None, event: TicketEvent, at: float,
            learned: float) -> Clock:
    """The clock with the event placed at `at` (the tracker's time), learned at `learned`
    (the connector's). Unchanged when the event is a copy of one seen, or older than the
    history kept (`too_old`)."""
    observation = Observation(at, holding(policy, event), learned)
    base, seen = history(clock)
    if clock is not None and (too_old(clock, at) or any(
            o.at == at and o.held == observation.held for o in seen)):
        return clock
    seen = list(seen)
    seen.insert(bisect.bisect_right([_order(o) for o in seen], _order(observation)),
                observation)
    while len(seen) > KEEP:
        base = _fold(base, seen.pop(0))
    return replay(base, seen, clock)


RANK = {"start": 0, "reset": 0, "pause": 2, "stop": 3, "cancel": 4}  # a life's order


def _order(o: Observation) -> tuple[float, int, tuple[str, ...]]:
    """Where an observation goes: its time, then — for changes of the same second — the
    order a ticket's life takes them in (nothing held ranks 1: it runs)."""
    rank = max((RANK[c] for c in o.held if c in ("pause", "stop", "cancel")),
               default=min((RANK[c] for c in o.held), default=1))
    return o.at, rank, tuple(sorted(o.held))


def too_old(clock: Clock, at: float) -> bool:
    """The event falls before the history kept: it cannot be placed."""
    base, _ = history(clock)
    return base is not None and at < base.until


def history(clock: Clock | None) -> tuple[Base | None, list[Observation]]:
    """What the clock is replayed from; a clock stored before history was kept is its base."""
    if clock is None:
        return None, []
    if clock.seen or clock.base is not None or clock.state == "idle":
        return clock.base, clock.seen
    latest = max([clock.started_at, clock.paused_at or 0.0, clock.stopped_at or 0.0,
                  *(b for _, b in clock.pauses)])
    return Base(clock.run(), latest, 0.0), []


def replay(base: Base | None, seen: list[Observation], before: Clock | None) -> Clock:
    """The clock the observations make from the base; `before`'s fired thresholds carried
    over while the run is the same."""
    run = base.clock if base is not None else None
    for o in seen:
        run = advance(run, o.held, o.at)
    clock = run.run() if run is not None else Clock("idle", 0.0)
    clock.seen, clock.base = seen, base
    clock.fired = carried(before, clock)
    return clock


def carried(before: Clock | None, after: Clock) -> list[int]:
    """Thresholds fired in `before`'s run that stay fired in `after`'s: the latest run goes on
    to now, so a run starting no later than the old one contains it — the same run."""
    if before is None or "idle" in (before.state, after.state):
        return []
    return list(before.fired) if after.started_at <= before.started_at else []


def _fold(base: Base | None, oldest: Observation) -> Base:
    run = advance(base.clock if base is not None else None, oldest.held, oldest.at)
    learned = oldest.learned if base is None else max(base.learned, oldest.learned)
    return Base(run, oldest.at, learned)


def known_by(clock: Clock, instant: float) -> Clock | None:
    """The run as the connector knew it at its own time `instant`: only what it had learned
    by then (the folded part as a whole, once all of it was learned)."""
    base, seen = history(clock)
    run = base.clock if base is not None and base.learned <= instant else None
    for o in seen:
        if o.learned <= instant:
            run = advance(run, o.held, o.at)
    return run


def first_learned(clock: Clock) -> float:
    """When the connector first learned anything of the ticket for this clock."""
    base, seen = history(clock)
    return min([*([base.learned] if base is not None else []), *(o.learned for o in seen)],
               default=0.0)


def lateness(clock: Clock, hours: Hours, target: float, percent: int, when: float) -> Lateness:
    """Why a threshold due at `when` is fired late: the connector knew it was due then and
    was not running (`down`), or learned of the ticket (`unknown_ticket`) or of the change that
    made it due then (`unknown_change`) only after it."""
    known = known_by(clock, when)
    expected = due(known, hours, target, percent, when) if known is not None else None
    if expected is not None and expected <= when:
        return "down"
    return "unknown_ticket" if first_learned(clock) > when else "unknown_change"
