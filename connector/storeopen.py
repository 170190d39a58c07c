"""The store opened and migrated once before anything forks (`run`, `worker`, gunicorn's master):
a store that cannot be used stops the start with one line naming the path or host and the
cause, instead of every worker dying in a traceback."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from connector.config import Config
from connector.errors import StoreError
from connector.store.db import make_engine, upgrade

_OWNER = "give it to the user the connector runs as (chown), or change store.url"


def open_and_migrate(config: Config) -> None:
    """Bring the store to the newest schema, or raise StoreError with one line for the admin."""
    url = config.store.url
    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # the engine names it (a ConfigError)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database and parsed.database != ":memory:":
        _check_sqlite_path(Path(parsed.database))
    engine = make_engine(url, synchronous=config.store.sqlite_synchronous)
    try:
        upgrade(engine)
    except SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", None) or exc)
        raise StoreError(_sqlite_cause(parsed, cause) if sqlite
                         else _postgres_cause(parsed, cause)) from None
    except OSError as exc:  # the migration's lock file beside the database
        raise StoreError(f"store: cannot create files beside {parsed.database} "
                         f"({exc.strerror or exc}) — {_OWNER}") from None
    finally:
        engine.dispose()


def _check_sqlite_path(database: Path) -> None:
    """The directory exists (or can be made) and is writable, and so is the file if it exists."""
    parent = database.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"store: cannot create the directory {parent} for {database.name} "
                         f"({exc.strerror or exc}) — create it and {_OWNER}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StoreError(f"store: cannot write in {parent} (permission denied): SQLite keeps "
                         f"its -wal file beside {database.name} — {_OWNER}")
    if database.exists() and not os.access(database, os.R_OK | os.W_OK):
        raise StoreError(f"store: cannot write {database} in {parent} (permission denied) — "
                         f"{_OWNER}")


def _sqlite_cause(url: URL, cause: str) -> str:
    database = Path(url.database or "")
    first = _first_line(cause)
    return (f"store: cannot open {database.name} in {database.parent} ({first}) — check that it "
            f"is a SQLite file on a writable disk, and {_OWNER}")


def _postgres_cause(url: URL, cause: str) -> str:
    """psycopg's message, turned into what the admin checks: the server, the password, the
    database. The password itself is never shown."""
    where = f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}"
    user, database = url.username or "", url.database or ""
    lowered = cause.lower()
    if "password authentication failed" in lowered:
        return f"store: {where} refused user {user}: wrong password — check the password in " \
               "store.url"
    if re.search(r'database ".*" does not exist', lowered):
        return (f"store: {where} has no database {database} — create it (createdb -O {user} "
                f"{database}) or correct store.url")
    if re.search(r'role ".*" does not exist', lowered):
        return f"store: {where} has no user {user} — create it (createuser -P {user}) or " \
               "correct store.url"
    for said, meaning in (("connection refused", "connection refused"),
                          ("timeout expired", "no answer"),
                          ("could not translate host name", "unknown host"),
                          ("no route to host", "no route to host"),
                          ("network is unreachable", "network unreachable")):
        if said in lowered:
            return (f"store: cannot reach {where} ({meaning}) — is the server running, and are "
                    "store.url's host and port right?")
    return f"store: {where}: {_first_line(cause)}"


def _first_line(text: str) -> str:
    """A driver's message as one line, without the password of a URL it may quote."""
    line = " ".join(text.strip().split("\n")[0].split())
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", line)[:300]
