"""Restored → conclusion (Belarus §4.3.4; EMIAS: "after fixed"): the responsible people fill in
cause, measures taken, follow-up tasks and affected users, and confirm or correct when the
downtime began and ended (pre-filled from the timeline) — a modal in Slack, one question a
message in Telegram — and which service was at fault (fault.py). The conclusion is written to
the ticket and the room once, and the outage report (and, when the service at fault is under a
state contract, the contractor's ticket) is created from it (reports.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.outage import downtime, fault, store, store_forms
from connector.features.outage.downtime import Span
from connector.features.outage.flows import HOME, RULE
from connector.features.outage.reports import report_actions
from connector.features.outage.roomforms import RoomForm
from connector.features.outage.timeline import source_text
from connector.mappings import Mapping
from connector.timestamps import from_epoch
from connector.wording import duration_parts, local_time, no_mentions

NAME = "conclusion"
FIELDS = ("cause", "measures", "tasks", "affected")
MAY_CONCLUDE = {"responsible", "duty", "head"}


def asks_conclusion(c: FeatureContext, row: Row[Any]) -> bool:
    """Whether the outage stands in a stage that offers the conclusion."""
    rules = c.mappings.by_name[row.mapping].outage
    return row.kind == "outage" and rules is not None and rules.stage(row.stage).conclusion


def concluded(conn: Connection, outage_id: int) -> bool:
    return any(e["kind"] == "conclusion" for e in store.timeline(conn, outage_id))


def computed(c: FeatureContext, conn: Connection, row: Row[Any]) -> Span:
    """The downtime as the timeline gives it."""
    rules = c.mappings.by_name[row.mapping].outage
    assert rules is not None
    return downtime.span(conn, row, rules, c.clock.now())


def _initial(c: FeatureContext, conn: Connection, row: Row[Any]) -> dict[str, str]:
    zone, found = c.mappings.by_name[row.mapping].timezone, computed(c, conn, row)
    return {"start": downtime.shown(found.start, zone), "end": downtime.shown(found.end, zone),
            fault.FIELD: fault.initial(c, row)}


def _open_in(c: FeatureContext, conn: Connection, row: Row[Any]) -> bool:
    return asks_conclusion(c, row) and not concluded(conn, row.id)


def conclude(c: FeatureContext, conn: Connection, row: Row[Any], values: dict[str, str],
             who: str) -> list[Action]:
    """Once: the conclusion on the timeline, the ticket and in the room, then the report."""
    if not values.get("cause", "").strip() or concluded(conn, row.id) \
            or not store_forms.claim_once(conn, row.id, NAME):
        return []
    mapping = c.mappings.by_name[row.mapping]
    ref = TicketRef.parse(row.ticket)
    found = computed(c, conn, row)
    span, refused = downtime.corrected(found, values.get("start", ""), values.get("end", ""),
                                       c.clock.now(), mapping.timezone)
    clean = {f: no_mentions(values.get(f, "").strip())[:3000] for f in FIELDS}
    at_fault, fault_refused = fault.resolved(c, row, values.get(fault.FIELD, ""))
    store.record(conn, row.id, "conclusion", who, downtime=span.minutes * 60, fault=at_fault,
                 **clean)
    store.record(conn, row.id, "downtime", who, start=span.start, source=span.start_source,
                 end=span.end, end_source=span.end_source, minutes=span.minutes)
    none = c.render("outage_fact_unknown", mapping.name)
    said = span_values(c, mapping, span)
    text = c.render("outage_conclusion", mapping.name, who=who,
                    service=c.mappings.catalog.services[row.service].title,
                    **said, **{f: clean[f] or none for f in FIELDS})
    not_taken = [c.render(f"outage_correction_refused_{which}", mapping.name, who=who,
                          given=no_mentions(values.get(which, "").strip()[:40]),
                          kept=said[which]) for which in refused]
    if fault_refused:
        not_taken.append(c.render("outage_fault_refused", mapping.name, who=who,
                                  given=no_mentions(values.get(fault.FIELD, "").strip()[:80]),
                                  kept=c.mappings.catalog.services[at_fault].title))
    return [Action("add_note", ref.tracker, ref, {"body": text}, RULE),
            Action("post_in_room", "chat", ref, {"channel": HOME, "text": text}, RULE),
            *(Action("post_in_room", "chat", ref, {"channel": HOME, "text": line}, RULE)
              for line in not_taken),
            *report_actions(c, conn, row, mapping, clean, said, who, at_fault)]


def span_values(c: FeatureContext, mapping: Mapping, span: Span) -> dict[str, str]:
    """The downtime and its ends as the conclusion and the report say them."""
    zone = mapping.timezone
    return {"downtime": duration(c, mapping, span.minutes * 60),
            "start": local_time(from_epoch(span.start), zone),
            "start_source": source_text(c, mapping, span.start_source),
            "end": local_time(from_epoch(span.end), zone),
            "end_source": source_text(c, mapping, span.end_source)}


def duration(c: FeatureContext, mapping: Mapping, seconds: float) -> str:
    return c.render("outage_duration", mapping.name, **duration_parts(seconds))


FORM = RoomForm(NAME, (*FIELDS, fault.FIELD, "start", "end"), "outage_form_title",
                "outage_form_submit", conclude,
                optional=frozenset({"tasks", "affected", fault.FIELD}),
                single_line=frozenset({"affected", fault.FIELD, "start", "end"}),
                open_in=_open_in, initial=_initial, label_values=fault.label_values)
