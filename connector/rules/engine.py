"""Apply a regulation's rules to one event: pure, so `explain` and tests can call it freely."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connector.events import Action, TicketEvent
from connector.mappings import Mapping, Templates, render
from connector.rules import escalation, intake, labels, priority
from connector.rules.models import (
    AssignOnLabel,
    EscalateOnLabel,
    EscalateWhen,
    ImpactPriority,
    IntakeValidation,
    SinglePriorityLabel,
)
from connector.rules.state import TicketState
from connector.rules.vocab import read_event, write_action


@dataclass(frozen=True)
class RuleContext:
    """What rules may read besides the event: who fills roles, and how to speak."""

    templates: Templates
    language: str
    roles: dict[str, str] = field(default_factory=dict)

    def text(self, template_id: str, event: TicketEvent, **values: Any) -> str:
        """Render a template with the ticket's common fields filled in."""
        return render(self.templates, self.language, template_id,
                      ticket=str(event.ref), title=event.title, **values)


@dataclass
class Decision:
    """The actions decided for one event and the state the ticket moves to."""

    actions: list[Action]
    state: TicketState


RuleFn = Callable[[Any, TicketEvent, TicketState, RuleContext], list[Action]]

RULES: dict[type, RuleFn] = {
    SinglePriorityLabel: labels.apply_single_priority_label,
    EscalateOnLabel: escalation.apply_escalate_on_label,
    EscalateWhen: escalation.apply_escalate_when,
    IntakeValidation: intake.apply_intake_validation,
    AssignOnLabel: labels.apply_assign_on_label,
    ImpactPriority: priority.apply_impact_priority,
}


def decide(mapping: Mapping, event: TicketEvent, state: TicketState, ctx: RuleContext) -> Decision:
    """Run every rule of the mapping in order; each rule picks the event kinds it cares about."""
    event = read_event(mapping, event)
    # Some trackers list only the newest article's files in an event: remember them all.
    files = tuple(dict.fromkeys([*state.attachments, *event.attachments]))
    event = dataclasses.replace(event, attachments=files)
    new_state = copy.deepcopy(state)
    new_state.attachments = list(files)
    actions: list[Action] = []
    for rule in mapping.rules:
        actions += RULES[type(rule)](rule, event, new_state, ctx)
    if event.kind == "ticket":
        new_state.observe(event.labels, event.priority, event.impact, event.updated_at)
    return Decision([write_action(mapping, a) for a in actions], new_state)
