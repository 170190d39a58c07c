"""Translate between a tracker's words and the regulation's (statuses, priorities, impact)."""

from __future__ import annotations

from dataclasses import replace

from connector.events import Action, TicketEvent
from connector.mappings import Mapping


def read_event(mapping: Mapping, event: TicketEvent) -> TicketEvent:
    """The event with status, priority and impact in the regulation's terms: their values,
    who set them (`changed_by` keyed `status`, `priority`, `impact`) and which of them L1
    staff set (`staff_set`)."""
    vocab = mapping.trackers.get(event.ref.tracker)
    if vocab is None:
        return event
    impact = event.fields.get(vocab.impact_field) if vocab.impact_field else event.impact
    where = {"status": "status", "priority": "priority",
             "impact": vocab.impact_field or "impact"}
    by = {ours: event.changed_by[theirs] for ours, theirs in where.items()
          if theirs in event.changed_by}
    return replace(event, status=vocab.read(event.status, vocab.statuses),
                   priority=vocab.read(event.priority, vocab.priorities),
                   impact=vocab.read(impact or None, vocab.impacts), changed_by=by,
                   staff_set=frozenset(f for f, person in by.items() if vocab.l1.covers(person)))


def write_action(mapping: Mapping, action: Action) -> Action:
    """The action with statuses and priorities in the tracker's terms."""
    vocab = mapping.trackers.get(action.target)
    table = {"set_status": ("status", vocab.statuses if vocab else {}),
             "set_priority": ("priority", vocab.priorities if vocab else {})}.get(action.kind)
    if table is None:
        return action
    key, values = table
    params = {**action.params, key: values.get(action.params[key], action.params[key])}
    return replace(action, params=params)
