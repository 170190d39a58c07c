"""The status message's stage buttons: a press moves the outage (or problem) to the next stage
when it comes from its own room, under its status message, by someone the catalog gives a role
the stage allows, with the stage's required steps ticked and, where asked, the conclusion
written; the ticket and the room follow, and the timeline records it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, ChatButton, TicketRef
from connector.features.outage import clients, store
from connector.features.outage.checklist import missing
from connector.features.outage.closing import room_closing
from connector.features.outage.conclusion import concluded
from connector.features.outage.flows import HOME, RULE, sample_affected, stage_actions
from connector.features.outage.models import Stage
from connector.features.outage.presses import pressed_outage, thanks
from connector.features.outage.roles import owner_actions, presser, roles_of
from connector.features.outage.status import status_actions
from connector.store.db import reading
from connector.wording import ticket_label


def refusal(c: FeatureContext, ev: ChatButton) -> str | None:
    target = _target(c, ev)
    if isinstance(target, str):
        return target
    row, stage = target
    mapping = c.mappings.by_name[row.mapping]
    with reading(c.engine) as conn:
        room = store.room_of(conn, row.ticket, ev.chat, HOME)
        assert mapping.outage is not None
        left = missing(conn, row, mapping.outage.of(row.kind).stage(row.stage))
        written = concluded(conn, row.id)
    if room is None or room.channel_id != ev.channel_id or room.message_id != ev.message_id:
        return "not the status message of this outage's room"
    if stage.name not in mapping.outage.of(row.kind).stage(row.stage).next:
        return f"the outage is no longer where the button was ({row.stage})"
    found = presser(c.mappings.catalog, ev)
    if found is None:
        return "not in the service catalog"
    key, _ = found
    if not roles_of(c.mappings.catalog, row.service, key) & set(stage.roles):
        return f"{key} may not move it to {stage.name} (roles: {', '.join(stage.roles)})"
    if stage.closing:
        return "closed only by a closing decision"
    if left:
        return f"steps not ticked yet: {'; '.join(left)}"
    if "conclusion" in stage.requires and not written:
        return f"{stage.name} needs the conclusion first"
    return None


def press(c: FeatureContext, conn: Connection, ev: ChatButton) -> list[Action]:
    target = _target(c, ev)
    if isinstance(target, str):
        return []
    row, stage = target
    ref = TicketRef.parse(row.ticket)
    actions = thanks(c, ev, ref)
    mapping = c.mappings.by_name[row.mapping]
    assert mapping.outage is not None
    old = mapping.outage.of(row.kind).stage(row.stage)
    if not store.move(conn, row.id, old.name, stage.name):
        return actions  # pressed twice: the first press moved it
    found = presser(c.mappings.catalog, ev)
    who = found[1].name if found else ev.user_name
    store.record(conn, row.id, "stage", who, stage=stage.name, previous=old.name,
                 chat=ev.chat, user=ev.user_id)
    values = {"service": c.mappings.catalog.services[row.service].title,
              "ticket": ticket_label(ref), "title": "", "url": ""}
    actions += stage_actions(mapping, ref, old, stage)
    actions += owner_actions(c, ref, row.service, stage)
    actions.append(Action("add_note", ref.tracker, ref, {"body": c.render(
        f"{row.kind}_note_stage", mapping.name, stage=stage.title, who=who, **values)},
        RULE))
    actions += status_actions(c, conn, row, stage, c.clock.now())
    if stage.sample_affected:
        actions += sample_affected(c, ref, row.service)
    if stage.conclusion or stage.closing:  # restored (spans.restored_at): clients are told
        clients.tell(c, conn, row, "restored")
    if row.kind == "problem" and not stage.next:  # a problem's last stage ends its room
        actions += room_closing(c, conn, row)
    return actions


def _target(c: FeatureContext, ev: ChatButton) -> tuple[Row[Any], Stage] | str:
    """The outage and the stage a `go` press asks for, or why it is not one."""
    found = pressed_outage(c, ev, 2)
    if isinstance(found, str):
        return found
    row, [index] = found
    rules = c.mappings.by_name[row.mapping].outage
    if rules is None or index >= len(rules.of(row.kind).stages):
        return "no such stage"
    return row, rules.of(row.kind).stages[index]
