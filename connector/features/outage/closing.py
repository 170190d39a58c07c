"""The conclusion button and the three closing decisions (EMIAS): close with a comment; close
and link to an existing problem (picked from the open ones); close and create a problem. Each
press is checked like a stage press — in the outage's room, on its status message (or on the
list of problems the connector posted), by someone the stage allows — and acts once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, ChatButton, TicketRef
from connector.features.outage import clients, conclusion, problems, roomforms, store
from connector.features.outage.admissions import leaving
from connector.features.outage.checklist import missing
from connector.features.outage.criteria import criteria_line, current
from connector.features.outage.flows import DECISIONS, HOME, RULE, stage_actions, status_text
from connector.features.outage.models import Stage
from connector.features.outage.presses import pressed_outage, thanks
from connector.features.outage.roles import presser_roles
from connector.features.outage.roomforms import RoomForm
from connector.features.outage.roomlog import members, room_log
from connector.store import threads
from connector.store.db import reading
from connector.wording import no_mentions


def refusal(c: FeatureContext, ev: ChatButton) -> str | None:
    found = _outage(c, ev)
    if isinstance(found, str):
        return found
    row, value = found
    with reading(c.engine) as conn:
        room = store.room_of(conn, row.ticket, ev.chat, HOME)
        done = conclusion.concluded(conn, row.id)
        left = missing(conn, row, _stage(c, row))
        posted = threads.posted_button(conn, ev.chat, ev.channel_id, ev.message_id, ev.data)
    if room is None or room.channel_id != ev.channel_id:
        return "not in this outage's room"
    on_status = room.message_id == ev.message_id
    roles = presser_roles(c, row.service, ev.chat, ev.user_id)
    stage = _stage(c, row)
    if ev.action == "conclude":
        if not on_status or not stage.conclusion:
            return f"no conclusion is asked in {row.stage}"
        if done:
            return "concluded already"
        return None if roles & conclusion.MAY_CONCLUDE else "may not conclude"
    if not (on_status if value < len(DECISIONS) else posted):
        return "not a message the connector posted these decisions on"
    closing = _closing_stage(c, row)
    if closing is None:
        return f"the outage cannot be closed from {row.stage}"
    if "conclusion" in closing.requires and not done:
        return "the conclusion comes first"
    if left:
        return f"steps not ticked yet: {'; '.join(left)}"
    if not roles & set(closing.roles):
        return f"may not close (roles: {', '.join(closing.roles)})"
    rules = c.mappings.by_name[row.mapping].outage
    if value > 0 and (rules is None or rules.problem is None):
        return "this regulation has no problems"
    if value >= len(DECISIONS) and not problems.is_open_problem(c, value - len(DECISIONS),
                                                                row.mapping):
        return "no such open problem"
    return None


def press(c: FeatureContext, conn: Connection, ev: ChatButton) -> list[Action]:
    found = _outage(c, ev)
    if isinstance(found, str):
        return []
    row, value = found
    ref = TicketRef.parse(row.ticket)
    answer = thanks(c, ev, ref)
    person = c.mappings.catalog.person(ev.chat, ev.user_id)
    who = person.name if person else ev.user_name
    if ev.action == "conclude":
        return answer + roomforms.ask(c, conn, row, conclusion.FORM, ev, who)
    if value == 0:  # «закрыть сбой с комментарием»: the comment first
        return answer + roomforms.ask(c, conn, row, FORM, ev, who)
    if value == 1:  # link to a problem: first pick one of the open problems
        return answer + problems.offer(c, conn, row)
    decision = DECISIONS[value] if value < len(DECISIONS) else "link_problem"
    return answer + decide(c, conn, row, decision, value - len(DECISIONS), who, ev)


def decide(c: FeatureContext, conn: Connection, row: Row[Any], decision: str, problem_id: int,
           who: str, ev: ChatButton | None = None, comment: str = "") -> list[Action]:
    """The outage takes its closing stage once (a second decision finds it closed)."""
    closing = _closing_stage(c, row)
    if closing is None or not store.move(conn, row.id, row.stage, closing.name):
        return []  # decided twice: the first decision closed it
    store.record(conn, row.id, "stage", who, stage=closing.name, previous=row.stage,
                 decision=decision, comment=comment, chat=ev.chat if ev else "",
                 user=ev.user_id if ev else "")
    clients.tell(c, conn, row, "restored")  # unless they were told at restore
    actions = problems.decided(c, conn, row, decision, problem_id, who)
    return actions + close(c, conn, row, closing, who, decision, comment)


def _with_comment(c: FeatureContext, conn: Connection, row: Row[Any], values: dict[str, str],
                  who: str) -> list[Action]:
    comment = no_mentions(values.get("comment", "")).strip()[:3000]
    if comment:
        return decide(c, conn, row, "comment", 0, who, comment=comment)
    return [Action("post_in_room", "chat", TicketRef.parse(row.ticket), {  # only invisibles
        "channel": HOME, "text": c.render("outage_closing_empty", row.mapping, who=who)}, RULE)]


def _may_close(c: FeatureContext, conn: Connection, row: Row[Any]) -> bool:
    return row.kind == "outage" and _closing_stage(c, row) is not None


FORM = RoomForm("closing", ("comment",), "outage_closing_title", "outage_closing_submit",
                _with_comment, open_in=_may_close)


def close(c: FeatureContext, conn: Connection, row: Row[Any], closing: Stage, who: str,
          decision: str, comment: str = "") -> list[Action]:
    """The ticket takes the closing stage and a note; the room gets its last status and is
    archived, closed or returned to the pool with its log attached to the ticket."""
    mapping = c.mappings.by_name[row.mapping]
    ref = TicketRef.parse(row.ticket)
    old = _stage(c, row)
    service = c.mappings.catalog.services[row.service].title
    note = c.render("outage_closed", mapping.name, who=who, service=service,
                    decision=c.render(f"outage_close_{decision}", mapping.name),
                    comment=c.render("outage_closed_comment", mapping.name, text=comment)
                    if comment else "")
    return [*stage_actions(mapping, ref, old, closing),
            Action("add_note", ref.tracker, ref, {"body": note}, RULE),
            Action("update_room", "chat", ref, {
                "channel": HOME, "buttons": [],
                "status": status_text(c, mapping, ref, row.service, closing, c.clock.now(),
                                      criteria=criteria_line(c, mapping.name, current(
                                          store.timeline(conn, row.id))))}, RULE),
            Action("post_in_room", "chat", ref, {"channel": HOME, "text": note}, RULE),
            *room_closing(c, conn, row)]


def room_closing(c: FeatureContext, conn: Connection, row: Row[Any]) -> list[Action]:
    """The room's log on the ticket, then the room archived, closed or returned to the pool,
    and in a forum the people let in for it taken out (admissions.py)."""
    mapping, ref = c.mappings.by_name[row.mapping], TicketRef.parse(row.ticket)
    return [Action("attach_file", ref.tracker, ref, {
                "filename": f"{row.kind}-log-{ref.key}.txt",
                "content": room_log(c, conn, row, mapping),
                "note": c.render("outage_log_attached", mapping.name)}, RULE),
            Action("close_room", "chat", ref, {
                "channel": HOME, "members": members(conn, row.id),
                "free_title": c.render("outage_pool_free", mapping.name)}, RULE),
            *leaving(c, conn, row)]


def _stage(c: FeatureContext, row: Row[Any]) -> Stage:
    rules = c.mappings.by_name[row.mapping].outage
    assert rules is not None
    return rules.stage(row.stage)


def _closing_stage(c: FeatureContext, row: Row[Any]) -> Stage | None:
    rules = c.mappings.by_name[row.mapping].outage
    assert rules is not None
    return next((rules.stage(n) for n in rules.stage(row.stage).next
                 if rules.stage(n).closing), None)


def _outage(c: FeatureContext, ev: ChatButton) -> tuple[Row[Any], int] | str:
    """The outage a conclude/close press is about and its value (the decision's index, or
    len(DECISIONS) + a problem's id when a problem was picked)."""
    found = pressed_outage(c, ev, 2)
    if isinstance(found, str):
        return found
    row, [value] = found
    return (row, value) if row.kind == "outage" else "not an outage"
