"""Repair: a ticket's clocks recomputed from the tracker's own history — e.g. after the
connector was installed next to a running helpdesk, or was down longer than its polls look
back. The history is observed and replayed as live events are (history.py)."""

from __future__ import annotations

from connector.core import Connector
from connector.events import TicketEvent, TicketRef
from connector.features.sla import store
from connector.features.sla.clocks import Clock, due, holding, next_due
from connector.features.sla.flows import hours_for, target_of
from connector.features.sla.history import carried, observe
from connector.rules.vocab import read_event
from connector.timestamps import to_epoch


def repair(c: Connector, ref: TicketRef, *, fire_missed: bool = False) -> dict[str, Clock]:
    """Recompute and save the ticket's clocks; returns the started ones by policy. Thresholds
    that fell due before now are counted as fired (old news is not sent) unless `fire_missed`;
    those fired in the same run before stay fired. A change the stored clock had already
    seen keeps the time the connector learned of it."""
    mapping = c.mapping_for(ref)
    if mapping is None:
        raise LookupError(f"no mapping governs {ref} (see trackers.{ref.tracker}.projects)")
    history = c.trackers[ref.tracker].ticket_history(ref)
    events = [read_event(mapping, TicketEvent(
        ref, "ticket", "sync", "", state=p.state, status=p.status, labels=p.labels,
        assignees=("?",) if p.assigned else (), updated_at=p.at)) for p in history]
    now, clocks = c.clock.now(), {}
    with c.engine.begin() as conn:
        rows = store.clocks_of(conn, str(ref))
        for policy in mapping.sla:
            row = rows.get(policy.name)
            before = Clock.from_json(row.clock) if row is not None else None
            learned = {(o.at, o.held): o.learned for o in (before.seen if before else [])}
            clock: Clock | None = None
            for event in events:
                at = to_epoch(event.updated_at)
                clock = observe(policy, clock, event, at,
                                learned.get((at, holding(policy, event)), now))
            if clock is None:
                continue
            clock.fired = carried(before, clock)
            hours, target = hours_for(c, policy), target_of(c, mapping, policy)
            if not fire_missed:
                clock.fired = sorted({*clock.fired, *(
                    t.at for t in policy.thresholds
                    if (when := due(clock, hours, target, t.at, now)) is not None
                    and when <= now)})
            upcoming = next_due(clock, hours, target, policy, now)
            store.save(conn, str(ref), policy.name, mapping.name, clock,
                       upcoming[1] if upcoming else None)
            if clock.state != "idle":
                clocks[policy.name] = clock
    return clocks
