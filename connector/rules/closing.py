"""Belarus §4.1: «После устранения проблемы сотрудник службы технической поддержки по
согласованию с руководителем службы технической поддержки закрывает задачу». The regulation
names no form for the agreement; what the tracker can show is the head closing the issue or
commenting on it before it was closed. An issue closed otherwise gets one reminder naming the
head; an issue whose closing the tracker does not attribute (a poll) is not judged."""

from __future__ import annotations

from connector.events import Action, TicketEvent
from connector.rules.context import RuleContext
from connector.rules.models import CloseAgreement
from connector.rules.state import TicketState

AGREED, REMINDED = "agreed:close", "reminded:close"


def apply_close_agreement(rule: CloseAgreement, event: TicketEvent, state: TicketState,
                          ctx: RuleContext) -> list[Action]:
    head = ctx.roles.get(rule.agreeing_role, "")
    if not head or event.own or event.by_connector:
        return []
    if event.kind == "note":
        if event.actor == head:
            state.flags.add(AGREED)  # the head's word on the issue
        return []
    closed = event.kind == "ticket" and event.action == "close" and event.state == "closed"
    if not closed or not event.actor or event.actor == head or AGREED in state.flags \
            or REMINDED in state.flags or set(rule.skip_labels) & set(event.labels):
        return []
    state.flags.add(REMINDED)
    note = ctx.text("close_agreement_reminder", event, who=event.actor, head=head)
    return [Action("add_note", event.ref.tracker, event.ref, {"body": note}, rule.type)]
