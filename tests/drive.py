"""Helpers that drive a connector's worker steps synchronously in tests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from connector.clock import FakeClock
from connector.core import Connector
from connector.inbox_processing import drain_inbox
from connector.outbox_dispatch import dispatch_outbox
from connector.store import inbox, outbox, schema
from plugins.slack.verify import sign
from tests.conftest import SLACK_SIGNING_SECRET, TELEGRAM_SECRET, WEBHOOK_SECRET


def post_hook(client: FlaskClient, payload: Any, *, event: str = "Issue Hook",
              token: str = WEBHOOK_SECRET, **headers: str) -> Any:
    """Deliver a webhook the way GitLab does."""
    return client.post("/webhooks/gitlab", json=payload, headers={
        "X-Gitlab-Event": event, "X-Gitlab-Token": token, **headers})


def run_until_idle(c: Connector, timeout: float = 30.0) -> None:
    """Process the inbox and dispatch the outbox until nothing is pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        drain_inbox(c)
        dispatch_outbox(c)
        with c.engine.connect() as conn:
            pending = inbox.count_by_status(conn).get("pending", 0) + \
                outbox.count_by_status(conn).get("pending", 0)
        if not pending:
            return
        time.sleep(0.05)
    raise AssertionError("connector did not become idle")


def settle_on_clock(c: Connector, clock: FakeClock, work: Callable[[], object]) -> None:
    """Run `work` (a worker's round) until nothing is pending, moving the business clock to
    each action that waits its turn (a chat's rate) — never sleeping."""
    for _ in range(10_000):
        work()
        with c.engine.connect() as conn:
            due = conn.execute(select(func.min(schema.outbox.c.next_attempt_at)).where(
                schema.outbox.c.status == "pending")).scalar()
        if due is None:
            return
        clock.set(max(clock.now(), due))
    raise AssertionError("never settled")


def post_slack(client: FlaskClient, path: str, body: bytes, *,
               content_type: str = "application/json", secret: str = SLACK_SIGNING_SECRET,
               timestamp: int | None = None) -> Any:
    """Deliver a request the way Slack signs it (v0 HMAC over `v0:{ts}:{body}`)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(path, data=body, content_type=content_type, headers={
        "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(secret, ts, body)})


def slack_reply(client: FlaskClient, *, channel: str, thread_ts: str, text: str,
                user: str = "U0L2ENG", event_id: str = "Ev1", ts: str | None = None,
                bot: bool = False) -> Any:
    """A person's (or a bot's) reply in a Slack thread, as an Events API callback."""
    event: dict[str, Any] = {"type": "message", "channel": channel, "user": user,
                             "text": text, "ts": ts or f"{time.time():.6f}",
                             "thread_ts": thread_ts}
    if bot:
        event["bot_id"] = "B0BOT"
    body = json.dumps({"type": "event_callback", "event_id": event_id, "event": event})
    return post_slack(client, "/webhooks/slack/events", body.encode())


def post_telegram(client: FlaskClient, update: dict[str, Any],
                  secret: str = TELEGRAM_SECRET) -> Any:
    """Deliver a Telegram update the way the Bot API does."""
    return client.post("/webhooks/telegram", json=update,
                       headers={"X-Telegram-Bot-Api-Secret-Token": secret})
