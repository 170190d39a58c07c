"""The durable inbox: every received webhook or polled change, stored before the 200."""

from __future__ import annotations

import functools
import threading
import weakref
from typing import Any

from sqlalchemy import Engine, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row

from connector.store.claims import claim
from connector.store.db import insert_ignore, now, raw_write
from connector.store.groupcommit import GroupCommit
from connector.store.schema import inbox


def add_event(
    conn: Connection,
    *,
    source: str,
    dedup_key: str,
    event_name: str,
    ordering_key: str,
    payload: str,
) -> int | None:
    """Store an event; returns its id, or None when the dedup key was seen before."""
    values = {
        "source": source, "dedup_key": dedup_key[:255], "event_name": event_name,
        "ordering_key": ordering_key[:255], "payload": payload, "received_at": now(conn),
        "status": "pending", "attempts": 0,
    }
    result: int | None = insert_ignore(conn, inbox, values, returning=inbox.c.id)
    return result


def add_events(conn: Connection, source: str, events: list[tuple[str, str, str, str]]) -> int:
    """Store many events (dedup key, name, ordering key, payload) in the caller's transaction,
    in their order; returns how many were new (the others' dedup keys were seen before)."""
    if not events:
        return 0
    t = now(conn)
    rows = [{"source": source, "dedup_key": key[:255], "event_name": name,
             "ordering_key": order[:255], "payload": payload, "received_at": t,
             "status": "pending", "attempts": 0} for key, name, order, payload in events]
    stmt = _insert_many(conn.dialect.name)
    return len(conn.execute(stmt, rows).all())


@functools.lru_cache(maxsize=2)
def _insert_many(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(inbox).on_conflict_do_nothing().returning(inbox.c.id)


_COLUMNS = "source, dedup_key, event_name, ordering_key, payload, received_at, status, attempts"
_INSERT = {  # the same row as add_event writes, as driver SQL: built once, not per request
    "sqlite": f"INSERT INTO inbox ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0) "
              "ON CONFLICT DO NOTHING RETURNING id",
    "postgresql": f"INSERT INTO inbox ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, 'pending', 0) "
                  "ON CONFLICT DO NOTHING RETURNING id",
}


Received = tuple[str, list[tuple[str, str, str, str]]]  # source, its events
_COMMITTERS: weakref.WeakKeyDictionary[Engine, GroupCommit[Received, list[int | None]]] = \
    weakref.WeakKeyDictionary()
_COMMITTERS_LOCK = threading.Lock()


def store_received(engine: Engine, source: str,
                   events: list[tuple[str, str, str, str]]) -> list[int | None]:
    """The receivers' durable step: events (dedup key, name, ordering key, payload) committed
    before this returns, in one transaction with other requests' events that arrived
    meanwhile (group commit); the id of each, or None for one seen before."""
    committer = _COMMITTERS.get(engine)
    if committer is None:
        with _COMMITTERS_LOCK:
            committer = _COMMITTERS.setdefault(
                engine, GroupCommit(functools.partial(_insert_received, engine)))
    return committer.submit((source, events))


def _insert_received(engine: Engine, batch: list[Received]) -> list[list[int | None]]:
    sql, t, results = _INSERT[engine.dialect.name], now(engine), []
    with raw_write(engine) as cursor:
        for source, events in batch:
            ids: list[int | None] = []
            for key, name, order, payload in events:
                cursor.execute(sql, (source, key[:255], name, order[:255], payload, t))
                found = cursor.fetchone()
                ids.append(int(found[0]) if found else None)
            results.append(ids)
    return results


def claim_events(conn: Connection, worker: str, limit: int, lease_seconds: float,
                 source: str | None = None) -> list[Row[Any]]:
    """Lease pending events (from one source, if given), oldest first, one at a time per
    ticket."""
    return claim(conn, inbox, worker=worker, now=now(conn), lease_seconds=lease_seconds,
                 limit=limit, match=None if source is None else {"source": source})


def finish_event(conn: Connection, event_id: int, worker: str, status: str, outcome: str) -> bool:
    """Mark a claimed event processed; False if another worker took it over meanwhile."""
    stmt = (
        update(inbox)
        .where(inbox.c.id == event_id, inbox.c.claimed_by == worker, inbox.c.status == "pending")
        .values(status=status, outcome=outcome[:2000], processed_at=now(conn), lease_until=None)
    )
    return bool(conn.execute(stmt).rowcount)


_FINISH = (update(inbox)
           .where(inbox.c.id == bindparam("event_id"), inbox.c.claimed_by == bindparam("worker"),
                  inbox.c.status == "pending")
           .values(status=bindparam("new_status"), outcome=bindparam("new_outcome"),
                   processed_at=bindparam("at"), lease_until=None))


def finish_events(conn: Connection, worker: str, done: list[tuple[int, str, str]]) -> bool:
    """Mark many claimed events processed at once ((id, status, outcome) each); False if any
    was taken over by another worker meanwhile (then nothing should be kept)."""
    if not done:
        return True
    t = now(conn)
    result = conn.execute(_FINISH, [{"event_id": i, "worker": worker, "new_status": status,
                                     "new_outcome": outcome[:2000], "at": t}
                                    for i, status, outcome in done])
    return result.rowcount == len(done)


def count_by_status(conn: Connection) -> dict[str, int]:
    """How many events are in each status, for metrics and tests."""
    rows = conn.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status))
    return {status: n for status, n in rows}


def failed(conn: Connection, limit: int = 100) -> list[Row[Any]]:
    """Parked events, newest first: what an operator may look at and retry."""
    return list(conn.execute(
        select(inbox.c.id, inbox.c.source, inbox.c.event_name, inbox.c.ordering_key,
               inbox.c.processed_at, inbox.c.outcome)
        .where(inbox.c.status == "failed").order_by(inbox.c.id.desc()).limit(limit)))


# Ignored events too: an event of a project added to the config since is acted on.
REQUEUEABLE = ("failed", "cancelled", "ignored")


def requeue(conn: Connection, event_id: int) -> bool:
    """Put a failed, cancelled or ignored event back in line (after an operator fixed its
    cause)."""
    stmt = (update(inbox).where(inbox.c.id == event_id,
                                inbox.c.status.in_(REQUEUEABLE))
            .values(status="pending", attempts=0, lease_until=None, claimed_by=None))
    return bool(conn.execute(stmt).rowcount)
