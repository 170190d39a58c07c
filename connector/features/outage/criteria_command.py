"""`/criteria <недоступные функции> | <потеря данных> | <доля клиентов> | <с какого времени>` in
an outage's room: the service's responders (who may declare it) give or correct Belarus §1.1's
criteria — a part left empty keeps what was said — for a path that could not know them (labels,
the alerts button). On the timeline, the ticket, the room and the status message."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from connector.context import FeatureContext
from connector.events import Action, ChatCommand, TicketRef
from connector.features.outage import store
from connector.features.outage.criteria import FACTS, criteria_line, current
from connector.features.outage.flows import HOME, RULE, is_over
from connector.features.outage.status import status_actions
from connector.wording import no_mentions


def on_criteria(c: FeatureContext, conn: Connection, ev: ChatCommand) -> list[Action]:
    row = store.by_room(conn, ev.chat, ev.channel_id, HOME, ev.thread_id)
    mapping = c.mappings.by_name.get(row.mapping) if row is not None else None
    if row is None or row.kind != "outage" or mapping is None or mapping.outage is None \
            or row.service not in c.mappings.catalog.services:
        return []  # not an outage room
    ref = TicketRef.parse(row.ticket)

    def say(text: str) -> list[Action]:
        return [Action("post_in_room", "chat", ref, {"channel": HOME, "text": text}, RULE)]

    person = c.mappings.catalog.person(ev.chat, ev.user_id)
    if person is None or person not in c.mappings.catalog.responders(row.service):
        return say(c.render("outage_criteria_not_allowed", mapping.name))
    parts = [no_mentions(p).strip()[:500] for p in ev.text.split("|")]
    given = {k: v for k, v in zip(FACTS, parts, strict=False) if v}
    if not given or len(parts) > len(FACTS) or is_over(c, row):
        return say(c.render("outage_criteria_usage", mapping.name))
    store.record(conn, row.id, "criteria", person.name, **given)
    line = criteria_line(c, mapping.name, current(store.timeline(conn, row.id)))
    text = c.render("outage_criteria_set", mapping.name, who=person.name, criteria=line)
    stage = mapping.outage.stage(row.stage)
    return [Action("add_note", ref.tracker, ref, {"body": text}, RULE), *say(text),
            *status_actions(c, conn, row, stage, row.stage_since)]
