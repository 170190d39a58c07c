"""Outages, problems and requests written into a store as the connector records them live —
through the outage and reports features' own store functions, each entry stamped by the
engine's FakeClock set to its moment — so the reports and the dashboard read a history
without driving every outage through the chats."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from connector.clock import FakeClock
from connector.context import FeatureContext
from connector.events import TicketEvent, TicketRef
from connector.features.outage import store
from connector.features.reports import requests
from connector.timestamps import from_epoch

MINUTE = 60.0


def at(text: str, zone: str = "Europe/Minsk") -> float:
    """`05.03.2026 11:00` in the zone, as Unix seconds."""
    return datetime.strptime(text, "%d.%m.%Y %H:%M").replace(tzinfo=ZoneInfo(zone)).timestamp()


@dataclass(frozen=True)
class Down:
    """An outage: down from `start` (stated), restored at `end` (None: still down), declared
    `declared_after` minutes after it started; Belarus stages on the way."""

    ticket: str
    service: str
    start: float
    end: float | None
    declared_after: float = 10
    diagnosed_after: float = 15  # minutes from the declaration to «Диагностика» left
    mapping: str = "belarus-ehr"


@dataclass(frozen=True)
class Problem:
    ticket: str
    service: str
    declared: float
    outages: tuple[str, ...]
    stage: str = "analysis"
    mapping: str = "belarus-ehr"


Step = tuple[float, Callable[[Connection], None]]


def record(c: FeatureContext, clock: FakeClock, downs: Iterable[Down],
           problems: Iterable[Problem] = (), requests_at: Iterable[tuple[int, float, str]] = (),
           then: float | None = None) -> None:
    """Write the history in one transaction, each entry at its own moment (in order of time),
    then set the clock to `then`."""
    steps: list[Step] = []
    ids: dict[str, int] = {}
    for d in downs:
        steps += _outage(d, ids)
    for p in problems:
        steps += _problem(p, ids)
    for iid, created, priority in requests_at:
        event = TicketEvent(TicketRef("gitlab", "1", str(iid)), "ticket", "open", "l1-user",
                            labels=(priority,), created_at=from_epoch(created))
        steps.append((created, lambda conn, e=event: requests.on_ticket(c, conn, e)))
    with c.engine.begin() as conn:
        for moment, step in sorted(steps, key=lambda s: s[0]):
            clock.set(max(moment, clock.now()))
            step(conn)
    if then is not None:
        clock.set(then)


def _outage(d: Down, ids: dict[str, int]) -> list[Step]:
    declared = d.start + d.declared_after * MINUTE
    diagnosing = declared + MINUTE
    fixing = diagnosing + d.diagnosed_after * MINUTE

    def declare(conn: Connection) -> None:
        found = store.declare(conn, d.ticket, d.mapping, d.service, "registered")
        assert found is not None, f"{d.ticket} declared twice"
        ids[d.ticket] = found
        store.record(conn, found, "declared", "l1-user", service=d.service, stage="registered",
                     title=f"Сбой {d.service}", url="", reference="")
        store.record(conn, found, "start", "l1-user", start=d.start, source="stated")

    def stage(name: str, before: str) -> Callable[[Connection], None]:
        def move(conn: Connection) -> None:
            store.move(conn, ids[d.ticket], before, name)
            store.record(conn, ids[d.ticket], "stage", "Дежурный инженер", stage=name,
                         previous=before)
        return move

    steps: list[Step] = [(declared, declare), (diagnosing, stage("diagnosing", "registered"))]
    if d.end is None or d.end > fixing:
        steps.append((fixing, stage("fixing", "diagnosing")))
    if d.end is not None:
        before = "fixing" if d.end > fixing else "diagnosing"
        steps.append((max(d.end, diagnosing), stage("restored", before)))
    return steps


def _problem(p: Problem, ids: dict[str, int]) -> list[Step]:
    def declare(conn: Connection) -> None:
        found = store.declare(conn, p.ticket, p.mapping, p.service, "registered", "problem")
        assert found is not None
        store.record(conn, found, "declared", "head", service=p.service, stage="registered",
                     title="Проблема", url="", reference="")
        for ticket in p.outages:
            store.record(conn, found, "outage", "head", ticket=ticket, reference="")
        if p.stage != "registered":
            store.move(conn, found, "registered", p.stage)
            store.record(conn, found, "stage", "head", stage=p.stage, previous="registered")
    return [(p.declared, declare)]
