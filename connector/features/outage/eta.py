"""`/eta <when>` in an outage's room: the expected end («ориентировочный срок», Sevastopol
§2.7) set by the service's responsible, duty or the head of support — checked by role as the
status buttons are. It goes on the timeline, the ticket and the room, and the clients are told
the new expected end (clients.py)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.engine import Connection

from connector.context import FeatureContext
from connector.events import Action, ChatCommand, TicketRef
from connector.features.outage import clients, store
from connector.features.outage.downtime import written
from connector.features.outage.flows import HOME, RULE, is_over
from connector.features.outage.roles import presser_roles
from connector.features.outage.spans import PLAUSIBLE_DAYS, restored_at
from connector.timestamps import from_epoch
from connector.wording import local_time, no_mentions, ticket_label

MAY_SET = {"responsible", "duty", "head"}
_AHEAD = re.compile(r"^(?:до\s+)?(?:(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\s+)?(\d{1,2}):(\d{2})$",
                    re.IGNORECASE)


def parse_ahead(text: str, now: float, zone: str) -> float | None:
    """`18:00` (today in the team's zone, tomorrow if that has passed), `06.03 18:00`,
    `06.03.2026 18:00`, each optionally after «до»; None for anything else, a moment gone,
    or one more than PLAUSIBLE_DAYS ahead."""
    found = written(_AHEAD, text, now, zone)
    if found is None:
        return None
    moment, day, year = found
    if moment.timestamp() <= now and not day:
        moment += timedelta(days=1)  # «18:00» said at 19:00: tomorrow
    elif moment.timestamp() <= now and not year:
        moment = moment.replace(year=moment.year + 1)  # «02.01 10:00» said on 31 December
    ahead = moment.timestamp()
    return ahead if now < ahead <= now + PLAUSIBLE_DAYS * 86400 else None


def on_eta(c: FeatureContext, conn: Connection, ev: ChatCommand) -> list[Action]:
    row = store.by_room(conn, ev.chat, ev.channel_id, HOME, ev.thread_id)
    mapping = c.mappings.by_name.get(row.mapping) if row is not None else None
    if row is None or row.kind != "outage" or mapping is None or mapping.outage is None:
        return []  # not an outage room: nothing to set
    ref = TicketRef.parse(row.ticket)

    def say(template: str, **values: str) -> list[Action]:
        return [Action("post_in_room", "chat", ref, {"channel": HOME, "text": c.render(
            template, mapping.name, **values)}, RULE)]

    person = c.mappings.catalog.person(ev.chat, ev.user_id)
    if person is None or not presser_roles(c, row.service, ev.chat, ev.user_id) & MAY_SET:
        return say("outage_eta_not_allowed")
    if is_over(c, row) or restored_at(store.timeline(conn, row.id), mapping.outage) is not None:
        return say("outage_eta_over")
    moment = parse_ahead(ev.text, c.clock.now(), mapping.timezone)
    if moment is None:
        return say("outage_eta_usage", given=no_mentions(ev.text.strip()[:40]))
    etas = [e for e in store.timeline(conn, row.id) if e["kind"] == "eta"]
    if not etas or float(etas[-1]["end"]) != moment:  # the same end again is not a new one
        store.record(conn, row.id, "eta", person.name, end=moment, chat=ev.chat,
                     user=ev.user_id)
        clients.tell(c, conn, row, "eta")
    text = c.render("outage_eta_set", mapping.name, who=person.name,
                    eta=local_time(from_epoch(moment), mapping.timezone),
                    service=c.mappings.catalog.services[row.service].title,
                    ticket=ticket_label(ref), url=store.ticket_url(conn, row.id))
    return [Action("add_note", ref.tracker, ref, {"body": text}, RULE),
            Action("post_in_room", "chat", ref, {"channel": HOME, "text": text}, RULE)]
