"""L1 → L2 escalation: start it when its condition appears, relay notes while it lasts, end it."""

from __future__ import annotations

from connector.events import Action, TicketEvent
from connector.rules.context import RuleContext
from connector.rules.models import Condition, EscalateOnLabel, EscalateWhen
from connector.rules.state import TicketState
from connector.wording import no_mentions


def holds(when: Condition, event: TicketEvent) -> bool:
    """Whether the ticket, as the event shows it, meets the escalation condition."""
    if when.label is not None:
        return when.label in event.labels
    if when.status is not None:
        return event.status == when.status
    if when.handler_in is not None:
        return event.handler in when.handler_in
    assert when.field is not None
    return all(event.fields.get(name, "") == value for name, value in when.field.items())


def apply_escalate_on_label(
    rule: EscalateOnLabel, event: TicketEvent, state: TicketState, ctx: RuleContext
) -> list[Action]:
    """The Belarus form: the `L2` label escalates."""
    return escalate(rule.type, rule.channel, rule.priority_labels,
                    holds(Condition(label=rule.label), event), event, state, ctx)


def apply_escalate_when(
    rule: EscalateWhen, event: TicketEvent, state: TicketState, ctx: RuleContext
) -> list[Action]:
    """The general form: a status, a handler group or a custom field escalates."""
    active = holds(rule.when, event) if event.kind == "ticket" else False
    return escalate(rule.type, rule.channel, rule.priority_labels, active, event, state, ctx)


def escalate(reason: str, channel: str, priority_labels: list[str], active: bool,
             event: TicketEvent, state: TicketState, ctx: RuleContext) -> list[Action]:
    """Escalate once when the condition appears; relay people's notes into the thread while it
    lasts; end it when the condition goes or the ticket closes."""
    flag = f"escalated:{channel}"
    common = {"channel": channel, "title": event.title, "url": event.url,
              "mapping": ctx.mapping.name if ctx.mapping else None}
    if event.kind == "note":
        if flag not in state.flags or not event.note:
            return []
        text = ctx.text("tracker_note_to_chat", event, url=event.url, author=event.actor,
                        text=no_mentions(event.note))  # a note's <!channel> pings nobody
        return [Action("relay_note", "chat", event.ref, {**common, "text": text}, reason)]
    closed = event.state != "opened"
    if active and not closed and flag not in state.flags:
        state.flags.add(flag)
        # the highest label: what stays once the single-priority rule has settled a conflict
        priority = event.priority or next(
            (label for label in reversed(priority_labels) if label in event.labels), "")
        params = {**common, "labels": list(event.labels), "assignees": list(event.assignees),
                  "author": event.author, "priority": priority}
        return [Action("escalate", "chat", event.ref, params, reason)]
    if flag in state.flags and (closed or not active):
        state.flags.discard(flag)
        template = ("deescalation_closed" if closed else "deescalation_label_removed"
                    if reason == "escalate_on_label" else "deescalation_ended")
        text = ctx.text(template, event, url=event.url, channel=channel)
        why = "closed" if closed else "label_removed"
        return [Action("deescalate", "chat", event.ref, {**common, "why": why, "text": text},
                       reason)]
    return []
