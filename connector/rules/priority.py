"""The Sevastopol impact → allowed priorities rule (§4.9–4.10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connector.events import Action, TicketEvent
from connector.rules.models import ImpactPriority
from connector.rules.state import TicketState

if TYPE_CHECKING:
    from connector.rules.engine import RuleContext


def apply_impact_priority(
    rule: ImpactPriority, event: TicketEvent, state: TicketState, ctx: RuleContext
) -> list[Action]:
    """Correct a priority the impact does not allow to the highest allowed one, with a note.

    The issue's rule, applied both ways: a priority below every allowed one is raised to the
    highest allowed too (the impact says how urgent it is). Lowering within the allowed set
    is L1's right and is left alone. An impact the table does not know is left to intake
    validation rather than guessed at.
    """
    if event.kind != "ticket" or event.impact is None or event.priority is None:
        return []
    allowed = rule.allowed.get(event.impact)
    if allowed is None or event.priority in allowed:
        return []
    if (state.impact, state.priority) == (event.impact, event.priority):
        return []  # this very combination was already corrected
    corrected = min(allowed, key=rule.priorities.index)
    note = ctx.text(
        "impact_priority_corrected", event, impact=event.impact, priority=event.priority,
        corrected=corrected, allowed=", ".join(allowed),
    )
    return [
        Action("set_priority", event.ref.tracker, event.ref,
               {"priority": corrected, "was": event.priority}, rule.type),
        Action("add_note", event.ref.tracker, event.ref, {"body": note}, rule.type),
    ]
