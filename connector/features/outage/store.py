"""Outage rows and their timelines."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from connector.features.outage.models import TimelineKind
from connector.store.db import insert_ignore, now
from connector.store.schema import outage_timeline, outages, threads


def declare(conn: Connection, ticket: str, mapping: str, service: str,
            stage: str, kind: str = "outage", *, at: float | None = None,
            stage_since: float | None = None, origin: str = "live") -> int | None:
    """A new outage (or problem) for `ticket`; None when it was declared before (a ticket
    declares once). One read from history (origin `imported`) brings its own times."""
    t = now(conn)
    declared = t if at is None else at
    new_id: int | None = insert_ignore(conn, outages, {
        "ticket": ticket, "mapping": mapping, "service": service, "stage": stage,
        "declared_at": declared, "stage_since": declared if stage_since is None else stage_since,
        "updated_at": t, "kind": kind, "origin": origin})
    return new_id


def by_room(conn: Connection, chat: str, channel_id: str, home: str,
            thread_id: str | None = None) -> Row[Any] | None:
    """The outage that holds this room (in `chat`: this channel, or this topic of it) now, or
    None. A pool room serves one outage after another, and an archived channel or closed
    topic serves nobody: only an open room counts, the newest if two are (a pool room is
    released a moment before the outage that held it is marked closed)."""
    return conn.execute(select(outages).join(threads, threads.c.ticket == outages.c.ticket)
                        .where(threads.c.chat == chat, threads.c.channel == home,
                               threads.c.channel_id == channel_id,
                               threads.c.thread_id == (thread_id or ""),
                               threads.c.state == "open")
                        .order_by(threads.c.id.desc())).first()


def room_of(conn: Connection, ticket: str, chat: str, home: str) -> Row[Any] | None:
    """The outage's own room in `chat` while it is open (None once archived, closed or given
    back to the pool): where its buttons and forms may be used."""
    room = conn.execute(select(threads).where(
        threads.c.ticket == ticket, threads.c.chat == chat, threads.c.channel == home)).first()
    return room if room is not None and room.state == "open" else None


def by_ticket(conn: Connection, ticket: str) -> Row[Any] | None:
    return conn.execute(select(outages).where(outages.c.ticket == ticket)).first()


def room_failed(conn: Connection, outage_id: int) -> bool:
    """Whether opening the room failed for good (posts into it never can succeed)."""
    return conn.execute(select(outage_timeline.c.id).where(
        outage_timeline.c.outage_id == outage_id,
        outage_timeline.c.kind == "room_failed")).first() is not None


def get(conn: Connection, outage_id: int) -> Row[Any] | None:
    return conn.execute(select(outages).where(outages.c.id == outage_id)).first()


def still_open(conn: Connection, final_stages: set[str], kind: str = "outage") -> list[Row[Any]]:
    """Outages (or problems) handled live and not yet in a final stage (one imported from
    history has no room, nobody to remind, no join to answer)."""
    return list(conn.execute(select(outages).where(outages.c.stage.not_in(final_stages),
                                                   outages.c.kind == kind,
                                                   outages.c.origin == "live")))


def open_for_service(conn: Connection, final_stages: set[str], service: str) -> list[Row[Any]]:
    """A catalog service's outages handled live and not yet over (alerts for it go to their
    rooms)."""
    return list(conn.execute(select(outages).where(
        outages.c.service == service, outages.c.stage.not_in(final_stages),
        outages.c.kind == "outage", outages.c.origin == "live").order_by(outages.c.id)))


def move(conn: Connection, outage_id: int, from_stage: str, to_stage: str) -> bool:
    """Move the outage on, only from the stage the press saw (a second press does nothing)."""
    t = now(conn)
    stmt = (update(outages).where(outages.c.id == outage_id, outages.c.stage == from_stage)
            .values(stage=to_stage, stage_since=t, updated_at=t))
    return bool(conn.execute(stmt).rowcount)


def record(conn: Connection, outage_id: int, kind: TimelineKind, who: str,
           **detail: Any) -> None:
    record_at(conn, outage_id, now(conn), kind, who, **detail)


def record_at(conn: Connection, outage_id: int, at: float, kind: TimelineKind, who: str,
              **detail: Any) -> None:
    """An entry on the timeline at `at`: one read from the tracker's history keeps its time."""
    conn.execute(outage_timeline.insert().values(
        outage_id=outage_id, at=at, kind=kind, who=who,
        detail=json.dumps(detail, ensure_ascii=False)))


def reference(conn: Connection, outage_id: int) -> str:
    """How other projects name the outage's ticket (`group/project#7`), if the tracker said."""
    return _declared(conn, outage_id, "reference")


def ticket_url(conn: Connection, outage_id: int) -> str:
    """The outage ticket's web address as declared (a chat message about it links it)."""
    return _declared(conn, outage_id, "url")


def _declared(conn: Connection, outage_id: int, key: str) -> str:
    found = conn.execute(select(outage_timeline.c.detail).where(
        outage_timeline.c.outage_id == outage_id, outage_timeline.c.kind == "declared")
        .order_by(outage_timeline.c.id)).scalar()
    return str(json.loads(found).get(key) or "") if found else ""


def timeline(conn: Connection, outage_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(outage_timeline).where(outage_timeline.c.outage_id == outage_id)
                        .order_by(outage_timeline.c.id))
    return [{"at": r.at, "kind": r.kind, "who": r.who, **json.loads(r.detail)} for r in rows]
