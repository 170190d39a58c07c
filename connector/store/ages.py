"""How long the oldest pending inbox event and outbox action of each lane have waited: what an
admin alerts on. Pending rows are found through the claim indexes, so a scrape costs as much
as the backlog, not the table."""

from __future__ import annotations

from sqlalchemy import Column, Table, func, select
from sqlalchemy.engine import Connection

from connector.store.schema import inbox, outbox, poll_marks


def _oldest_pending(conn: Connection, table: Table, lane: Column[str],
                    since: Column[float]) -> dict[str, float]:
    rows = conn.execute(select(lane, func.min(since)).where(table.c.status == "pending")
                        .group_by(lane))
    return {name: float(at) for name, at in rows}


def oldest_pending_events(conn: Connection) -> dict[str, float]:
    """Per inbox source: when its oldest pending event was received."""
    return _oldest_pending(conn, inbox, inbox.c.source, inbox.c.received_at)


def oldest_pending_actions(conn: Connection) -> dict[str, float]:
    """Per outbox target: when its oldest pending action was decided."""
    return _oldest_pending(conn, outbox, outbox.c.target, outbox.c.created_at)


def polled_at(conn: Connection, names: list[str]) -> dict[str, float]:
    """When each poll (`tracker:project`) last went through to its end."""
    if not names:
        return {}
    rows = conn.execute(select(poll_marks.c.name, poll_marks.c.updated_at)
                        .where(poll_marks.c.name.in_(names)))
    return {name: float(at) for name, at in rows}
