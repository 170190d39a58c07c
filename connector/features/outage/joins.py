"""Join requests to the outage supergroup (EMIAS's "verification bot"): a person the catalog
names as a responder of a service with an open outage is let in, anyone else is declined, and
each decision goes on those outages' timelines."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from connector.core import Connector
from connector.events import Action, ChatJoin, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME, RULE


def on_join(c: Connector, conn: Connection, ev: ChatJoin) -> list[Action]:
    chat = c.config.chats.configured().get(ev.chat)
    if chat is None or str(chat.channels.get(HOME, "")) != ev.channel_id:
        return []  # not the outage supergroup: another feature's, or nobody's
    catalog = c.mappings.catalog
    finals = {m.outage.stages[-1].name for m in c.mappings.by_name.values() if m.outage}
    open_ones = store.still_open(conn, finals)
    person = next((p for sid in {o.service for o in open_ones} if sid in catalog.services
                   for p in catalog.responders(sid)
                   if p.telegram is not None and str(p.telegram) == ev.user_id), None)
    approve = person is not None
    for outage in open_ones:
        store.record(conn, outage.id, "join", person.name if person else ev.user_name,
                     chat=ev.chat, user=ev.user_id, approved=approve)
    return [Action("answer_join", ev.chat, TicketRef("outage", "joins", ev.channel_id), {
        "channel_id": ev.channel_id, "user_id": ev.user_id, "approve": approve}, RULE)]
