"""`/progress <text>` in an outage's room: what was done goes on the timeline, on the ticket
as a note and into the room, signed with the catalog's name for the writer."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from connector.core import Connector
from connector.events import Action, ChatCommand, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME, RULE
from connector.wording import no_mentions


def on_progress(c: Connector, conn: Connection, ev: ChatCommand) -> list[Action]:
    row = store.by_room(conn, ev.chat, ev.channel_id, HOME)
    text = ev.text.strip()
    if row is None or not text:
        return []  # not an outage room, or nothing said: nothing to record
    catalog = c.mappings.catalog
    person = next((p for p in catalog.people.values()
                   if (ev.chat == "slack" and p.slack == ev.user_id)
                   or (ev.chat == "telegram" and str(p.telegram) == ev.user_id)), None)
    who = person.name if person else no_mentions(ev.user_name)
    store.record(conn, row.id, "progress", who, text=text, chat=ev.chat, user=ev.user_id)
    ref, mapping = TicketRef.parse(row.ticket), c.mappings.by_name.get(row.mapping)
    line = c.render("outage_progress", mapping.name if mapping else None, who=who,
                    text=no_mentions(text))
    return [Action("add_note", ref.tracker, ref, {"body": line}, RULE),
            Action("post_in_room", "chat", ref, {"channel": HOME, "text": line}, RULE)]
