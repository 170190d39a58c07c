"""Label rules of the Belarus regulation: one priority label and routing labels."""

from __future__ import annotations

from connector.events import Action, TicketEvent
from connector.rules.context import RuleContext
from connector.rules.models import AssignOnLabel, SinglePriorityLabel
from connector.rules.state import TicketState

REMINDED = "reminded:priority"


def apply_single_priority_label(
    rule: SinglePriorityLabel, event: TicketEvent, state: TicketState, ctx: RuleContext
) -> list[Action]:
    """Keep only the highest priority label; remind once about what a new issue lacks.

    Belarus §4.1: the head of support sets exactly one priority label and assigns a
    responsible L1 on every new issue. A conflict already seen in the previous observation of
    the ticket was already acted on, so a redelivered or polled copy adds no second note.
    """
    if event.kind != "ticket":
        return []
    present = [label for label in rule.labels if label in event.labels]
    tracker, ref = event.ref.tracker, event.ref
    seen_before = [label for label in rule.labels if label in state.labels]
    actions: list[Action] = []
    if len(present) > 1 and present != seen_before:
        kept, removed = present[-1], present[:-1]
        note = ctx.text("priority_conflict", event, kept=kept, removed=", ".join(removed))
        actions += [
            Action("update_labels", tracker, ref, {"add": [], "remove": removed}, rule.type),
            Action("add_note", tracker, ref, {"body": note}, rule.type),
        ]
    gaps = []
    if not present and rule.remind_when_missing:
        gaps.append(ctx.text("reminder_priority_label", event, labels=", ".join(rule.labels)))
    if not event.assignees and rule.remind_when_unassigned:
        gaps.append(ctx.text("reminder_assignee", event))
    if gaps and event.is_new and REMINDED not in state.flags:
        state.flags.add(REMINDED)
        note = ctx.text("new_issue_reminder", event, missing="\n".join(f"— {g}" for g in gaps))
        actions.append(Action("add_note", tracker, ref, {"body": note}, rule.type))
    return actions


def apply_assign_on_label(
    rule: AssignOnLabel, event: TicketEvent, state: TicketState, ctx: RuleContext
) -> list[Action]:
    """Route once per appearance of the label, so a person's later reassignment is respected."""
    if event.kind != "ticket":
        return []
    flag = f"routed:{rule.label}"
    if rule.label not in event.labels:
        state.flags.discard(flag)
        return []
    if flag in state.flags:
        return []
    state.flags.add(flag)
    actions: list[Action] = []
    if rule.assignee_role:
        username = ctx.roles[rule.assignee_role]
        actions.append(Action("assign", event.ref.tracker, event.ref,
                              {"username": username, "role": rule.assignee_role}, rule.type))
    missing = [label for label in rule.add_labels if label not in event.labels]
    if missing:
        actions.append(Action("update_labels", event.ref.tracker, event.ref,
                              {"add": missing, "remove": []}, rule.type))
    return actions
