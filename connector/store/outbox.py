"""The durable outbox: actions with idempotency keys, attempts, backoff and last error."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from connector.events import Action, TicketRef
from connector.store.claims import claim
from connector.store.db import insert_ignore, now
from connector.store.schema import outbox


@dataclass(frozen=True)
class OutboxItem:
    """A claimed action, as adapters receive it."""

    id: int
    idempotency_key: str
    action: Action
    attempt: int  # 1 on the first try; >1 means an earlier try may have taken effect
    created_at: float


def enqueue(conn: Connection, action: Action, idempotency_key: str,
            inbox_id: int | None = None) -> bool:
    """Add an action unless its key exists; True if it was added."""
    return bool(insert_ignore(conn, outbox, row(action, idempotency_key, now(conn), inbox_id)))


def enqueue_at(conn: Connection, action: Action, idempotency_key: str, due: float) -> bool:
    """Add an action due at `due` (not before: a chat's rate), unless its key exists."""
    return bool(insert_ignore(conn, outbox, {**row(action, idempotency_key, now(conn)),
                                             "next_attempt_at": due}))


def replace_pending(conn: Connection, idempotency_key: str, params: dict[str, Any]) -> bool:
    """Give a waiting action new parameters (the latest state wins); False if it is done,
    failed or being performed right now — then a new action must follow it."""
    t = now(conn)
    return bool(conn.execute(update(outbox).where(
        outbox.c.idempotency_key == idempotency_key[:255], outbox.c.status == "pending",
        (outbox.c.lease_until.is_(None)) | (outbox.c.lease_until < t)).values(
        params=json.dumps(params, ensure_ascii=False))).rowcount)


def waiting(conn: Connection, idempotency_key: ScalarSelect[Any]) -> bool:
    """Whether the action whose key `idempotency_key` selects is pending and nobody performs
    it now (replace_pending would take it): one query however the key is kept."""
    t = now(conn)
    return conn.execute(select(outbox.c.id).where(
        outbox.c.idempotency_key == idempotency_key, outbox.c.status == "pending",
        (outbox.c.lease_until.is_(None)) | (outbox.c.lease_until < t))).first() is not None


def enqueue_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Add many actions (see `row`) in one statement; keys seen before are skipped."""
    if rows:
        conn.execute(_insert_many(conn.dialect.name), rows)


def row(action: Action, idempotency_key: str, t: float,
        inbox_id: int | None = None) -> dict[str, Any]:
    """An action as an outbox row, created (and due) at `t`."""
    return {
        "idempotency_key": idempotency_key[:255], "inbox_id": inbox_id, "target": action.target,
        "ticket": str(action.ticket), "ordering_key": ordering_key(action),
        "kind": action.kind, "params": json.dumps(action.params, ensure_ascii=False),
        "reason": action.reason[:64], "status": "pending", "attempts": 0,
        "next_attempt_at": t, "created_at": t,
    }


def ordering_key(action: Action) -> str:
    """Actions with one key go out in order, one at a time: a ticket's on a target, in the
    action's lane if it has one."""
    return "|".join([action.target, str(action.ticket), *([action.lane] if action.lane
                                                          else [])])[:255]


@functools.lru_cache(maxsize=2)
def _insert_many(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(outbox).on_conflict_do_nothing()


def claim_actions(conn: Connection, worker: str, limit: int, lease_seconds: float,
                  target: str | None = None) -> list[OutboxItem]:
    """Lease due actions (of one target, if given), oldest first, one at a time per ticket and
    target."""
    rows = claim(conn, outbox, worker=worker, now=now(conn), lease_seconds=lease_seconds,
                 limit=limit, match=None if target is None else {"target": target},
                 due="next_attempt_at")
    return [
        OutboxItem(
            id=r.id, idempotency_key=r.idempotency_key, attempt=r.attempts, created_at=r.created_at,
            action=Action(r.kind, r.target, TicketRef.parse(r.ticket), json.loads(r.params),
                          r.reason),
        )
        for r in rows
    ]


def _settle(conn: Connection, item_id: int, worker: str, **values: Any) -> bool:
    stmt = _settle_statement(tuple(sorted(values)))
    params = {"item_id": item_id, "worker": worker, **{f"v_{k}": v for k, v in values.items()}}
    return bool(conn.execute(stmt, params).rowcount)


@functools.lru_cache(maxsize=8)
def _settle_statement(columns: tuple[str, ...]) -> Any:
    """UPDATE of a claimed action's `columns`, built once per set of columns."""
    return (update(outbox)
            .where(outbox.c.id == bindparam("item_id"),
                   outbox.c.claimed_by == bindparam("worker"), outbox.c.status == "pending")
            .values(lease_until=None, **{k: bindparam(f"v_{k}") for k in columns}))


def release(conn: Connection, item_ids: list[int], worker: str) -> None:
    """Give back claimed actions not tried (their target went down): not an attempt."""
    conn.execute(update(outbox).where(outbox.c.id.in_(item_ids), outbox.c.claimed_by == worker,
                                      outbox.c.status == "pending")
                 .values(lease_until=None, attempts=outbox.c.attempts - 1))


def mark_done(conn: Connection, item_id: int, worker: str, status: str = "done") -> bool:
    """Record success (or `dry_run` when nothing was written)."""
    return _settle(conn, item_id, worker, status=status, done_at=now(conn), last_error=None)


def schedule_retry(conn: Connection, item_id: int, worker: str, delay: float, error: str) -> bool:
    """Put the action back for a later attempt."""
    return _settle(conn, item_id, worker, next_attempt_at=now(conn) + delay,
                   last_error=error[:2000])


def mark_failed(conn: Connection, item_id: int, worker: str, error: str) -> bool:
    """Give up on the action; it stays visible with its reason."""
    return _settle(conn, item_id, worker, status="failed", done_at=now(conn),
                   last_error=error[:2000])


def cancel_pending(conn: Connection, ticket: str, target: str, kinds: tuple[str, ...],
                   reason: str) -> int:
    """Cancel a ticket's pending actions of these kinds on one target (they cannot succeed:
    e.g. posts into a room that will never open); returns how many."""
    return int(conn.execute(update(outbox).where(
        outbox.c.ticket == ticket, outbox.c.target == target, outbox.c.kind.in_(kinds),
        outbox.c.status == "pending").values(status="cancelled", last_error=reason[:2000],
                                             lease_until=None, claimed_by=None,
                                             done_at=now(conn))).rowcount)


def count_by_status(conn: Connection) -> dict[str, int]:
    """How many actions are in each status, for metrics and tests."""
    rows = conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
    return {status: n for status, n in rows}


def failed(conn: Connection, limit: int = 100) -> list[Any]:
    """Actions given up on, newest first, with their reason."""
    return list(conn.execute(
        select(outbox.c.id, outbox.c.target, outbox.c.kind, outbox.c.ticket, outbox.c.done_at,
               outbox.c.last_error)
        .where(outbox.c.status == "failed").order_by(outbox.c.id.desc()).limit(limit)))


def requeue(conn: Connection, item_id: int) -> bool:
    """Try a failed (or cancelled) action again from its first attempt (it is still checked
    before it acts)."""
    stmt = (update(outbox).where(outbox.c.id == item_id,
                                 outbox.c.status.in_(("failed", "cancelled")))
            .values(status="pending", attempts=1, lease_until=None, claimed_by=None,
                    next_attempt_at=now(conn), done_at=None))
    return bool(conn.execute(stmt).rowcount)
