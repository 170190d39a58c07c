"""The room's pinned status message, redrawn: the stage since when, its checklist with what is
ticked, the affected users (an outage) or the outages (a problem), and the buttons."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.outage import store
from connector.features.outage.checklist import done
from connector.features.outage.criteria import criteria_line, current
from connector.features.outage.flows import HOME, RULE, affected_line, buttons, status_text
from connector.features.outage.models import Stage
from connector.mappings import Mapping
from connector.wording import ticket_label


def status_actions(c: FeatureContext, conn: Connection, row: Row[Any], stage: Stage,
                   since: float) -> list[Action]:
    """The pinned status redrawn: `stage` since `since`, its ticked steps, its buttons."""
    mapping, ref = c.mappings.by_name[row.mapping], TicketRef.parse(row.ticket)
    ticked = done(conn, row.id, stage.name)
    return [Action("update_room", "chat", ref, {
        "channel": HOME,
        "status": status_text(c, mapping, ref, row.service, stage, since,
                              affected=_extra(c, mapping, conn, row), kind=row.kind,
                              done=ticked, criteria=criteria_line(c, mapping.name, current(
                                  store.timeline(conn, row.id)))),
        "buttons": buttons(c, mapping, row.id, stage, row.kind, ticked)}, RULE)]


def _extra(c: FeatureContext, mapping: Mapping, conn: Connection, row: Row[Any]) -> str:
    """The status message's extra line: affected users (an outage), its outages (a problem)."""
    if row.kind == "problem":
        return outages_line(c, conn, row)
    return affected_line(c, mapping, conn, row.id)


def outages_line(c: FeatureContext, conn: Connection, problem: Row[Any]) -> str:
    """«Связанные сбои: #23, #25» for the problem's status message."""
    outages = [TicketRef.parse(e["ticket"]) for e in store.timeline(conn, problem.id)
               if e["kind"] == "outage"]
    return c.render("problem_outages", problem.mapping, outages=", ".join(
        ticket_label(o) for o in outages) or "—")
