"""Apply a regulation's rules to one event: pure, so `explain` and tests can call it freely."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connector.events import Action, TicketEvent
from connector.mappings import Mapping
from connector.rules import closing, escalation, intake, labels, priority
from connector.rules.context import RuleContext, RuleWarning
from connector.rules.models import (
    AssignOnLabel,
    CloseAgreement,
    EscalateOnLabel,
    EscalateWhen,
    ImpactPriority,
    IntakeValidation,
    SinglePriorityLabel,
)
from connector.rules.state import TicketState
from connector.rules.vocab import read_event, write_action


@dataclass
class Decision:
    """The actions decided for one event, the state the ticket moves to, and warnings."""

    actions: list[Action]
    state: TicketState
    warnings: list[RuleWarning] = field(default_factory=list)


RuleFn = Callable[[Any, TicketEvent, TicketState, RuleContext], list[Action]]

RULES: dict[type, RuleFn] = {
    SinglePriorityLabel: labels.apply_single_priority_label,
    EscalateOnLabel: escalation.apply_escalate_on_label,
    EscalateWhen: escalation.apply_escalate_when,
    IntakeValidation: intake.apply_intake_validation,
    AssignOnLabel: labels.apply_assign_on_label,
    ImpactPriority: priority.apply_impact_priority,
    CloseAgreement: closing.apply_close_agreement,
}


def decide(mapping: Mapping, event: TicketEvent, state: TicketState, ctx: RuleContext) -> Decision:
    """Run every rule of the mapping in order; each rule picks the event kinds it cares about.

    The new state records the priority as it will be once a correction is done, so the change
    coming back, or a later one, compares with that.
    """
    event = read_event(mapping, event)
    # Some trackers list only the newest article's files in an event: remember them all.
    known = {a.name: a for a in state.attachments}
    files = tuple({**known, **{a.name: a for a in event.attachments}}.values())
    event = dataclasses.replace(event, attachments=files)
    new_state = copy.deepcopy(state)
    new_state.attachments = list(files)
    ctx = ctx.bound(mapping)
    actions: list[Action] = []
    for rule in mapping.rules:
        actions += RULES[type(rule)](rule, event, new_state, ctx)
    if event.kind == "ticket":
        new_state.observe(event.labels, event.priority, event.impact, event.updated_at)
    for action in actions:
        if action.kind == "set_priority":
            new_state.priority = action.params["priority"]
    return Decision([write_action(mapping, a) for a in actions], new_state, ctx.warnings)
