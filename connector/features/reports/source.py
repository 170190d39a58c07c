"""What the figures are made of, read from the store: outages with their timelines (live and
imported alike), problems, SLA clocks and requests — streamed in chunks, never the whole
history at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from connector.context import FeatureContext
from connector.features.outage.models import OutageRules
from connector.features.outage.spans import span_of
from connector.features.reports.figures import START_SOURCES, Outage
from connector.features.reports.flow import ClockFacts, RequestFacts
from connector.features.reports.period import Period
from connector.store.schema import outage_timeline, outages, requests, sla_clocks

CHUNK = 500  # outages whose timelines are read in one query
HISTORY = "~"  # the SLA history row of a ticket (not a clock)


@dataclass(frozen=True)
class Scope:
    """What a report is about: a service, a regulation, or everything."""

    service: str | None = None
    regulation: str | None = None


def outage_facts(c: FeatureContext, conn: Connection, period: Period, scope: Scope,
                 now: float, kind: str = "outage") -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """(row, timeline) of each outage (or problem) declared before the period's end, in
    scope."""
    query = select(outages).where(outages.c.kind == kind, outages.c.declared_at < period.end)
    if scope.service:
        query = query.where(outages.c.service == scope.service)
    if scope.regulation:
        query = query.where(outages.c.mapping == scope.regulation)
    rows = list(conn.execute(query.order_by(outages.c.id)))
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i:i + CHUNK]
        events: dict[int, list[dict[str, Any]]] = {r.id: [] for r in chunk}
        for e in conn.execute(select(outage_timeline).where(
                outage_timeline.c.outage_id.in_(list(events))).order_by(
                outage_timeline.c.outage_id, outage_timeline.c.id)):
            events[e.outage_id].append({"at": e.at, "kind": e.kind, "who": e.who,
                                        **json.loads(e.detail)})
        for row in chunk:
            yield row, events[row.id]


def read_outages(c: FeatureContext, conn: Connection, period: Period, scope: Scope,
                 now: float) -> list[Outage]:
    """The outages in scope as the figures need them (those of regulations no longer in the
    mappings left out: their stages cannot be read)."""
    found = []
    for row, events in outage_facts(c, conn, period, scope, now):
        mapping = c.mappings.by_name.get(row.mapping)
        if mapping is None or mapping.outage is None:
            continue
        found.append(outage_of(row, events, mapping.outage, now))
    return found


def outage_of(row: Any, events: list[dict[str, Any]], rules: OutageRules, now: float) -> Outage:
    span, ended = span_of(events, rules, float(row.declared_at), now)
    first = next((str(e.get("stage")) for e in events if e["kind"] == "declared"
                  and e.get("stage")), rules.stages[0].name)
    stays = [(first, float(row.declared_at))] + [
        (str(e["stage"]), float(e["at"])) for e in events
        if e["kind"] == "stage" and e.get("stage")]
    room = next((float(e["at"]) for e in events if e["kind"] == "room"), None)
    return Outage(ticket=row.ticket, mapping=row.mapping, service=row.service,
                  start=span.start, start_source=START_SOURCES.get(span.start_source, "ticket"),
                  end=span.end if ended else None, declared_at=float(row.declared_at),
                  room_at=room, stages=tuple(stays),
                  final=frozenset(s.name for s in rules.stages if s.closing or not s.next),
                  imported=getattr(row, "origin", "live") == "imported")


def clocks(conn: Connection, period: Period, scope: Scope) -> Iterator[ClockFacts]:
    """The SLA clocks that started in the period, with their ticket's priority."""
    query = select(sla_clocks.c.ticket, sla_clocks.c.policy, sla_clocks.c.state,
                   sla_clocks.c.level, sla_clocks.c.clock, requests.c.priority).outerjoin(
        requests, requests.c.ticket == sla_clocks.c.ticket).where(
        sla_clocks.c.policy != HISTORY, sla_clocks.c.state.not_in(("idle", "history")))
    if scope.regulation:
        query = query.where(sla_clocks.c.mapping == scope.regulation)
    for row in conn.execution_options(yield_per=CHUNK).execute(query):
        started = float(json.loads(row.clock).get("started_at") or 0)
        if period.start <= started < period.end:
            yield ClockFacts(row.policy, row.ticket.split(":", 1)[0], row.priority or "",
                             row.state, int(row.level or 0))


def request_facts(conn: Connection, period: Period, scope: Scope) -> Iterator[RequestFacts]:
    query = select(requests.c.tracker, requests.c.priority, requests.c.created_at,
                   requests.c.feedback).where(requests.c.created_at >= period.start,
                                              requests.c.created_at < period.end)
    if scope.regulation:
        query = query.where(requests.c.mapping == scope.regulation)
    for row in conn.execution_options(yield_per=CHUNK).execute(query):
        yield RequestFacts(row.tracker, row.priority or "", float(row.created_at),
                           bool(row.feedback))
