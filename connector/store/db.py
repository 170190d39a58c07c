"""Engine creation (SQLite WAL or PostgreSQL), migrations, and dialect-neutral helpers."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, Table, create_engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from connector.clock import SYSTEM_CLOCK, Clock
from connector.errors import ConfigError, StoreError
from connector.store.writerlock import WriterLock

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
POSTGRES_DRIVER = "psycopg"  # installed by the [postgres] extra (setup.cfg)


_CLOCKS: weakref.WeakKeyDictionary[Engine, Clock] = weakref.WeakKeyDictionary()


def clock_of(engine: Engine) -> Clock:
    """The clock an engine's timestamps, leases and retries are read from."""
    return _CLOCKS.get(engine, SYSTEM_CLOCK)


def now(conn: Connection | Engine) -> float:
    """Business time for a store write: the engine's clock (see connector.clock)."""
    return clock_of(conn if isinstance(conn, Engine) else conn.engine).now()


def _sqlite_directory(database: Path) -> None:
    """The SQLite file's directory exists and is ours to write (the -wal and lock files go
    beside the database), or a ConfigError says which directory and what to do."""
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError.at("config", "store.url", f"cannot create {database.parent} "
                             f"({exc.strerror or exc})",
                             "create it, owned by the user the connector runs as") from None
    if not os.access(database.parent, os.W_OK | os.X_OK) or (
            database.exists() and not os.access(database, os.R_OK | os.W_OK)):
        raise ConfigError.at("config", "store.url", f"cannot write {database} (permission "
                             "denied)", "give the directory and the database file to the user "
                             "the connector runs as")


def open_existing(url: str, source: str = "config") -> Engine:
    """The store for operator commands: it must exist and have its schema (a read never
    creates a database); otherwise a ConfigError says to run db-upgrade."""
    parsed = make_url(url) if "://" in url else None
    if parsed is not None and parsed.get_backend_name() == "sqlite" and parsed.database and \
            parsed.database != ":memory:" and not Path(parsed.database).exists():
        raise ConfigError.at(source, "store.url", f"no store at {parsed.database}",
                             "start the connector once, or run `helpdesk-connector db-upgrade`")
    engine = make_engine(url)
    try:
        ready = inspect(engine).has_table("outbox")
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"store unreachable: {type(exc).__name__}") from None
    if not ready:
        engine.dispose()
        raise ConfigError.at(source, "store.url", "the store has no schema yet",
                             "run `helpdesk-connector db-upgrade`")
    return engine


def make_engine(url: str, *, synchronous: str = "FULL", clock: Clock = SYSTEM_CLOCK) -> Engine:
    """An engine whose store stamps time by `clock` (see _engine)."""
    engine = _engine(url, synchronous)
    _CLOCKS[engine] = clock
    return engine


def _engine(url: str, synchronous: str) -> Engine:
    """Create an engine. SQLite gets WAL, IMMEDIATE write transactions serialised by a lock in
    the process (a writer waiting for it wakes the moment it is free, not on SQLite's busy
    handler's sleep schedule), deferred reads that take no lock, and `synchronous` (FULL: an
    acknowledged webhook survives a power loss; NORMAL: faster, may lose the last ones)."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError for garbage
        raise ConfigError.at("config", "store.url", f"not a database URL: {exc}",
                             "use sqlite:///path.db or postgresql+psycopg://user@host/db") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _sqlite_directory(Path(parsed.database))
        # Connections are cheap file handles: enough stay open for every request thread and
        # lane, so none is opened (and set up) per request under load.
        engine = create_engine(parsed, pool_size=20, max_overflow=20,
                               connect_args={"timeout": 30, "check_same_thread": False})
        _make_sqlite_durable(engine, synchronous)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError.at("config", "store.url", f"unsupported database {parsed.drivername}",
                             "use sqlite or postgresql")
    try:
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=10)
    except ModuleNotFoundError as exc:  # the driver is the [postgres] extra
        if exc.name != POSTGRES_DRIVER:
            raise
        raise ConfigError.at("config", "store.url", "a PostgreSQL store needs its driver "
                             f"({POSTGRES_DRIVER}), which is not installed",
                             "pip install 'helpdesk-connector[postgres]' in the connector's "
                             "environment") from None


def reading(engine: Engine) -> Connection:
    """A connection for reads only: on SQLite it takes no write lock (WAL readers see the last
    commit), so it never waits for a writer nor makes one wait."""
    return engine.connect().execution_options(hdc_read_only=True)


_WRITERS: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()


@contextmanager
def raw_write(engine: Engine) -> Iterator[Any]:
    """A driver cursor in one write transaction, committed on exit: for the receivers' hot
    path, where building SQL per request costs more than the insert. Same lock as Core, held
    only from BEGIN to COMMIT (the pool checkout and return happen outside it)."""
    writer, driver_error = _WRITERS.get(engine), engine.dialect.dbapi.Error  # type: ignore[union-attr]
    try:
        raw = engine.raw_connection()
    except (SQLAlchemyError, driver_error) as exc:
        raise StoreError(f"store unreachable: {type(exc).__name__}") from exc
    try:
        cursor = raw.cursor()
        with writer if writer is not None else contextlib.nullcontext():
            if writer is not None:
                cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                raw.rollback() if writer is None else cursor.execute("ROLLBACK")
                raise
            raw.commit() if writer is None else cursor.execute("COMMIT")
        cursor.close()
    except driver_error as exc:
        raise StoreError(f"store refused the write: {type(exc).__name__}") from exc
    finally:
        raw.close()


def _make_sqlite_durable(engine: Engine, synchronous: str) -> None:
    writer = _WRITERS[engine] = WriterLock(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA busy_timeout=30000")  # other processes on the same file
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("hdc_read_only"):
            conn.exec_driver_sql("BEGIN DEFERRED")
            return
        # IMMEDIATE takes the write lock up front, so read-then-write never deadlocks.
        writer.acquire()
        conn.info["hdc_writer"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            conn.info.pop("hdc_writer", None)
            writer.release()
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Connection) -> None:
        if conn.info.pop("hdc_writer", False):
            writer.release()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema to the newest migration; processes starting together take turns
    (PostgreSQL: an advisory lock; SQLite: a lock file next to the database). Returns the
    revision before (None: an empty database) and after."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with _migration_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
        before = MigrationContext.configure(conn).get_current_revision()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        return before, MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any],
                  returning: Any = None) -> Any:
    """INSERT … ON CONFLICT DO NOTHING; returns the RETURNING value (default: the primary key),
    or None on conflict. RETURNING, not rowcount, is what both dialects report reliably. The
    statement is built once per table and column set, the values go as parameters."""
    column = returning if returning is not None else next(iter(table.primary_key.columns))
    stmt = _insert_ignore(conn.dialect.name, table, column, tuple(values))
    return conn.execute(stmt, values).scalar_one_or_none()


@functools.lru_cache(maxsize=64)
def _insert_ignore(dialect: str, table: Table, column: Any, names: tuple[str, ...]) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing().returning(column)
