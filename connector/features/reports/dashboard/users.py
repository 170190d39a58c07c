"""The dashboard's users and its session key, kept in the store: users are added from the
command line (`helpdesk-connector users add NAME`); the key that signs sessions is made once
and read by every process, so a session started on one is good on all."""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from connector.store.db import insert_ignore, now
from connector.store.schema import dashboard_users, settings

SESSION_KEY = "dashboard.session_key"
NAME = re.compile(r"[^\s:]{1,64}")  # no spaces, no colon: HTTP Basic splits at the first


class UserError(ValueError):
    """A user name the dashboard will not keep: said in one line."""


def check_name(name: str) -> str:
    if not NAME.fullmatch(name) or not name.isprintable():
        raise UserError(f"{name[:70]!r}: a user name is 1 to 64 characters, no spaces, no ':'")
    return name


def add(conn: Connection, name: str, password_hash: str, replace: bool = False) -> bool:
    """Keep the user with this hash; True when new, False when the password was replaced (only
    when asked: a second `add` of a name is a slip, not a password change)."""
    if insert_ignore(conn, dashboard_users, {"name": check_name(name),
                                             "password_hash": password_hash,
                                             "created_at": now(conn)}) is not None:
        return True
    if not replace:
        raise UserError(f"{name!r}: there is a user of this name already "
                        "(--replace sets a new password)")
    conn.execute(update(dashboard_users).where(dashboard_users.c.name == name)
                 .values(password_hash=password_hash))
    return False


def remove(conn: Connection, name: str) -> bool:
    return bool(conn.execute(delete(dashboard_users).where(dashboard_users.c.name == name))
                .rowcount)


def listed(conn: Connection) -> list[Any]:
    return list(conn.execute(select(dashboard_users.c.name, dashboard_users.c.created_at)
                             .order_by(dashboard_users.c.name)))


def hash_of(conn: Connection, name: str) -> str | None:
    found: str | None = conn.execute(select(dashboard_users.c.password_hash).where(
        dashboard_users.c.name == name)).scalar()
    return found


def any_user(conn: Connection) -> bool:
    return bool(conn.execute(select(func.count()).select_from(dashboard_users)).scalar())


def session_key(engine: Engine) -> str:
    """The key that signs dashboard sessions: the one in the store, made by the first process
    that needed it."""
    with engine.begin() as conn:
        insert_ignore(conn, settings, {"key": SESSION_KEY, "value": secrets.token_hex(32)})
        key: str = conn.execute(select(settings.c.value).where(
            settings.c.key == SESSION_KEY)).scalar_one()
    return key
