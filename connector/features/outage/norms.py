"""A norm for every stage (EMIAS: «многоуровневый SLA — нормативный срок на каждый статус
объекта»). The outage feature knows each outage's and problem's stage and since when it is in
it, so a stage's norm (`norm:` on the stage in the mapping) is timed from there, on its
calendar or the wall clock — whatever the helpdesk can show of the stage (a GitLab label, a
Mantis status shared with ordinary requests, nothing at all in Znuny). At the norm a note on
the ticket and a reminder in the room; at twice it a note, the stage's label if it has one,
the head of support named in the room and told by letter. Each once per stay in the stage;
run as a job, several processes at once fire once (the same outbox keys)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME, RULE
from connector.features.outage.models import NORM_AT, Stage, TimelineKind, norm_hours
from connector.features.sla.calendars import CalendarError
from connector.logs import every_so_often
from connector.mappings import Mapping
from connector.timestamps import from_epoch
from connector.wording import duration_parts, local_time, ticket_label
from connector.work import enqueue_actions

log = logging.getLogger(__name__)

EVERY_SECONDS = 60.0
# the timeline entry each threshold leaves
KINDS: dict[int, TimelineKind] = {100: "norm", 200: "norm_twice"}


def remind_norms(c: FeatureContext) -> list[str]:
    """Fire every stage norm's threshold due by now; returns no inbox sources."""
    with c.engine.begin() as conn:
        for kind in ("outage", "problem"):
            finals = {s.name for m in c.mappings.by_name.values() if m.outage
                      for s in m.outage.of(kind).stages if not s.next}
            for row in store.still_open(conn, finals, kind):
                try:
                    _remind(c, conn, row)
                except CalendarError as exc:  # boundary: one bad calendar stops no other
                    every_so_often(log, f"stage norm of {row.ticket}: {exc}")
    return []


def _remind(c: FeatureContext, conn: Connection, row: Row[Any]) -> None:
    mapping = c.mappings.by_name.get(row.mapping)
    rules = mapping.outage if mapping else None
    if mapping is None or rules is None or (row.kind == "problem" and rules.problem is None):
        return
    stage = next((s for s in rules.of(row.kind).stages if s.name == row.stage), None)
    service = c.mappings.catalog.services.get(row.service)
    hours = norm_hours(c.config.sla.targets, mapping.name, row.kind, stage,
                       service.criticality if service else "normal") if stage else None
    if stage is None or stage.norm is None or hours is None or store.room_failed(conn, row.id):
        return
    since, now, target = float(row.stage_since), c.clock.now(), hours * 3600
    calendar = c.mappings.calendars[stage.norm.calendar] if stage.norm.calendar else None
    spent = calendar.working_seconds(since, now) if calendar else max(0.0, now - since)
    fired = {e.get("percent") for e in store.timeline(conn, row.id)
             if e["kind"] in KINDS.values() and e.get("stage") == stage.name
             and e.get("since") == since}
    for at in NORM_AT:
        if at in fired or spent < target * at / 100:
            continue
        due = calendar.add_working(since, target * at / 100) if calendar else \
            since + target * at / 100
        actions = _actions(c, conn, mapping, row, stage, at, target, due)
        if enqueue_actions(c, conn, f"outage|{row.ticket}|norm|{stage.name}|{since}|{at}",
                           actions):
            store.record(conn, row.id, KINDS[at], "", stage=stage.name, since=since,
                         percent=at)
            log.info("%s %s: stage %s at %s%% of its norm", row.kind, row.ticket, stage.name, at)


def _actions(c: FeatureContext, conn: Connection, mapping: Mapping, row: Row[Any],
             stage: Stage, at: int, target: float, due: float) -> list[Action]:
    """The note, the reminder in the room and — at twice the norm — the label and the head
    of support named and written to. The texts are the SLA clocks' own (sla_note…), so a
    stage's norm reads like any other norm; they hold no "now": every process words them
    alike and the outbox keeps one."""
    ref, norm = TicketRef.parse(row.ticket), stage.norm
    assert norm is not None
    values = {"title": c.render(f"{row.kind}_norm_title", mapping.name, stage=stage.title),
              "percent": at,
              "target": c.render("duration", mapping.name, **duration_parts(target)),
              "elapsed": c.render("duration", mapping.name,
                                  **duration_parts(target * at / 100)),
              "due": local_time(from_epoch(due), mapping.timezone),
              "ticket": ticket_label(ref), "late": "", "url": store.ticket_url(conn, row.id)}
    catalog = c.mappings.catalog
    head = catalog.people.get(catalog.head_of_support or "") if at >= 200 else None
    note = "sla_note" if norm.calendar else "sla_note_wall"
    who = c.render("sla_room_head", mapping.name, name=head.name) if head else ""
    room = c.render("sla_room", mapping.name, who=who, **values).rstrip()
    actions = [Action("add_note", ref.tracker, ref,
                      {"body": c.render(note, mapping.name, **values)}, RULE),
               Action("post_in_room", "chat", ref, {"channel": HOME, "text": room}, RULE)]
    if at >= 200 and norm.label:
        actions.append(Action("update_labels", ref.tracker, ref,
                              {"add": [norm.label], "remove": []}, RULE))
    if head is not None and head.email:
        actions.append(Action("send_mail", "mail", ref, {
            "to": [head.email], "body": room,
            "subject": c.render("sla_head_subject", mapping.name, **values)}, RULE))
    return actions
