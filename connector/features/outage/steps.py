"""The stage's checklist on the status message (EMIAS: "the chat leads the engineer through a
set of mandatory steps"): a press ticks a step — by the service's responsible or duty people,
in the outage's room, on its status message, for the stage it stands in — the tick goes on the
timeline and the status is redrawn; a stage with `steps_required: true` is left only when
every step is ticked."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.core import Connector
from connector.events import Action, ChatButton, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME
from connector.features.outage.models import Stage
from connector.store.db import reading

MAY_TICK = {"responsible", "duty", "head"}


def done(conn: Connection, outage_id: int, stage: str) -> frozenset[int]:
    """The steps of `stage` ticked so far (since the outage last entered it)."""
    ticked: set[int] = set()
    for e in store.timeline(conn, outage_id):
        if e["kind"] == "stage" and e.get("stage") == stage:
            ticked = set()  # entered again: its checklist starts over
        elif e["kind"] == "step" and e.get("stage") == stage:
            ticked.add(int(e["step"]))
    return frozenset(ticked)


def missing(conn: Connection, row: Row[Any], stage: Stage) -> list[str]:
    """The required steps of the stage the outage stands in that are not ticked yet."""
    if not stage.steps_required:
        return []
    ticked = done(conn, row.id, stage.name)
    return [s for i, s in enumerate(stage.steps) if i not in ticked]


def refusal(c: Connector, ev: ChatButton) -> str | None:
    from connector.features.outage.buttons import presser_roles
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


def press(c: Connector, conn: Connection, ev: ChatButton) -> list[Action]:
    from connector.features.outage.buttons import status_actions
    found = _target(c, ev)
    if isinstance(found, str):
        return []
    row, stage, step = found
    if step in done(conn, row.id, stage.name):
        return []  # a second press
    person = c.mappings.catalog.person(ev.chat, ev.user_id)
    store.record(conn, row.id, "step", person.name if person else ev.user_name,
                 stage=stage.name, step=step, text=stage.steps[step])
    ref = TicketRef.parse(row.ticket)
    answer = [Action("answer_button", ev.chat, ref, {
        "callback_id": ev.callback_id, "text": c.render("button_answer")}, "outage")] \
        if ev.callback_id else []
    return answer + status_actions(c, conn, row, stage, row.stage_since)


def _target(c: Connector, ev: ChatButton) -> tuple[Row[Any], Stage, int] | str:
    """The outage, the stage it stands in and the step a press names."""
    parts = ev.value.split(":")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts):
        return "not a button the connector posts"
    with reading(c.engine) as conn:
        row = store.get(conn, int(parts[0]))
    rules = c.mappings.by_name[row.mapping].outage if row is not None and \
        row.mapping in c.mappings.by_name else None
    if row is None or rules is None:
        return "no such outage"
    stages = rules.of(row.kind).stages
    stage_index, step = int(parts[1]), int(parts[2])
    if stage_index >= len(stages) or stages[stage_index].name != row.stage:
        return f"the outage is no longer where the button was ({row.stage})"
    if step >= len(stages[stage_index].steps):
        return "no such step"
    return row, stages[stage_index], step
