"""Fresh stores for one benchmark run (SQLite files or PostgreSQL schemas), read directly."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


@dataclass(frozen=True)
class Drain:
    """When a worker was first seen claiming, and when no row was pending any more."""

    first_claim: float  # time.monotonic()
    empty: float
    rows: int
    wall_offset: float  # time.time() - time.monotonic() while polling, to compare processed_at


class Stores:
    """Empty databases: SQLite files under `directory`, or schemas in PostgreSQL `base`."""

    def __init__(self, base: str | None, directory: Path) -> None:
        self.base = base
        self.directory = directory
        self.run = uuid.uuid4().hex[:10]
        self._schemas: list[str] = []
        self._engines: dict[str, sa.Engine] = {}

    @property
    def kind(self) -> str:
        """`sqlite` or `postgresql`."""
        return "postgresql" if self.base else "sqlite"

    def connector_url(self, name: str) -> str:
        """URL of an empty store for a connector (PostgreSQL: its own schema on the path)."""
        if not self.base:
            return f"sqlite:///{self.directory / name}.db"
        schema = self._schema(name)
        url = make_url(self.base)
        options = f"{url.query['options']} " if "options" in url.query else ""
        url = url.update_query_dict({"options": f"{options}-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def table(self, name: str) -> tuple[str, str]:
        """(store URL, table name) of a table that does not exist yet."""
        if not self.base:
            return f"sqlite:///{self.directory / name}.db", name
        return self.base, f"{self._schema(name)}.{name}"

    def _schema(self, name: str) -> str:
        schema = f"spine_{self.run}_{name}"
        with self.engine(self.base or "").begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        self._schemas.append(schema)
        return schema

    def engine(self, url: str) -> sa.Engine:
        """One engine per URL, for reads and set-up from this process."""
        if url not in self._engines:
            self._engines[url] = sa.create_engine(url, pool_size=1, max_overflow=2)
        return self._engines[url]

    def fill_queue(self, url: str, table: str, rows: int, payload: str) -> None:
        """Create the baseline worker's table with `rows` pending rows."""
        pg = url.startswith("postgresql")
        key = "BIGSERIAL PRIMARY KEY" if pg else "INTEGER PRIMARY KEY"
        real = "DOUBLE PRECISION" if pg else "REAL"
        with self.engine(url).begin() as conn:
            if not pg:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.execute(sa.text(
                f"CREATE TABLE {table} (id {key}, payload TEXT NOT NULL, "
                f"status VARCHAR(16) NOT NULL DEFAULT 'pending', claimed_by VARCHAR(64), "
                f"lease_until {real}, processed_at {real})"))
            index = f"ix_{table.replace('.', '_')}_claim"
            conn.execute(sa.text(f"CREATE INDEX {index} ON {table} (status, id)"))
            conn.execute(sa.text(f"INSERT INTO {table} (payload) VALUES (:p)"),
                         [{"p": payload}] * rows)

    def counts(self, url: str, table: str) -> tuple[int, int, int]:
        """(pending, claimed at least once, all) rows of an inbox-like table."""
        query = sa.text(
            f"SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0), "
            f"COALESCE(SUM(CASE WHEN claimed_by IS NOT NULL THEN 1 ELSE 0 END), 0), "
            f"COUNT(*) FROM {table}")
        with self.engine(url).connect() as conn:
            pending, claimed, total = conn.execute(query).one()
        return int(pending), int(claimed), int(total)

    def done_span(self, url: str, table: str) -> tuple[float | None, float, float]:
        """(rows/s between the first and last `processed_at`, first, last); wall clock."""
        # Rows done at the first instant (a first batch) are not counted in the rate.
        with self.engine(url).connect() as conn:
            first, last, done = conn.execute(sa.text(
                f"SELECT MIN(processed_at), MAX(processed_at), COUNT(processed_at) "
                f"FROM {table}")).one()
            if not done:
                return None, 0.0, 0.0
            at_first = conn.execute(sa.text(
                f"SELECT COUNT(*) FROM {table} WHERE processed_at = :t"), {"t": first}).scalar()
        rate = (done - int(at_first or 0)) / (last - first) if last > first else None
        return rate, float(first), float(last)

    def pending(self, url: str, table: str) -> int:
        """Rows with status 'pending' (0 when the table does not exist)."""
        try:
            return self.counts(url, table)[0]
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
            if "no such table" in str(exc) or "does not exist" in str(exc):
                return 0
            raise

    def watch_drain(self, url: str, table: str, timeout: float, alive: Callable[[], bool],
                    who: str, interval: float = 0.005) -> Drain:
        """Poll until no row is pending; TimeoutError, or RuntimeError if the worker died."""
        deadline = time.monotonic() + timeout
        first_claim = 0.0
        pending = claimed = total = 0
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError(f"{who} exited; {pending} of {total} rows pending")
            pending, claimed, total = self.counts(url, table)
            now = time.monotonic()
            if claimed and not first_claim:
                first_claim = now
            if pending == 0:
                return Drain(first_claim or now, now, total, time.time() - time.monotonic())
            time.sleep(interval)
        raise TimeoutError(f"{who}: {table}: {pending} of {total} rows still pending "
                           f"({claimed} claimed) after {timeout:.0f} s")

    def wait_settled(self, url: str, timeout: float) -> int:
        """Wait until neither inbox nor outbox has pending rows; pending rows left at timeout."""
        deadline = time.monotonic() + timeout
        left = 0
        while time.monotonic() < deadline:
            try:
                left = self.pending(url, "inbox") + self.pending(url, "outbox")
            except sa.exc.OperationalError:  # e.g. SQLite busy for a moment: ask again
                left = left or -1
            if left == 0:
                return 0
            time.sleep(0.2)
        return left

    def close(self) -> None:
        """Dispose engines and drop the PostgreSQL schemas this run created."""
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        if not self.base or not self._schemas:
            return
        admin = sa.create_engine(self.base, poolclass=NullPool)
        try:
            for schema in self._schemas:
                with admin.begin() as conn:
                    conn.execute(sa.text("SET LOCAL lock_timeout = '30s'"))
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            admin.dispose()
            self._schemas.clear()
