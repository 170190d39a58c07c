"""Engine creation (SQLite WAL or PostgreSQL), migrations, and dialect-neutral helpers."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url

from connector.errors import ConfigError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def now() -> float:
    """Wall-clock seconds; every timestamp in the store uses it."""
    return time.time()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and IMMEDIATE transactions."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError for garbage
        raise ConfigError.at("config", "store.url", f"not a database URL: {exc}",
                             "use sqlite:///path.db or postgresql+psycopg://user@host/db") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, pool_size=5, max_overflow=10,
                               connect_args={"timeout": 30, "check_same_thread": False})
        _make_sqlite_durable(engine)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError.at("config", "store.url", f"unsupported database {parsed.drivername}",
                             "use sqlite or postgresql")
    return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _make_sqlite_durable(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front, so read-then-write never deadlocks.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Processes starting together would race to create the same tables.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any],
                  returning: Any = None) -> Any:
    """INSERT … ON CONFLICT DO NOTHING; returns the RETURNING value (default: the primary key),
    or None on conflict. RETURNING, not rowcount, is what both dialects report reliably."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values).on_conflict_do_nothing()
    column = returning if returning is not None else next(iter(table.primary_key.columns))
    return conn.execute(stmt.returning(column)).scalar_one_or_none()
