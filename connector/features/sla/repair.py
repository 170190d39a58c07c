"""Repair: a ticket's clocks recomputed from the tracker's own history — e.g. after the
connector was installed next to a running helpdesk, or was down longer than its polls look
back. The history is observed and replayed as live events are (history.py)."""

from __future__ import annotations

from connector.context import FeatureContext
from connector.events import TicketRef
from connector.features.sla import store
from connector.features.sla.clocks import Clock, Condition, due, holding, next_due
from connector.features.sla.flows import hours_for, target_of
from connector.features.sla.history import Ticket, carried, place, too_old
from connector.features.sla.models import SlaPolicy
from connector.mappings import Mapping
from connector.rules.vocab import read_event
from connector.timestamps import to_epoch


def repair(c: FeatureContext, ref: TicketRef, *, fire_missed: bool = False) -> dict[str, Clock]:
    """Recompute and save the ticket's history and clocks; returns the started ones by policy.
    Thresholds that fell due before now are counted as fired (old news is not sent) unless
    `fire_missed`; those fired in the same run before stay fired. A change a policy had already
    seen keeps the time the connector learned of it (one observation per time of learning)."""
    mapping = c.mapping_for(ref)
    if mapping is None:
        raise LookupError(f"no mapping governs {ref} (see trackers.{ref.tracker}.projects)")
    history = c.ticket_history(ref)
    events = [read_event(mapping, p.event(ref)) for p in history]
    if not events:
        return {}
    now, repaired, rows = c.clock.now(), Ticket(), []
    with c.engine.begin() as conn:
        stored = store.load(conn, str(ref))
        repaired.history.facts = dict(stored.history.facts)  # the history API tells none
        learned = {p.name: {(o.at, o.held): o.learned for o in stored.history.view(p.name)}
                   for p in mapping.sla}
        for event in events:
            at = to_epoch(event.updated_at)
            parts: dict[float, dict[str, frozenset[Condition]]] = {}  # by time of learning
            for policy in mapping.sla:
                if not too_old(repaired.base(policy.name), at):
                    held = holding(policy, event)
                    when = learned[policy.name].get((at, held), now)
                    parts.setdefault(when, {})[policy.name] = held
            for when, held_by in parts.items():
                place(repaired, held_by, at, when)
        for policy in mapping.sla:
            clock = _settled(c, mapping, policy, repaired, stored.clocks.get(policy.name), now,
                             fire_missed)
            if clock is not None:
                upcoming = next_due(clock, hours_for(c, policy), target_of(c, mapping, policy),
                                    policy, now)
                rows.append((policy.name, clock, upcoming[1] if upcoming else None))
        store.save_all(conn, str(ref), mapping.name, repaired.history, rows)
    return {name: repaired.clock(name) for name, clock, _ in rows if clock.state != "idle"}


def _settled(c: FeatureContext, mapping: Mapping, policy: SlaPolicy, repaired: Ticket,
             before: Clock | None, now: float, fire_missed: bool) -> Clock | None:
    """The policy's repaired clock with the thresholds it counts as fired; None: it needs no
    row (no run, and none stored: a stored one is kept, idle)."""
    clock = repaired.clocks.get(policy.name)
    if clock is None and before is None:
        return None
    if clock is None:
        clock = Clock("idle", 0.0, base=repaired.history.idle.pop(policy.name, None))
        repaired.clocks[policy.name] = clock
    clock.fired = carried(before, clock)
    hours, target = hours_for(c, policy), target_of(c, mapping, policy)
    if not fire_missed:
        clock.fired = sorted({*clock.fired, *(
            t.at for t in policy.thresholds
            if (when := due(clock, hours, target, t.at, now)) is not None and when <= now)})
    return clock
