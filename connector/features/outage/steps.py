"""The stage's checklist on the status message (EMIAS: "the chat leads the engineer through a
set of mandatory steps"): a press ticks a step — by the service's responsible or duty people,
in the outage's room, on its status message, for the stage it stands in — the tick goes on the
timeline and the status is redrawn; a stage with `steps_required: true` is left only when
every step is ticked, and any stage only when its `required` steps are."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, ChatButton, TicketRef
from connector.features.outage import store
from connector.features.outage.checklist import done
from connector.features.outage.flows import HOME
from connector.features.outage.models import Stage
from connector.features.outage.presses import pressed_outage, thanks
from connector.features.outage.roles import presser_roles
from connector.features.outage.status import status_actions
from connector.store.db import reading

MAY_TICK = {"responsible", "duty", "head"}


def refusal(c: FeatureContext, ev: ChatButton) -> str | None:
    found = _target(c, ev)
    if isinstance(found, str):
        return found
    row, stage, step = found
    with reading(c.engine) as conn:
        room = store.room_of(conn, row.ticket, ev.chat, HOME)
        ticked = done(conn, row.id, stage.name)
    if room is None or room.channel_id != ev.channel_id or room.message_id != ev.message_id:
        return "not the status message of this outage's room"
    if step in ticked:
        return "ticked already"
    if not presser_roles(c, row.service, ev.chat, ev.user_id) & MAY_TICK:
        return "may not tick steps"
    return None


def press(c: FeatureContext, conn: Connection, ev: ChatButton) -> list[Action]:
    found = _target(c, ev)
    if isinstance(found, str):
        return []
    row, stage, step = found
    if step in done(conn, row.id, stage.name):
        return []  # a second press
    person = c.mappings.catalog.person(ev.chat, ev.user_id)
    store.record(conn, row.id, "step", person.name if person else ev.user_name,
                 stage=stage.name, step=step, text=stage.steps[step].text)
    return thanks(c, ev, TicketRef.parse(row.ticket)) + status_actions(c, conn, row, stage,
                                                                        row.stage_since)


def _target(c: FeatureContext, ev: ChatButton) -> tuple[Row[Any], Stage, int] | str:
    """The outage, the stage it stands in and the step a press names."""
    found = pressed_outage(c, ev, 3)
    if isinstance(found, str):
        return found
    row, [stage_index, step] = found
    rules = c.mappings.by_name[row.mapping].outage
    assert rules is not None  # pressed_outage found its mapping's outage section
    stages = rules.of(row.kind).stages
    if stage_index >= len(stages) or stages[stage_index].name != row.stage:
        return f"the outage is no longer where the button was ({row.stage})"
    if step >= len(stages[stage_index].steps):
        return "no such step"
    return row, stages[stage_index], step
