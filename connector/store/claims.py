"""Atomic claims shared by inbox and outbox: leases, per-key order, SKIP LOCKED."""

from __future__ import annotations

import functools
import logging
from typing import Any

from sqlalchemy import Engine, Float, Integer, Table, Update, and_, bindparam, or_, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import SQLAlchemyError

from connector.store.schema import inbox, outbox

log = logging.getLogger(__name__)


def claim(
    conn: Connection,
    table: Table,
    *,
    worker: str,
    now: float,
    lease_seconds: float,
    limit: int,
    match: dict[str, Any] | None = None,
    due: str | None = None,
) -> list[Row[Any]]:
    """Lease up to `limit` pending rows in id order, skipping rows other workers hold.

    A row is claimable when it is pending, has the `match` column values, is `due` (that time
    column is at or before `now`), is not leased (or its lease ran out), and no earlier pending
    row shares its ordering key — so work for one ticket or thread keeps its order even across
    several processes. On PostgreSQL `FOR UPDATE SKIP LOCKED` keeps claimers from waiting on
    each other; SQLite serialises writers with BEGIN IMMEDIATE instead. The statement is built
    once per shape; the values go as parameters.
    """
    match = match or {}
    stmt = _claim_statement(table, tuple(sorted(match)), due)
    params = {f"m_{column}": value for column, value in match.items()}
    rows = list(conn.execute(stmt, {"now": now, "lease_until": now + lease_seconds,
                                    "worker": worker, "limit": limit, **params}))
    rows.sort(key=lambda r: r.id)
    return rows


@functools.lru_cache(maxsize=16)
def _claim_statement(table: Table, match: tuple[str, ...], due: str | None) -> Update:
    earlier = table.alias("earlier")
    earlier_pending = (
        select(earlier.c.id)
        .where(
            earlier.c.ordering_key == table.c.ordering_key,
            earlier.c.status == "pending",
            earlier.c.id < table.c.id,
        )
        .exists()
    )
    now = bindparam("now", type_=Float)
    conditions = [table.c.status == "pending",
                  or_(table.c.lease_until.is_(None), table.c.lease_until < now),
                  ~earlier_pending]
    conditions += [table.c[column] == bindparam(f"m_{column}") for column in match]
    if due is not None:
        conditions.append(table.c[due] <= now)
    candidates = (
        select(table.c.id)
        .where(and_(*conditions))
        .order_by(table.c.id)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )
    return (
        update(table)
        .where(table.c.id.in_(candidates.scalar_subquery()))
        .values(lease_until=bindparam("lease_until"), claimed_by=bindparam("worker"),
                attempts=table.c.attempts + 1)
        .returning(*table.c)
    )


def release_held(conn: Connection, table: Table, worker: str) -> int:
    """Give back every pending row `worker` holds (lease and claimer cleared), so another
    process claims it now rather than after the lease. Attempts stay counted: a row may have
    been half done, and a retry (attempt > 1) checks what landed before it acts."""
    stmt = (update(table)
            .where(table.c.claimed_by == worker, table.c.status == "pending",
                   table.c.lease_until.is_not(None))
            .values(lease_until=None, claimed_by=None))
    return int(conn.execute(stmt).rowcount)


def release_worker(engine: Engine, worker: str) -> int:
    """At a clean stop, every inbox and outbox claim of `worker` given back in one transaction.
    Best effort: with the store unreachable the claims are taken over when their lease ends."""
    try:
        with engine.begin() as conn:
            held = sum(release_held(conn, table, worker) for table in (inbox, outbox))
    except SQLAlchemyError as exc:
        log.warning("claims of %s not released (%s); other processes take them over when the "
                    "lease ends", worker, type(exc).__name__)
        return 0
    if held:
        log.info("released %d claim(s) of %s: other processes take them over now", held, worker)
    return held
