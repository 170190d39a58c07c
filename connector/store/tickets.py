"""Per-ticket rule state and reconciliation watermarks."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from connector.events import TicketRef
from connector.rules.state import TicketState
from connector.store.db import insert_ignore, now
from connector.store.schema import poll_marks, tickets


def read_states(conn: Connection, refs: list[TicketRef]) -> dict[TicketRef, TicketState]:
    """The states of many tickets in one query (tickets never seen are missing)."""
    wanted = {str(ref): ref for ref in refs}
    if not wanted:
        return {}
    rows = conn.execute(select(tickets.c.ref, tickets.c.state)
                        .where(tickets.c.ref.in_(list(wanted))))
    return {wanted[ref]: TicketState.from_json(text) for ref, text in rows}


def save_states(conn: Connection, states: list[tuple[TicketRef, TicketState]]) -> None:
    """Persist many states in one statement, creating rows as needed."""
    if not states:
        return
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(tickets)
    stmt = stmt.on_conflict_do_update(index_elements=[tickets.c.ref], set_={
        "state": stmt.excluded.state, "updated_at": stmt.excluded.updated_at})
    t = now(conn)
    conn.execute(stmt, [{"ref": str(ref), "state": state.to_json(), "updated_at": t}
                        for ref, state in states])


def read_state(conn: Connection, ref: TicketRef) -> TicketState | None:
    """A ticket's state without locking, or None if the connector never saw it."""
    text = conn.execute(select(tickets.c.state).where(tickets.c.ref == str(ref))).scalar()
    return TicketState.from_json(text) if text is not None else None


def save_state(conn: Connection, ref: TicketRef, state: TicketState) -> None:
    """Persist the state decided by the rules (creating the ticket's row the first time)."""
    values = {"state": state.to_json(), "updated_at": now(conn)}
    if not conn.execute(update(tickets).where(tickets.c.ref == str(ref)).values(**values)
                        ).rowcount:
        insert_ignore(conn, tickets, {"ref": str(ref), **values})


def get_watermark(conn: Connection, name: str) -> str | None:
    """The newest `updated_at` a poll of this project has handled."""
    return conn.execute(select(poll_marks.c.watermark).where(poll_marks.c.name == name)).scalar()


def set_watermark(conn: Connection, name: str, watermark: str) -> None:
    """Advance a poll watermark."""
    if not insert_ignore(conn, poll_marks, {"name": name, "watermark": watermark,
                                             "updated_at": now(conn)}):
        conn.execute(update(poll_marks).where(poll_marks.c.name == name)
                     .values(watermark=watermark, updated_at=now(conn)))
