"""The store as the hostile tests see it: the same start for every example, rows added since."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from connector.core import Connector
from connector.store.schema import alerts, inbox, metadata, threads
from tests.conftest import SLACK_L2, TG_L2
from tests.webhooks.hostile.documents import THREAD_TS, TOPIC


def connector(app: Flask) -> Connector:
    """The Connector behind an app."""
    found: Connector = app.extensions["helpdesk_connector"].connector
    return found


def reset(app: Flask) -> None:
    """An empty store but for a Slack thread and a Telegram topic of gitlab:1#23 and a pending
    alert 1, so every example starts alike (hypothesis replays must not meet duplicates)."""
    with connector(app).engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
        now = time.time()
        conn.execute(threads.insert(), [
            {"ticket": "gitlab:1#23", "chat": chat, "channel": "l2", "channel_id": channel,
             "thread_id": thread, "message_id": thread, "state": "open", "created_at": now}
            for chat, channel, thread in (("slack", SLACK_L2, THREAD_TS),
                                          ("telegram", str(TG_L2), str(TOPIC)))])
        conn.execute(alerts.insert().values(
            id=1, fingerprint="am:a1b2@2026-11-20T10:00:00.000Z", status="firing",
            title="DiskFull", decision="pending", updated_at=now, details=json.dumps(
                {"fingerprint": "am:a1b2@2026-11-20T10:00:00.000Z", "status": "firing",
                 "title": "DiskFull", "severity": "critical", "summary": "DiskFull on db1",
                 "url": "http://prometheus.test"})))


def last_inbox_id(app: Flask) -> int:
    """The id of the newest inbox row (0 when empty)."""
    with connector(app).engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(inbox.c.id), 0))).scalar_one())


def inbox_since(app: Flask, after: int) -> list[Any]:
    """Inbox rows (id, status, outcome, payload) stored after row `after`."""
    with connector(app).engine.connect() as conn:
        return list(conn.execute(select(inbox.c.id, inbox.c.status, inbox.c.outcome,
                                        inbox.c.payload).where(inbox.c.id > after)))
