"""Related services' answers (EMIAS: the owners of services that depend on the failing one are
asked in the room at once): «работает» or «затронут» by a button under the question the
connector asked, by that service's responsible or duty people; on the timeline and the ticket."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, ChatButton, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME, RULE, is_over
from connector.features.outage.presses import pressed_outage, thanks
from connector.features.outage.roles import presser, roles_of
from connector.store import threads
from connector.store.db import reading


def refusal(c: FeatureContext, ev: ChatButton) -> str | None:
    found = _related(c, ev)
    if isinstance(found, str):
        return found
    row, other = found
    with reading(c.engine) as conn:
        room = store.room_of(conn, row.ticket, ev.chat, HOME)
        posted = threads.posted_button(conn, ev.chat, ev.channel_id, ev.message_id, ev.data)
    if room is None or room.channel_id != ev.channel_id:
        return "not in this outage's room"
    if is_over(c, row):
        return "the outage is over"
    if not posted:
        return "not a question the connector asked in this room"
    person = presser(c.mappings.catalog, ev)
    if person is None or not roles_of(c.mappings.catalog, other, person[0]) & {
            "responsible", "duty"}:
        return f"only the people of {other} answer for it"
    return None


def press(c: FeatureContext, conn: Connection, ev: ChatButton) -> list[Action]:
    """The answer goes to the timeline and to the ticket; the presser is thanked."""
    found = _related(c, ev)
    if isinstance(found, str):
        return []
    row, other = found
    ref, mapping = TicketRef.parse(row.ticket), c.mappings.by_name[row.mapping]
    person = presser(c.mappings.catalog, ev)
    who = person[1].name if person else ev.user_name
    store.record(conn, row.id, "related", who, service=other,
                 answer="healthy" if ev.action == "ok" else "affected")
    answer = c.render("outage_related_ok" if ev.action == "ok" else "outage_related_hit",
                      mapping.name)
    text = c.render("outage_related_answer", mapping.name, who=who, answer=answer,
                    related=c.mappings.catalog.services[other].title)
    return [Action("add_note", ref.tracker, ref, {"body": text}, RULE),
            Action("post_in_room", "chat", ref, {"channel": HOME, "text": text}, RULE),
            *thanks(c, ev, ref)]


def _related(c: FeatureContext, ev: ChatButton) -> tuple[Row[Any], str] | str:
    """The outage and the related service an answer is about."""
    found = pressed_outage(c, ev, 2)
    if isinstance(found, str):
        return found
    row, [index] = found
    related = c.mappings.catalog.services[row.service].related
    if index >= len(related):
        return "no such related service"
    return row, related[index]
