"""What an operator sees of the inbox and outbox and may do to one row (list, show, retry,
cancel): one implementation behind the command line and the /ops endpoints."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Column, Table, and_, or_, select, update
from sqlalchemy.engine import Connection

from connector.store import inbox as inbox_store
from connector.store import outbox as outbox_store
from connector.store.db import now
from connector.store.schema import inbox, outbox

Box = Literal["inbox", "outbox"]
BOXES: tuple[Box, ...] = ("inbox", "outbox")
TABLES: dict[str, Table] = {"inbox": inbox, "outbox": outbox}
NOUN = {"inbox": "event", "outbox": "action"}
STATUSES: dict[str, tuple[str, ...]] = {
    "inbox": ("pending", "done", "ignored", "failed", "cancelled"),
    "outbox": ("pending", "done", "dry_run", "failed", "cancelled"),
}
# An ignored event may be replayed too: its project was added to the config meanwhile.
RETRYABLE: dict[str, tuple[str, ...]] = {"inbox": inbox_store.REQUEUEABLE,
                                         "outbox": ("failed", "cancelled")}
CANCELLABLE = ("pending", "failed")
DEFAULT_LIMIT, MAX_LIMIT, MAX_TICKET = 50, 1000, 255

# What a list shows of a row, by the operator's name for it; `show` adds the _DETAILS.
_LISTED: dict[str, dict[str, Column[Any]]] = {
    "inbox": {"id": inbox.c.id, "status": inbox.c.status, "source": inbox.c.source,
              "event": inbox.c.event_name, "ticket": inbox.c.ordering_key,
              "attempts": inbox.c.attempts, "received_at": inbox.c.received_at,
              "processed_at": inbox.c.processed_at, "outcome": inbox.c.outcome},
    "outbox": {"id": outbox.c.id, "status": outbox.c.status, "target": outbox.c.target,
               "kind": outbox.c.kind, "ticket": outbox.c.ticket, "rule": outbox.c.reason,
               "attempts": outbox.c.attempts, "created_at": outbox.c.created_at,
               "next_attempt_at": outbox.c.next_attempt_at, "done_at": outbox.c.done_at,
               "last_error": outbox.c.last_error},
}
_DETAILS: dict[str, dict[str, Column[Any]]] = {
    "inbox": {"dedup_key": inbox.c.dedup_key, "claimed_by": inbox.c.claimed_by,
              "lease_until": inbox.c.lease_until, "payload": inbox.c.payload},
    "outbox": {"idempotency_key": outbox.c.idempotency_key, "inbox_id": outbox.c.inbox_id,
               "claimed_by": outbox.c.claimed_by, "lease_until": outbox.c.lease_until,
               "params": outbox.c.params},
}
_TIMES = {"received_at", "processed_at", "created_at", "next_attempt_at", "done_at",
          "lease_until"}
_JSON_TEXT = {"payload", "params"}


class BadRequest(ValueError):
    """A parameter the operator got wrong; the message is one line naming the fix."""


@dataclass(frozen=True)
class Filter:
    """Which rows a list shows, newest first."""

    status: str | None = None
    ticket: str | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class Outcome:
    """What retry or cancel did to one row, in words for the operator."""

    done: bool
    message: str


def make_filter(box: str, status: str | None = None, ticket: str | None = None,
                limit: str | int | None = None) -> Filter:
    """A checked Filter from raw parameters (the command line's or a query string's)."""
    if status is not None and status not in STATUSES[box]:
        raise BadRequest(f"status must be one of {', '.join(STATUSES[box])}, not {status[:40]!r}")
    if ticket is not None and not 0 < len(ticket) <= MAX_TICKET:
        raise BadRequest(f"ticket must be 1 to {MAX_TICKET} characters, e.g. gitlab:1#23")
    if limit is None:
        return Filter(status, ticket)
    text = str(limit)
    if not (text.isascii() and text.isdigit() and len(text) <= 7
            and 1 <= int(text) <= MAX_LIMIT):
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}, "
                         f"not {text[:40]!r}")
    return Filter(status, ticket, int(text))


def parse_id(box: str, text: str) -> int:
    """A row id as the operator writes it: `7` or `outbox:7` (as `failed` lists it)."""
    prefix, _, number = text.rpartition(":")
    if prefix not in ("", box) or not (number.isascii() and number.isdigit()) \
            or len(number) > 18 or int(number) < 1:
        raise BadRequest(f"{text[:40]!r} is not an {box} id: write a number such as 7 "
                         f"(or {box}:7)")
    return int(number)


def list_rows(conn: Connection, box: str, which: Filter) -> list[dict[str, Any]]:
    """Rows matching the filter, newest first, as the operator sees them."""
    table, columns = TABLES[box], _LISTED[box]
    stmt = select(*(c.label(name) for name, c in columns.items()))
    if which.status is not None:
        stmt = stmt.where(table.c.status == which.status)
    if which.ticket is not None:
        stmt = stmt.where(columns["ticket"] == which.ticket)
    rows = conn.execute(stmt.order_by(table.c.id.desc()).limit(which.limit))
    return [_readable(dict(r._mapping)) for r in rows]


def show(conn: Connection, box: str, row_id: int) -> dict[str, Any] | None:
    """Everything about one row (its payload or parameters too), or None if there is none."""
    columns = {**_LISTED[box], **_DETAILS[box]}
    stmt = select(*(c.label(name) for name, c in columns.items())).where(
        TABLES[box].c.id == row_id)
    found = conn.execute(stmt).first()
    return None if found is None else _readable(dict(found._mapping))


def retry(conn: Connection, box: str, row_id: int) -> Outcome:
    """Put a failed or cancelled row (or an ignored event) back in line (an action is checked
    before it acts)."""
    requeue = inbox_store.requeue if box == "inbox" else outbox_store.requeue
    if requeue(conn, row_id):
        return Outcome(True, "back in line")
    return Outcome(False, _why_not(conn, box, row_id, RETRYABLE[box], "retried"))


def cancel(conn: Connection, box: str, row_id: int) -> Outcome:
    """Take a pending or failed row out of line for good; not one a worker holds right now."""
    table, t = TABLES[box], now(conn)
    finished = "processed_at" if box == "inbox" else "done_at"
    idle = or_(table.c.lease_until.is_(None), table.c.lease_until < t)
    stmt = (update(table)
            .where(table.c.id == row_id,
                   or_(table.c.status == "failed", and_(table.c.status == "pending", idle)))
            .values(status="cancelled", lease_until=None, claimed_by=None, **{finished: t}))
    if conn.execute(stmt).rowcount:
        return Outcome(True, "cancelled")
    return Outcome(False, _why_not(conn, box, row_id, CANCELLABLE, "cancelled"))


def _why_not(conn: Connection, box: str, row_id: int, allowed: tuple[str, ...],
             verb: str) -> str:
    table = TABLES[box]
    found = conn.execute(select(table.c.status, table.c.lease_until)
                         .where(table.c.id == row_id)).first()
    if found is None:
        return f"no such {NOUN[box]}"
    if found.status == "pending" and found.lease_until is not None \
            and found.lease_until >= now(conn) and "pending" in allowed:
        return "a worker is on it right now; try again in a moment"
    return f"it is {found.status}; only {either(allowed)} {NOUN[box]}s can be {verb}, left alone"


def either(words: tuple[str, ...]) -> str:
    """("a", "b", "c") → "a, b or c"."""
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    for name in _TIMES & row.keys():
        row[name] = iso(row[name])
    for name in _JSON_TEXT & row.keys():
        with contextlib.suppress(TypeError, ValueError):  # else shown as it was stored
            row[name] = json.loads(row[name])
    return row


def iso(seconds: float | None) -> str | None:
    """A stored time as ISO 8601 UTC, to the second."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
