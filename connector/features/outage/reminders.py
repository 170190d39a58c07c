"""Silence is a reminder: the people of a related service asked «работает / затронут» who have
not answered within the regulation's norm (`outage.related_answer_minutes`) are reminded in the
room, once, and the reminder goes on the timeline. Run as a job; several processes running it
at once remind once (the reminder's outbox key is the same)."""

from __future__ import annotations

from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME, RULE
from connector.work import enqueue_actions

EVERY_SECONDS = 60.0


def remind_silent(c: FeatureContext) -> list[str]:
    now, catalog = c.clock.now(), c.mappings.catalog
    finals = {m.outage.stages[-1].name for m in c.mappings.by_name.values() if m.outage}
    with c.engine.begin() as conn:
        for row in store.still_open(conn, finals):
            mapping = c.mappings.by_name.get(row.mapping)
            entry = catalog.services.get(row.service)
            if mapping is None or mapping.outage is None or entry is None:
                continue
            minutes = mapping.outage.related_answer_minutes
            if now - row.declared_at < minutes * 60 or store.room_failed(conn, row.id):
                continue
            seen = {e.get("service") for e in store.timeline(conn, row.id)
                    if e["kind"] in ("related", "related_reminder")}
            for other in entry.related:
                related = catalog.services.get(other)
                if other in seen or related is None:
                    continue
                owners = ", ".join(catalog.people[k].name for k in [*related.responsible,
                                                                    *related.duty])
                text = c.render("outage_related_remind", mapping.name, owners=owners,
                                related=related.title, minutes=f"{minutes:g}")
                action = Action("post_in_room", "chat", TicketRef.parse(row.ticket),
                                {"channel": HOME, "text": text}, RULE)
                if enqueue_actions(c, conn, f"outage|{row.ticket}|remind|{other}", [action]):
                    store.record(conn, row.id, "related_reminder", "", service=other)
    return []
