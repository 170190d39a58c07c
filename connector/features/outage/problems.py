"""Problems (EMIAS): an outage closed with «create a problem» gets a problem ticket of its own,
with its own room, status message and stages (the mapping's `outage.problem`), an owner per
stage; «link to a problem» picks one of the open problems. Both sides record the link on
their timelines and tickets, and the problem's room lists its outages."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection, Row

from connector.actions import CreateIssue
from connector.adapters import Performed
from connector.chat import button
from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import (
    DECISIONS,
    FEATURE,
    HOME,
    RULE,
    buttons,
    stage_actions,
    status_text,
)
from connector.features.outage.reports import PROBLEM, tag_created
from connector.features.outage.roles import owner_actions
from connector.features.outage.status import outages_line, status_actions
from connector.store import threads
from connector.store.db import reading
from connector.store.outbox import OutboxItem
from connector.wording import ticket_label, ticket_mention
from connector.work import enqueue_actions

KIND = "problem"


def is_open_problem(c: FeatureContext, problem_id: int, mapping: str) -> bool:
    """An open problem of the same regulation (its tracker is the outage's)."""
    with reading(c.engine) as conn:
        row = store.get(conn, problem_id)
    return row is not None and row.kind == KIND and row.mapping == mapping \
        and not _final(c, row)


def offer(c: FeatureContext, conn: Connection, row: Row[Any]) -> list[Action]:
    """The open problems of the mapping, as buttons in the outage's room."""
    mapping = c.mappings.by_name[row.mapping]
    found = [p for p in store.still_open(conn, _finals(c), KIND) if p.mapping == row.mapping]
    ref = TicketRef.parse(row.ticket)
    if not found:
        return [Action("post_in_room", "chat", ref, {"channel": HOME, "text": c.render(
            "problem_none_open", mapping.name)}, RULE)]
    choices = [[c.render("problem_choice", mapping.name, ticket=ticket_label(
        TicketRef.parse(p.ticket)), service=c.mappings.catalog.services[p.service].title),
        button(FEATURE, "close", row.id, len(DECISIONS) + p.id)] for p in found[:20]]
    return [Action("post_in_room", "chat", ref, {"channel": HOME, "text": c.render(
        "problem_pick", mapping.name), "buttons": choices}, RULE)]


def decided(c: FeatureContext, conn: Connection, row: Row[Any], decision: str, problem_id: int,
            who: str) -> list[Action]:
    """What a closing decision does about problems: link one, or create one."""
    ref, mapping = TicketRef.parse(row.ticket), c.mappings.by_name[row.mapping]
    if decision == "new_problem":
        rules = mapping.outage
        assert rules is not None and rules.problem is not None
        title = c.render("problem_title", mapping.name,
                         service=c.mappings.catalog.services[row.service].title,
                         ticket=ticket_label(ref))
        return [Action("create_issue", ref.tracker, TicketRef(ref.tracker, ref.project, "new"),
                       {"title": title, "description": c.render(
                           "problem_description", mapping.name, ticket=ticket_label(ref),
                           who=who, title=title),
                        "labels": rules.problem.labels if ref.tracker == "gitlab" else [],
                        "user": who, "for_ticket": str(ref)}, PROBLEM)]
    if decision == "link_problem":
        problem = store.get(conn, problem_id)
        return link(c, conn, row, problem, who) if problem is not None else []
    return []


def link(c: FeatureContext, conn: Connection, outage: Row[Any], problem: Row[Any],
         who: str) -> list[Action]:
    """Both timelines, both tickets, the problem's room and its status (its outages listed)."""
    mapping = c.mappings.by_name[outage.mapping]
    o_ref, p_ref = TicketRef.parse(outage.ticket), TicketRef.parse(problem.ticket)
    o_name, p_name = store.reference(conn, outage.id), store.reference(conn, problem.id)
    store.record(conn, outage.id, "problem", who, ticket=problem.ticket, reference=p_name)
    store.record(conn, problem.id, "outage", who, ticket=outage.ticket, reference=o_name)

    def said_on(here: TicketRef) -> str:  # each ticket's note names the other as it reads there
        return c.render("problem_linked", mapping.name,
                        outage=ticket_mention(o_ref, here, o_name) or ticket_label(o_ref),
                        problem=ticket_mention(p_ref, here, p_name) or ticket_label(p_ref))

    text = said_on(o_ref)
    actions = [Action("add_note", o_ref.tracker, o_ref, {"body": text}, RULE),
               Action("add_note", p_ref.tracker, p_ref, {"body": said_on(p_ref)}, RULE)]
    if p_ref.tracker == "mantis":
        actions.append(Action("link", "mantis", o_ref, {"target": p_ref.key,
                                                        "type": "related-to"}, RULE))
    if any(t.channel == HOME for t in threads.for_ticket(conn, problem.ticket)):
        actions += [Action("post_in_room", "chat", p_ref, {"channel": HOME, "text": text},
                           RULE), _refresh(c, conn, problem)]
    return actions


def after_created(c: FeatureContext, conn: Connection, item: OutboxItem,
                  performed: Performed) -> None:
    """The problem ticket exists: the problem is declared, its room opened, the outage linked."""
    action = item.action
    if action.kind != "create_issue" or action.reason != PROBLEM:
        return
    p, iid = action.params_as(CreateIssue), performed.result.get("iid")
    outage = store.by_ticket(conn, p.for_ticket) if p.for_ticket else None
    mapping = c.mappings.by_name.get(outage.mapping) if outage is not None else None
    if not iid or outage is None or mapping is None or mapping.outage is None \
            or mapping.outage.problem is None:
        return
    ref = TicketRef(action.target, action.ticket.project, str(iid))
    first = mapping.outage.problem.stages[0]
    problem_id = store.declare(conn, str(ref), mapping.name, outage.service, first.name, KIND)
    if problem_id is None:
        return
    store.record(conn, problem_id, "declared", p.user, service=outage.service,
                 stage=first.name, title=p.title, url=str(performed.result.get("url") or ""),
                 reference=str(performed.result.get("reference") or ""))
    problem = store.get(conn, problem_id)
    assert problem is not None
    enqueue_actions(c, conn, f"problem|{ref}|outage|{outage.ticket}",
                    link(c, conn, outage, problem, p.user), None)  # before the room: listed
    entry, catalog = c.mappings.catalog.services[outage.service], c.mappings.catalog
    responders = catalog.responders(outage.service)
    date = datetime.fromtimestamp(c.clock.now(), ZoneInfo(mapping.timezone))
    actions = [*owner_actions(c, ref, outage.service, first),
               *tag_created(c, ref, mapping.outage.problem.labels, RULE),
               *stage_actions(mapping, ref, None, first), Action("open_room", "chat", ref, {
        "channel": HOME, "name": f"problem-{outage.service}-{ref.key}-{date:%Y-%m-%d}",
        "pooled": False,
        "invite": {"slack": [x.slack for x in responders if x.slack]},
        "intro": c.render("problem_intro", mapping.name, service=entry.title,
                          ticket=ticket_label(ref), title=p.title,
                          url=str(performed.result.get("url") or ""),
                          responders=", ".join(x.name for x in responders)),
        "status": _status(c, conn, problem), "buttons": buttons(c, mapping, problem_id, first,
                                                               KIND)}, RULE)]
    enqueue_actions(c, conn, f"problem|{ref}|declared", actions, None)


def _refresh(c: FeatureContext, conn: Connection, problem: Row[Any]) -> Action:
    mapping = c.mappings.by_name[problem.mapping]
    assert mapping.outage is not None and mapping.outage.problem is not None
    stage = mapping.outage.problem.stage(problem.stage)
    [update] = status_actions(c, conn, problem, stage, problem.stage_since)
    return update


def _status(c: FeatureContext, conn: Connection, problem: Row[Any]) -> str:
    """The problem's status message: its stage and checklist, then its outages."""
    mapping = c.mappings.by_name[problem.mapping]
    assert mapping.outage is not None and mapping.outage.problem is not None
    return status_text(c, mapping, TicketRef.parse(problem.ticket), problem.service,
                       mapping.outage.problem.stage(problem.stage), problem.stage_since,
                       affected=outages_line(c, conn, problem), kind=KIND)


def _finals(c: FeatureContext) -> set[str]:
    return {m.outage.problem.stages[-1].name for m in c.mappings.by_name.values()
            if m.outage and m.outage.problem}


def _final(c: FeatureContext, row: Row[Any]) -> bool:
    return row.stage in _finals(c)
