"""Helpers that drive a connector's worker steps synchronously in tests."""

from __future__ import annotations

import time
from typing import Any

from flask.testing import FlaskClient

from connector.core import Connector
from connector.dispatch import dispatch_outbox
from connector.pipeline import drain_inbox
from connector.store import inbox, outbox
from tests.conftest import WEBHOOK_SECRET


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
