"""Baseline for the backlog drain: the least a durable worker does to turn each stored event
into one note on the tracker, until no event is pending."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import time

import requests

USAGE = """
    python -m bench.baseline_notes --store sqlite:///FILE --table T --gitlab URL --token T

Per event, each step durable on its own (SQLite WAL, synchronous=FULL), as the connector's
inbox → outbox spine: one transaction claims the oldest pending event (a lease and the
worker's name, as the connector's claim does); its payload is parsed; a second transaction
writes the note as an action row and marks the event done; the note is POSTed to the tracker
(GitLab's REST API, one keep-alive requests.Session); a third transaction settles the action.
No rules, no templates, no retries: what is left when the connector's work is taken away.
"""

LEASE = 120.0
NOTE = ("Задача #{iid} закрыта без согласования с руководителем службы технической поддержки "
        "(п. 4.1 регламента: задача закрывается «по согласованию с руководителем»). Закрытие — "
        "@{who}.\n@c, подтвердите закрытие комментарием в задаче или откройте её снова.")


def create_tables(db: sqlite3.Connection, table: str) -> None:
    """The event queue (filled by the caller) and the action table this worker writes."""
    db.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, payload TEXT "
               "NOT NULL, status VARCHAR(16) NOT NULL DEFAULT 'pending', claimed_by "
               "VARCHAR(64), lease_until REAL, processed_at REAL)")
    db.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_claim ON {table} (status, id)")
    db.execute(f"CREATE TABLE IF NOT EXISTS {table}_actions (id INTEGER PRIMARY KEY, "
               "event_id INTEGER NOT NULL UNIQUE, project INTEGER NOT NULL, iid INTEGER NOT NULL, "
               "body TEXT NOT NULL, status VARCHAR(16) NOT NULL, done_at REAL)")


def drain(path: str, table: str, gitlab: str, token: str, worker: str) -> int:
    """Drain the queue, one event at a time; events done."""
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    create_tables(db, table)
    session = requests.Session()
    session.headers["PRIVATE-TOKEN"] = token
    claim = (f"UPDATE {table} SET claimed_by = ?, lease_until = ? WHERE id IN (SELECT id FROM "
             f"{table} WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < ?) "
             "ORDER BY id LIMIT 1) RETURNING id, payload")
    done = 0
    while True:
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        row = db.execute(claim, (worker, now + LEASE, now)).fetchone()
        db.execute("COMMIT")
        if row is None:
            return done
        event_id, payload = int(row[0]), json.loads(row[1])
        project, iid = payload["project"]["id"], payload["object_attributes"]["iid"]
        note = NOTE.format(iid=iid, who=payload["user"]["username"])
        db.execute("BEGIN IMMEDIATE")
        action = db.execute(
            f"INSERT INTO {table}_actions (event_id, project, iid, body, status) "
            "VALUES (?, ?, ?, ?, 'pending') RETURNING id", (event_id, project, iid, note)
        ).fetchone()[0]
        db.execute(f"UPDATE {table} SET status = 'done', processed_at = ?, lease_until = NULL "
                   "WHERE id = ? AND claimed_by = ?", (time.time(), event_id, worker))
        db.execute("COMMIT")
        answer = session.post(f"{gitlab}/api/v4/projects/{project}/issues/{iid}/notes",
                              json={"body": note}, timeout=30)
        answer.raise_for_status()
        db.execute("BEGIN IMMEDIATE")
        db.execute(f"UPDATE {table}_actions SET status = 'done', done_at = ? WHERE id = ?",
                   (time.time(), action))
        db.execute("COMMIT")
        done += 1


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.baseline_notes", description=USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", required=True, help="sqlite:///FILE")
    p.add_argument("--table", required=True)
    p.add_argument("--gitlab", required=True, help="base URL of the (stand-in) GitLab")
    p.add_argument("--token", required=True)
    opts = p.parse_args()
    done = drain(opts.store.removeprefix("sqlite:///"), opts.table, opts.gitlab, opts.token,
                 f"baseline-{os.getpid()}")
    print(f"baseline notes worker: {done} events done", flush=True)


if __name__ == "__main__":
    main()
