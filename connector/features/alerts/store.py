"""Alert groups in the store: one row per Alertmanager group, its alerts, its one decision."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Row

from connector.events import Alert
from connector.store.db import insert_ignore, now
from connector.store.schema import alert_groups, alerts

UNDECIDED = ("pending", "awaiting_cause")


def digest(group_key: str) -> str:
    return hashlib.sha256(group_key.encode()).hexdigest()


def upsert_group(conn: Connection, alert: Alert) -> tuple[int, bool]:
    """The group an alert came in, created on its first alert; (id, created)."""
    t = now(conn)
    details = {"group_labels": alert.group_labels, "common_labels": alert.common_labels,
               "external_url": alert.external_url, "truncated": alert.truncated}
    new_id = insert_ignore(conn, alert_groups, {
        "key_digest": digest(alert.group), "group_key": alert.group, "state": alert.status,
        "decision": "pending", "details": json.dumps(details, ensure_ascii=False),
        "version": 0, "last_raised_at": t, "raised": 0, "created_at": t, "updated_at": t})
    if new_id is not None:
        return int(new_id), True
    row = conn.execute(select(alert_groups).where(
        alert_groups.c.key_digest == digest(alert.group)).with_for_update()).one()
    known = json.loads(row.details)
    if alert.group_key:  # what the newest body says of the group
        known.update(details)
    conn.execute(update(alert_groups).where(alert_groups.c.id == row.id).values(
        details=json.dumps(known, ensure_ascii=False)))
    return int(row.id), False


def get(conn: Connection, group_id: int) -> Row[Any] | None:
    return conn.execute(select(alert_groups).where(alert_groups.c.id == group_id)).first()


def change(conn: Connection, group_id: int, **values: Any) -> None:
    """Record a change the group's message must show (its version moves on)."""
    conn.execute(update(alert_groups).where(alert_groups.c.id == group_id).values(
        version=alert_groups.c.version + 1, updated_at=now(conn), **values))


def decide(conn: Connection, group_id: int, decision: str, *, was: tuple[str, ...],
           **values: Any) -> bool:
    """L1's decision, only if the group's is still one of `was` (the first press counts, also
    when two presses race)."""
    return bool(conn.execute(update(alert_groups).where(
        alert_groups.c.id == group_id, alert_groups.c.decision.in_(was)).values(
        decision=decision, version=alert_groups.c.version + 1, updated_at=now(conn),
        **values)).rowcount)


def members(conn: Connection, group_id: int, limit: int) -> tuple[list[Row[Any]], int, int]:
    """The group's newest alerts (firing first) and how many fire and are resolved."""
    counts = {str(status): int(n) for status, n in conn.execute(
        select(alerts.c.status, func.count()).where(alerts.c.group_id == group_id)
        .group_by(alerts.c.status))}
    rows = list(conn.execute(select(alerts).where(alerts.c.group_id == group_id).order_by(
        (alerts.c.status == "firing").desc(), alerts.c.id.desc()).limit(limit)))
    return rows, int(counts.get("firing", 0)), int(counts.get("resolved", 0))


def any_firing(conn: Connection, group_id: int) -> bool:
    """Whether any of the group's alerts fires (without counting a storm's thousands)."""
    return conn.execute(select(alerts.c.id).where(
        alerts.c.group_id == group_id, alerts.c.status == "firing").limit(1)).first() is not None


def newest(conn: Connection, group_id: int) -> Row[Any] | None:
    """The group's alert that joined it last (by the group's index, however big the group)."""
    return conn.execute(select(alerts).where(alerts.c.group_id == group_id).order_by(
        alerts.c.id.desc()).limit(1)).first()


def undecided_since(conn: Connection, before: float) -> list[Row[Any]]:
    """Firing groups nobody decided on, last raised before `before`."""
    return list(conn.execute(select(alert_groups).where(
        alert_groups.c.decision.in_(UNDECIDED), alert_groups.c.state == "firing",
        alert_groups.c.last_raised_at <= before).order_by(alert_groups.c.id)))


def raised(conn: Connection, group_id: int, count: int, at: float) -> bool:
    """Mark the group raised for the `count`th time, unless another process did."""
    return bool(conn.execute(update(alert_groups).where(
        alert_groups.c.id == group_id, alert_groups.c.raised == count - 1).values(
        raised=count, last_raised_at=at)).rowcount)
