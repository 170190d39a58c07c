"""SLA clock rows: read and written with the ticket's other state, claimed when due. A ticket's
history — its observations, shared by its policies — is a row of its own (policy HISTORY,
state `history`, never due): with the clocks it is read in one SELECT and written in one
upsert."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row

from connector.features.sla.clocks import Clock
from connector.features.sla.history import Ticket
from connector.features.sla.shared import HISTORY, Shared
from connector.store.claims import claim
from connector.store.db import now
from connector.store.schema import sla_clocks

NOT_CLOCKS = ("idle", "history")  # states of rows that are no clock: no show, no metrics


# on every ticket event's path: built once, the ticket goes as a parameter
_LOAD = select(sla_clocks.c.policy, sla_clocks.c.clock).where(
    sla_clocks.c.ticket == bindparam("ticket"))


def load(conn: Connection, ticket: str) -> Ticket:
    """A ticket's history and its policies' clocks, as stored."""
    loaded = Ticket()
    for row in conn.execute(_LOAD, {"ticket": ticket}):
        if row.policy == HISTORY:
            loaded.history = Shared.from_json(row.clock)
        else:
            loaded.clocks[row.policy] = Clock.from_json(row.clock)
    return loaded


def history_of(conn: Connection, ticket: str) -> Shared:
    """A ticket's history alone: what a clock's lateness and `sla show` read."""
    text = conn.execute(select(sla_clocks.c.clock).where(
        sla_clocks.c.ticket == ticket, sla_clocks.c.policy == HISTORY)).scalar()
    return Shared() if text is None else Shared.from_json(text)


def save_all(conn: Connection, ticket: str, mapping: str, history: Shared,
             clocks: list[tuple[str, Clock, float | None]]) -> None:
    """Write a ticket's history and its changed clocks (policy, clock, next due time — None:
    nothing left to fire while it stands) in one statement: every ticket event adds to the
    history, so this is on each event's path. A lease on a clock written ends: a tick firing
    it as it was must not settle over it (SettleLost)."""
    t = now(conn)
    rows = [{"ticket": ticket, "policy": policy, "ordering_key": f"{ticket}|{policy}"[:255],
             "attempts": 0, "clock": clock.to_json(), "state": clock.state,
             "level": max(clock.fired, default=0),
             "status": "pending" if due_at is not None else "done", "due_at": due_at,
             "updated_at": t, "mapping": mapping, "claimed_by": None, "lease_until": None,
             "started_at": clock.started_at}
            for policy, clock, due_at in clocks]
    rows.append({"ticket": ticket, "policy": HISTORY, "attempts": 0,
                 "ordering_key": f"{ticket}|{HISTORY}"[:255], "clock": history.to_json(),
                 "state": "history", "level": 0, "status": "done", "due_at": None,
                 "updated_at": t, "mapping": mapping, "claimed_by": None, "lease_until": None,
                 "started_at": None})
    conn.execute(_upsert(conn.dialect.name), rows)


CHANGED = ("clock", "state", "level", "status", "due_at", "updated_at", "mapping", "claimed_by",
           "lease_until", "started_at")  # what a save rewrites in a row that exists


@functools.lru_cache(maxsize=4)
def _upsert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(sla_clocks)
    return stmt.on_conflict_do_update(index_elements=["ticket", "policy"],
                                      set_={name: stmt.excluded[name] for name in CHANGED})


def claim_due(conn: Connection, worker: str, limit: int, lease_seconds: float) -> list[Row[Any]]:
    """Clocks with a threshold due by now, leased to `worker` (each goes to one process)."""
    return claim(conn, sla_clocks, worker=worker, now=now(conn), lease_seconds=lease_seconds,
                 limit=limit, due="due_at")


def settle(conn: Connection, row_id: int, worker: str, clock: Clock,
           due_at: float | None) -> bool:
    """After firing: the clock's new state and next due time; the lease ends."""
    stmt = (update(sla_clocks)
            .where(sla_clocks.c.id == row_id, sla_clocks.c.claimed_by == worker)
            .values(clock=clock.to_json(), state=clock.state, due_at=due_at,
                    level=max(clock.fired, default=0),
                    status="pending" if due_at is not None else "done", lease_until=None,
                    claimed_by=None, updated_at=now(conn)))
    return bool(conn.execute(stmt).rowcount)


def count_by_state(conn: Connection) -> dict[tuple[str, str, str], int]:
    """(policy, state, reached: none | warned | breached) → how many clocks, for /metrics;
    idle ones (seen, never started) and histories are no clocks."""
    reached = case((sla_clocks.c.level >= 100, "breached"), (sla_clocks.c.level > 0, "warned"),
                   else_="none")
    rows = conn.execute(select(sla_clocks.c.policy, sla_clocks.c.state, reached, func.count())
                        .where(sla_clocks.c.state.not_in(NOT_CLOCKS))
                        .group_by(sla_clocks.c.policy, sla_clocks.c.state, reached))
    return {(policy, state, level): int(n) for policy, state, level, n in rows}


def find(conn: Connection, tracker: str, ticket: str) -> list[Row[Any]]:
    """A ticket's started clocks (not idle ones, not its history), the ticket given as
    `gitlab:1#23`, `1#23` or `23`."""
    if ticket.startswith(f"{tracker}:"):
        where = sla_clocks.c.ticket == ticket
    elif "#" in ticket:
        where = sla_clocks.c.ticket == f"{tracker}:{ticket}"
    else:
        where = sla_clocks.c.ticket.like(f"{tracker}:%#{ticket}")
    clocks = sla_clocks.c.state.not_in(NOT_CLOCKS)
    return list(conn.execute(select(sla_clocks).where(where, clocks)
                             .order_by(sla_clocks.c.ticket, sla_clocks.c.policy)))
