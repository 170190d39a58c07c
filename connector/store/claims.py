"""Atomic claims shared by inbox and outbox: leases, per-key order, SKIP LOCKED."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_, select, update
from sqlalchemy.engine import Connection, Row


def claim(
    conn: Connection,
    table: Table,
    *,
    worker: str,
    now: float,
    lease_seconds: float,
    limit: int,
    ready: ColumnElement[bool],
) -> list[Row[Any]]:
    """Lease up to `limit` pending rows in id order, skipping rows other workers hold.

    A row is claimable when it is pending, `ready`, not leased (or its lease ran out), and no
    earlier pending row shares its ordering key — so work for one ticket or thread keeps its
    order even across several processes. On PostgreSQL `FOR UPDATE SKIP LOCKED` keeps claimers
    from waiting on each other; SQLite serialises writers with BEGIN IMMEDIATE instead.
    """
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
    candidates = (
        select(table.c.id)
        .where(
            and_(
                table.c.status == "pending",
                ready,
                or_(table.c.lease_until.is_(None), table.c.lease_until < now),
                ~earlier_pending,
            )
        )
        .order_by(table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(table)
        .where(table.c.id.in_(candidates.scalar_subquery()))
        .values(lease_until=now + lease_seconds, claimed_by=worker, attempts=table.c.attempts + 1)
        .returning(*table.c)
    )
    rows = list(conn.execute(stmt))
    rows.sort(key=lambda r: r.id)
    return rows
