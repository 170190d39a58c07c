"""Repair: a ticket's clocks recomputed from the tracker's own history — e.g. after the
connector was installed next to a running helpdesk, or was down longer than its polls look
back. The history is replayed through the same state machine live events go through."""

from __future__ import annotations

from datetime import datetime

from connector.core import Connector
from connector.events import TicketEvent, TicketRef
from connector.features.sla import store
from connector.features.sla.clocks import Clock, due, next_due, step
from connector.features.sla.flows import hours_for, target_of
from connector.rules.vocab import read_event


def repair(c: Connector, ref: TicketRef, *, fire_missed: bool = False) -> dict[str, Clock]:
    """Recompute and save the ticket's clocks; returns them by policy. Thresholds that fell
    due before now are counted as fired (old news is not sent) unless `fire_missed`."""
    mapping = c.mapping_for(ref)
    if mapping is None:
        raise LookupError(f"no mapping governs {ref} (see trackers.{ref.tracker}.projects)")
    history = c.trackers[ref.tracker].ticket_history(ref)
    events = [TicketEvent(ref, "ticket", "sync", "", state=p.state, status=p.status,
                          labels=p.labels, assignees=("?",) if p.assigned else (),
                          updated_at=p.at) for p in history]
    now, clocks = c.clock.now(), {}
    with c.engine.begin() as conn:
        for policy in mapping.sla:
            clock: Clock | None = None
            for event in events:
                clock = step(policy, clock, read_event(mapping, event), _epoch(event.updated_at))
            if clock is None:
                continue
            hours, target = hours_for(c, policy), target_of(c, mapping, policy)
            if not fire_missed:
                clock.fired = [t.at for t in policy.thresholds
                               if (when := due(clock, hours, target, t.at, now)) is not None
                               and when <= now]
            upcoming = next_due(clock, hours, target, policy, now)
            store.save(conn, str(ref), policy.name, mapping.name, clock,
                       upcoming[1] if upcoming else None)
            clocks[policy.name] = clock
    return clocks


def _epoch(canonical: str) -> float:
    return datetime.fromisoformat(canonical.replace("Z", "+00:00")).timestamp()
