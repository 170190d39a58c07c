"""What the figures are made of, read from the store: outages with their timelines (live and
imported alike), problems, SLA clocks and requests — streamed in chunks, never the whole
history at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, case, cast, func, or_, select
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
# The timeline entries the figures read: the downtime's (spans.span_of), the stages and the
# room (outage_of), a problem's outages (report._problems); notes, steps, joins are not read.
READ = ("declared", "start", "stage", "downtime", "room", "outage")


@dataclass(frozen=True)
class Scope:
    """What a report is about: a service, a regulation, or everything."""

    service: str | None = None
    regulation: str | None = None


def outage_facts(c: FeatureContext, conn: Connection, period: Period, scope: Scope,
                 now: float, kind: str = "outage", since: float | None = None,
                 ) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """(row, timeline) of each outage (or problem) declared before the period's end, in
    scope; with `since`, only those that may touch a moment from it on (may_touch)."""
    query = select(outages).where(outages.c.kind == kind, outages.c.declared_at < period.end)
    if scope.service:
        query = query.where(outages.c.service == scope.service)
    if scope.regulation:
        query = query.where(outages.c.mapping == scope.regulation)
    if since is not None:
        query = query.where(may_touch(c, since))
    rows = list(conn.execute(query.order_by(outages.c.id)))
    t = outage_timeline
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i:i + CHUNK]
        events: dict[int, list[dict[str, Any]]] = {r.id: [] for r in chunk}
        entries = conn.execute(select(t.c.outage_id, t.c.at, t.c.kind, t.c.who, t.c.detail)
                               .where(t.c.outage_id.in_(list(events)), t.c.kind.in_(READ))
                               .order_by(t.c.outage_id, t.c.id)).all()
        details = json.loads(f"[{','.join(e.detail for e in entries)}]")  # one parse a chunk
        for (outage_id, at, entry, who, _), detail in zip(entries, details, strict=True):
            events[outage_id].append({"at": at, "kind": entry, "who": who, **detail})
        for row in chunk:
            yield row, events[row.id]


def may_touch(c: FeatureContext, since: float) -> ColumnElement[bool]:
    """Outages that may be down at a moment from `since` on: with an entry on their timeline
    from then, or never ended (no entry into a stage that ends them, no corrected downtime).
    An ended outage's end is never after its timeline's last entry (the end is an entry's
    moment, a correction is never ahead of when it was made), so the others ended before."""
    t, o = outage_timeline, outages.alias("ended")
    recent = select(t.c.outage_id).where(t.c.at >= since)
    ends: list[ColumnElement[bool]] = [t.c.kind == "downtime"]
    for mapping in c.mappings.by_name.values():
        if mapping.outage is not None:
            ends.append(and_(t.c.kind == "stage", o.c.mapping == mapping.name, or_(*(
                t.c.detail.like(f"%{_escaped(json.dumps({'stage': s}, ensure_ascii=False))}%",
                                escape="\\") for s in ending_stages(mapping.outage)))))
    ended = select(t.c.outage_id).join(o, o.c.id == t.c.outage_id).where(or_(*ends))
    return or_(outages.c.id.in_(recent), outages.c.id.not_in(ended))


def ending_stages(rules: OutageRules) -> list[str]:
    """The stages whose entry ends an outage (spans.restored_at)."""
    return [s.name for s in rules.stages if s.conclusion or s.closing or not s.next]


def _escaped(text: str) -> str:
    """`{"stage": "x"}` as the middle of a LIKE pattern: braces off, wildcards escaped."""
    inner = text[1:-1]
    return inner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def read_outages(c: FeatureContext, conn: Connection, period: Period, scope: Scope,
                 now: float, since: float | None = None) -> list[Outage]:
    """The outages in scope as the figures need them (those of regulations no longer in the
    mappings left out: their stages cannot be read); with `since`, only those that may touch
    a moment from it on."""
    found = []
    for row, events in outage_facts(c, conn, period, scope, now, since=since):
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
    """The SLA clocks that started in the period, counted by policy, tracker, priority (their
    request's), state and whether their 100 % fired — in the database, not row by row."""
    for policy, kind, priority, state, level, count in conn.execute(
            clock_query(conn, period, scope)):
        yield ClockFacts(policy, kind or "", priority or "", state, int(level), int(count))


def clock_query(conn: Connection, period: Period, scope: Scope) -> Select[Any]:
    """The clocks counted, grouped (read from ix_sla_clocks_counted alone)."""
    breached = case((sla_clocks.c.level >= 100, 100), else_=0)
    tracker = _before_colon(conn, sla_clocks.c.ticket)
    query = select(sla_clocks.c.policy, tracker, func.coalesce(requests.c.priority, ""),
                   sla_clocks.c.state, breached, func.count()).outerjoin(
        requests, requests.c.ticket == sla_clocks.c.ticket).where(
        sla_clocks.c.policy != HISTORY, sla_clocks.c.state.not_in(("idle", "history")),
        sla_clocks.c.started_at >= period.start, sla_clocks.c.started_at < period.end)
    if scope.regulation:
        query = query.where(sla_clocks.c.mapping == scope.regulation)
    return query.group_by(sla_clocks.c.policy, tracker, requests.c.priority,
                          sla_clocks.c.state, breached)


def request_facts(conn: Connection, period: Period, scope: Scope) -> Iterator[RequestFacts]:
    """The period's requests counted by day, tracker, priority and whether they waited — in
    the database when the zone keeps one offset through the period (else row by row)."""
    if not period.steady():
        for row in conn.execution_options(yield_per=CHUNK).execute(
                select(requests.c.tracker, requests.c.priority, requests.c.created_at,
                       requests.c.feedback).where(*_created_in(period, scope))):
            yield RequestFacts(row.tracker, row.priority or "", float(row.created_at),
                               bool(row.feedback))
        return
    for index, kind, priority, feedback, count in conn.execute(
            request_query(conn, period, scope)):
        yield RequestFacts(kind, priority or "", period.start + int(index) * 86400 + 1,
                           bool(feedback), int(count))


def request_query(conn: Connection, period: Period, scope: Scope) -> Select[Any]:
    """The requests counted by day (of a steady period), grouped (read from
    ix_requests_counted alone)."""
    day = _whole(conn, (requests.c.created_at - period.start) / 86400)
    waited = case((requests.c.feedback, 1), else_=0)
    return select(day, requests.c.tracker, requests.c.priority, waited, func.count()).where(
        *_created_in(period, scope)).group_by(day, requests.c.tracker, requests.c.priority,
                                              waited)


def _created_in(period: Period, scope: Scope) -> list[ColumnElement[bool]]:
    where = [requests.c.created_at >= period.start, requests.c.created_at < period.end]
    if scope.regulation:
        where.append(requests.c.mapping == scope.regulation)
    return where


def _before_colon(conn: Connection, column: Any) -> Any:
    """`gitlab` of `gitlab:1#23`, in the dialect's own words."""
    if conn.dialect.name == "postgresql":
        return func.split_part(column, ":", 1)
    return func.substr(column, 1, func.instr(column, ":") - 1)


def _whole(conn: Connection, value: Any) -> Any:
    """The whole part of a non-negative number (SQLite's CAST truncates; PostgreSQL's
    rounds, so it floors)."""
    if conn.dialect.name == "postgresql":
        return func.floor(value)
    return cast(value, Integer)
