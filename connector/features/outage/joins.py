"""Join requests to outage rooms (EMIAS's "verification bot"). In the outage supergroup (topic
mode) a person the catalog names as a responder of a service with an open outage is let in; in
a pool room, only the responders of the outage that room holds (a free pool room lets nobody
in). Anyone else is declined.

Each decision is written where the request was made, once. A pool room holds one outage: the
request (let in or not) goes on its timeline. The supergroup holds every outage's topic, so a
request to it is made to none of them: a person let in goes on the timelines of the outages
whose people they are, a stranger on none — a log line says who was declined where — and
leaves the forum again when those outages are over (admissions.py)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, ChatJoin, TicketRef
from connector.features.outage import store
from connector.features.outage.admissions import admit
from connector.features.outage.flows import HOME, RULE
from connector.store import pool

log = logging.getLogger(__name__)


def on_join(c: FeatureContext, conn: Connection, ev: ChatJoin) -> list[Action]:
    chat = c.config.chats.configured().get(ev.chat)
    if chat is None:
        return []
    finals = {kind: {m.outage.of(kind).stages[-1].name for m in c.mappings.by_name.values()
                     if m.outage} for kind in ("outage", "problem")}
    pooled = ev.channel_id in {str(i) for i in getattr(chat, "room_pool", [])}
    if pooled:
        open_ones = _held(conn, ev, finals)
    elif str(chat.channels.get(HOME, "")) == ev.channel_id:  # outages' and problems' topics
        open_ones = [*store.still_open(conn, finals["outage"]),
                     *store.still_open(conn, finals["problem"], "problem")]
    else:
        return []  # not an outage room: another feature's, or nobody's
    catalog = c.mappings.catalog
    found = catalog.keyed(ev.chat, ev.user_id)
    person = found[1] if found else None
    theirs = [o for o in open_ones if person is not None and o.service in catalog.services
              and person in catalog.responders(o.service)]
    approve = bool(theirs)
    for outage in open_ones if pooled else theirs:
        store.record(conn, outage.id, "join", person.name if approve and person else ev.user_name,
                     chat=ev.chat, user=ev.user_id, approved=approve)
    if approve and not pooled:  # the forum: they leave with these outages (admissions.py)
        admit(conn, ev.chat, ev.channel_id, ev.user_id, theirs)
    if not approve:
        log.info("join request to %s %s by user %s declined: not a responder of a service with "
                 "an open outage%s", ev.chat, ev.channel_id, ev.user_id,
                 " there" if pooled else "")
    return [Action("answer_join", ev.chat, TicketRef("outage", "joins", ev.channel_id), {
        "channel_id": ev.channel_id, "user_id": ev.user_id, "approve": approve}, RULE)]


def _held(conn: Connection, ev: ChatJoin, finals: dict[str, set[str]]) -> list[Row[Any]]:
    """The open outage (or problem) a pool room holds, if any."""
    ticket = pool.held_by(conn, ev.chat, ev.channel_id)
    row = store.by_ticket(conn, ticket) if ticket else None
    return [row] if row is not None and row.stage not in finals[row.kind] else []
