"""Outages from before the connector ran (`outages import`): each ticket's own history in the
tracker, read by its regulation's declaring rule and its stages' marks (a stage's label, status
or the issue's state), stored as imported with the timeline live handling writes — so a team
sees last year's reliability on its first day. It reads the trackers and never writes to them
(nothing goes to the outbox); an outage already stored, live or imported, is left as it is, so
a run can be repeated."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from connector.adapters import Snapshot
from connector.context import FeatureContext
from connector.events import TicketEvent, TicketRef
from connector.features.outage import store
from connector.features.outage.catalog import Catalog
from connector.features.outage.flows import service_of
from connector.features.outage.models import OutageRules, Stage
from connector.mappings import Mapping
from connector.rules.vocab import read_event
from connector.timestamps import from_epoch, to_epoch


class Move(NamedTuple):
    """A stage entered, when the tracker recorded its mark."""

    at: float
    stage: Stage


@dataclass(frozen=True)
class Found:
    """An outage as a ticket's history tells it."""

    ticket: TicketEvent  # as it is now: its title, link, reference and creation
    mapping: Mapping
    service: str
    moves: tuple[Move, ...]  # the first stage when it first met the declaring rule, then
    # each stage entered, in order
    closed_at: float | None  # when the ticket was first closed after that

    @property
    def declared_at(self) -> float:
        return self.moves[0].at

    @property
    def end(self) -> float | None:
        """When it ended: its first entry into a restored (conclusion) stage, else the close."""
        restored = next((m.at for m in self.moves if m.stage.conclusion), None)
        closing = next((m.at for m in self.moves if m.stage.closing), None)
        closes = [t for t in (closing, self.closed_at) if t is not None]
        return restored if restored is not None else min(closes, default=None)

    @property
    def stage(self) -> Move:
        """The stage it stands in at the end of the history, and since when."""
        return self.moves[-1]


@dataclass(frozen=True)
class Outcome:
    found: Found
    imported: bool  # False: stored before (live or imported), left as it was


def projects(c: FeatureContext, tracker: str | None = None) -> list[tuple[str, str, Mapping]]:
    """(tracker, project, regulation) of every configured project whose regulation declares
    outages — of one tracker, if named."""
    return [(kind, p.id, mapping) for kind, section in c.config.trackers.configured().items()
            if tracker in (None, kind) for p in section.projects
            if (mapping := c.mapping_for(TicketRef(kind, p.id, ""))) is not None
            and mapping.outage is not None]


def start_of(day: date, mapping: Mapping) -> float:
    """The moment `day` begins in the regulation's time zone."""
    return datetime.combine(day, time(), ZoneInfo(mapping.timezone)).timestamp()


def import_project(c: FeatureContext, tracker: str, project: str, mapping: Mapping,
                   day: date) -> Iterator[Outcome]:
    """The outages of a project open on `day` or later, each stored unless it was before.
    ActionError when the tracker cannot list its tickets or tell their history."""
    since = start_of(day, mapping)
    for ticket in c.tickets_since(tracker, project, from_epoch(since)):
        found = read(mapping, c.mappings.catalog, ticket, c.ticket_history(ticket.ref))
        if found is None or (found.end is not None and found.end < since):
            continue
        with c.engine.begin() as conn:
            imported = save(conn, found) is not None
        yield Outcome(found, imported)


def read(mapping: Mapping, catalog: Catalog, ticket: TicketEvent,
         history: list[Snapshot]) -> Found | None:
    """The outage a ticket's history shows, if it ever met the declaring rule — even if it
    no longer does (its labels changed later): declared at its first stage when it first met
    the rule, then a stage entered whenever the ticket shows another stage's marks."""
    rules, service = mapping.outage, ""
    moves: list[Move] = []
    closed_at: float | None = None
    for snapshot in history:
        seen, at = read_event(mapping, snapshot.event(ticket.ref)), to_epoch(snapshot.at)
        if rules is None or not (moves or rules.declare.holds(seen)):
            continue
        if not moves:
            service = service_of(rules, seen, catalog)
            moves.append(Move(at, rules.stages[0]))
        marked = marked_stage(rules, seen)
        if marked is not None and marked.name != moves[-1].stage.name:
            moves.append(Move(at, marked))
        if closed_at is None and seen.state == "closed":
            closed_at = at
    return Found(ticket, mapping, service, tuple(moves), closed_at) if moves else None


def marked_stage(rules: OutageRules, seen: TicketEvent) -> Stage | None:
    """The furthest stage whose every mark the ticket shows (its label, its status in the
    regulation's words, the issue's state); a stage without marks leaves none to read."""
    found = None
    for stage in rules.stages:
        marks = [(stage.label, stage.label in seen.labels),
                 (stage.status, seen.status == stage.status),
                 (stage.state, seen.state == stage.state)]
        if any(mark for mark, _ in marks) and all(held for mark, held in marks if mark):
            found = stage
    return found


def save(conn: Connection, found: Found) -> int | None:
    """The outage stored as imported, its timeline in the shape live handling writes, each
    entry marked imported; None when the ticket has an outage already (left as it is)."""
    ticket, (first, *moves) = found.ticket, found.moves
    outage_id = store.declare(conn, str(ticket.ref), found.mapping.name, found.service,
                              found.stage.stage.name, at=first.at,
                              stage_since=found.stage.at, origin="imported")
    if outage_id is None:
        return None
    created = {"created": to_epoch(ticket.created_at)} if ticket.created_at else {}
    store.record_at(conn, outage_id, first.at, "declared", "", service=found.service,
                 stage=first.stage.name, title=ticket.title, url=ticket.url,
                 reference=ticket.reference, imported=True, **created)
    previous = first.stage.name
    for move in moves:
        store.record_at(conn, outage_id, move.at, "stage", "", stage=move.stage.name,
                        previous=previous, imported=True)
        previous = move.stage.name
    return outage_id
