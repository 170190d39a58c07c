"""Baseline worker: the least a durable queue worker does, until no row is pending."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from bench.baseline_app import libpq_url

USAGE = """
    python -m bench.baseline_worker --store URL --table T [--batch 100]

Per batch: one transaction claims up to `--batch` pending rows in id order (UPDATE … RETURNING:
a lease and the worker's name, as the connector's claim does; SKIP LOCKED on PostgreSQL), each
payload is parsed as JSON, and a second transaction marks the batch done. Rows claimed this way
stay `pending` until done, so "no pending row" means "all done", as in the connector's inbox.
"""

LEASE = 120.0


def _claim_sql(table: str, placeholder: str, skip_locked: bool) -> str:
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""
    p = placeholder
    return (f"UPDATE {table} SET claimed_by = {p}, lease_until = {p} WHERE id IN ("
            f"SELECT id FROM {table} WHERE status = 'pending' AND (lease_until IS NULL OR "
            f"lease_until < {p}) ORDER BY id LIMIT {p}{lock}) RETURNING id, payload")


def run_sqlite(path: str, table: str, batch: int, worker: str) -> int:
    """Drain a SQLite table (WAL, synchronous=FULL); rows done."""
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    claim = _claim_sql(table, "?", skip_locked=False)
    done = 0
    while True:
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        rows = db.execute(claim, (worker, now + LEASE, now, batch)).fetchall()
        db.execute("COMMIT")
        if not rows:
            return done
        ids = _process(rows)
        marks = ",".join("?" * len(ids))
        db.execute("BEGIN IMMEDIATE")
        db.execute(f"UPDATE {table} SET status = 'done', processed_at = ?, lease_until = NULL "
                   f"WHERE claimed_by = ? AND id IN ({marks})", (time.time(), worker, *ids))
        db.execute("COMMIT")
        done += len(ids)


def run_postgres(url: str, table: str, batch: int, worker: str) -> int:
    """Drain a PostgreSQL table; rows done."""
    import psycopg

    claim = _claim_sql(table, "%s", skip_locked=True)
    done = 0
    with psycopg.connect(libpq_url(url)) as db:
        while True:
            now = time.time()
            with db.transaction():
                rows = db.execute(claim, (worker, now + LEASE, now, batch)).fetchall()
            if not rows:
                return done
            ids = _process(rows)
            with db.transaction():
                db.execute(f"UPDATE {table} SET status = 'done', processed_at = %s, "
                           "lease_until = NULL WHERE claimed_by = %s AND id = ANY(%s)",
                           (time.time(), worker, ids))
            done += len(ids)


def _process(rows: Sequence[Any]) -> list[int]:
    """The minimal work on a claimed row: parse its payload."""
    for row in rows:
        json.loads(row[1])
    return [int(row[0]) for row in rows]


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.baseline_worker", description=USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", required=True, help="sqlite:///FILE or postgresql URL")
    p.add_argument("--table", required=True, help="table name (PostgreSQL: schema.table)")
    p.add_argument("--batch", type=int, default=100)
    opts = p.parse_args()
    worker = f"baseline-{os.getpid()}"
    if opts.store.startswith("postgresql"):
        done = run_postgres(opts.store, opts.table, opts.batch, worker)
    else:
        done = run_sqlite(opts.store.removeprefix("sqlite:///"), opts.table, opts.batch, worker)
    print(f"baseline worker: {done} rows done", flush=True)


if __name__ == "__main__":
    main()
