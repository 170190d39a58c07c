"""The Sevastopol impact → allowed priorities rule (§4.5, §4.9–4.10)."""

from __future__ import annotations

from connector.events import Action, TicketEvent
from connector.rules.context import RuleContext
from connector.rules.models import ImpactPriority
from connector.rules.state import TicketState

CORRECTED = "corrected:"  # + impact|priority: a combination this rule corrected


def apply_impact_priority(
    rule: ImpactPriority, event: TicketEvent, state: TicketState, ctx: RuleContext
) -> list[Action]:
    """Correct a priority the impact does not allow to the nearest allowed one, with a note.

    The regulation bans such a priority *when the request is created* (§4.9, §4.10); later,
    a change by L1 staff is their right (§4.5: L1 may change the priority while studying the
    request; §4.9, §4.10: L1 may lower impact and priority) and is left alone, as is the
    applicant lowering their own request. A later raise by anyone else — a higher priority or
    impact, or a priority above what the impact allows — is corrected like one at creation.
    """
    if event.kind != "ticket" or event.impact is None or event.priority is None:
        return []
    allowed = rule.allowed.get(event.impact)
    if allowed is None:
        return _unknown(ctx, state, "impact", event.impact, "rules[impact_priority].allowed")
    if event.priority not in rule.priorities:
        return _unknown(ctx, state, "priority", event.priority,
                        "rules[impact_priority].priorities")
    if event.priority in allowed or (state.impact, state.priority) == (event.impact,
                                                                         event.priority):
        return []  # fits, or this very combination was already settled
    changed = {name for name, before, now in (("impact", state.impact, event.impact),
                                              ("priority", state.priority, event.priority))
               if before != now}
    if changed & event.staff_set:
        return []  # L1's right
    done = f"{CORRECTED}{event.impact}|{event.priority}"
    if done in state.flags and not changed & set(event.changed_by):
        return []  # the view from before our correction landed, nobody set it again
    created = event.is_new or state.priority is None
    if not created and not _raised(rule, state, event, allowed):
        return []
    state.flags.add(done)
    corrected = nearest(rule, allowed, event.priority)
    note = ctx.text("impact_priority_corrected", event, impact=event.impact,
                    priority=event.priority, corrected=corrected, allowed=", ".join(allowed))
    return [
        Action("set_priority", event.ref.tracker, event.ref,
               {"priority": corrected, "was": event.priority}, rule.type),
        Action("add_note", event.ref.tracker, event.ref, {"body": note}, rule.type),
    ]


def nearest(rule: ImpactPriority, allowed: list[str], chosen: str) -> str:
    """The allowed priority closest to the chosen one; between two as close, the higher."""
    rank = rule.priorities.index
    return min(allowed, key=lambda p: (abs(rank(p) - rank(chosen)), rank(p)))


def _raised(rule: ImpactPriority, state: TicketState, event: TicketEvent,
            allowed: list[str]) -> bool:
    """A raise: priority or impact went up since last seen, or the priority is above what the
    impact allows (lists are highest first, so a smaller index is higher)."""
    rank, impacts = rule.priorities.index, list(rule.allowed)
    assert event.priority is not None and event.impact is not None
    up_priority = state.priority not in rule.priorities or \
        rank(event.priority) < rank(str(state.priority))
    up_impact = state.impact not in impacts or \
        impacts.index(event.impact) < impacts.index(str(state.impact))
    too_high = rank(event.priority) < min(rank(p) for p in allowed)
    return up_priority or up_impact or too_high


def _unknown(ctx: RuleContext, state: TicketState, field: str, value: str,
             where: str) -> list[Action]:
    """A value the regulation's table lacks: say so once per ticket, never act on a guess."""
    flag = f"warned:{field}:{value}"
    if flag not in state.flags:
        state.flags.add(flag)
        ctx.warn("impact_priority", field, value,
                 f"{field} {value!r} is not in the regulation's table: map it in the mapping's "
                 f"trackers vocabulary or add it to {where}")
    return []
