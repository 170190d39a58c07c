"""Baseline receiver: bare Flask, one durable INSERT per request, served like the connector."""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, jsonify, request

USAGE = """
    python -m bench.baseline_app --port P --store URL --table T --settings JSON

POST /webhooks/gitlab parses the JSON body and commits it as one row (its own transaction);
POST /webhooks/alerts commits the body unparsed (bench.alerts_storm):
SQLite in WAL mode with synchronous=FULL, or PostgreSQL. GET /healthz answers 200. gunicorn
gets the settings `helpdesk-connector run` gives it (see `connector_settings`), bind aside.
"""

def create_app(store: str, table: str) -> Flask:
    """The bare app; the table is created if missing."""
    insert = _pg_inserter(store, table) if store.startswith("postgresql") else \
        _sqlite_inserter(store.removeprefix("sqlite:///"), table)
    app = Flask("baseline")

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    @app.post("/webhooks/gitlab")
    def receive() -> Any:
        request.get_json(force=True)  # parsed, as the connector parses it; 400 if malformed
        insert(request.get_data(as_text=True))
        return jsonify(status="accepted")

    @app.post("/webhooks/alerts")
    def receive_alerts() -> Any:  # unparsed, as the connector stores a large alerts body
        insert(request.get_data(as_text=True))
        return jsonify(status="accepted")

    return app


def _sqlite_inserter(path: str, table: str) -> Callable[[str], None]:
    local = threading.local()
    writer = threading.Lock()  # one writer at a time in the process, no busy-handler sleeps

    def conn() -> sqlite3.Connection:
        c: sqlite3.Connection | None = getattr(local, "conn", None)
        if c is None:
            c = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=FULL")
            local.conn = c
        return c

    conn().execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, "
                   "payload TEXT NOT NULL, received_at REAL NOT NULL)")

    def insert(text: str) -> None:
        c = conn()
        with writer:  # autocommit: the INSERT is one transaction, committed (fsync) on return
            c.execute(f"INSERT INTO {table} (payload, received_at) VALUES (?, ?)",
                      (text, time.time()))

    return insert


def _pg_inserter(url: str, table: str) -> Callable[[str], None]:
    import psycopg

    dsn = libpq_url(url)
    local = threading.local()

    def conn() -> Any:
        c = getattr(local, "conn", None)
        if c is None or c.closed:
            c = local.conn = psycopg.connect(dsn, autocommit=True)
        return c

    conn().execute(f"CREATE TABLE IF NOT EXISTS {table} (id BIGSERIAL PRIMARY KEY, "
                   "payload TEXT NOT NULL, received_at DOUBLE PRECISION NOT NULL)")

    def insert(text: str) -> None:  # autocommit: one statement, one transaction
        conn().execute(f"INSERT INTO {table} (payload, received_at) VALUES (%s, %s)",
                       (text, time.time()))

    return insert


def libpq_url(url: str) -> str:
    """postgresql+psycopg://… (SQLAlchemy) → postgresql://… (libpq)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def connector_settings(threads: int) -> tuple[dict[str, Any], str]:
    """gunicorn settings `helpdesk-connector run` gives its receivers (bind and hooks aside),
    and their source."""
    from webhooks.serve import settings  # the connector's modules only where it is compared

    plain = {k: v for k, v in settings("127.0.0.1", 1, threads).items()
             if k != "bind" and not callable(v)}
    return plain, "read from webhooks.serve"


def serve(host: str, port: int, store: str, table: str, settings: dict[str, Any]) -> None:
    """Run gunicorn in this process with `settings` and the bare app."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc,unused-ignore]
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)
            self.cfg.set("bind", f"{host}:{port}")

        def load(self) -> Any:
            return create_app(store, table)

    Server().run()


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.baseline_app", description=USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--store", required=True, help="sqlite:///FILE or postgresql URL")
    p.add_argument("--table", required=True, help="table name (PostgreSQL: schema.table)")
    p.add_argument("--settings", required=True, help="gunicorn settings as a JSON object")
    opts = p.parse_args()
    serve(opts.host, opts.port, opts.store, opts.table, json.loads(opts.settings))


if __name__ == "__main__":
    main()
