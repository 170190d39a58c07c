"""The check every answer must pass: no 5xx, a one-line 4xx or a documented 200, sound storage."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from connector.inbox_processing import drain_inbox
from tests.webhooks.hostile.requests import Delivery
from tests.webhooks.hostile.store import connector, inbox_since, last_inbox_id
from tests.webhooks.hostile.values import short

ANSWERED = frozenset({"accepted", "duplicate", "ignored"})
SETTLED = frozenset({"done", "ignored", "failed"})


class _Errors(logging.Handler):
    """Keeps the records logged at ERROR or above."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def first(self) -> BaseException | None:
        """The first exception logged, so a failure is reported where the app raised it
        (hypothesis then tells distinct bugs apart)."""
        return next((r.exc_info[1] for r in self.records if r.exc_info), None)


@contextmanager
def logged_errors(*names: str) -> Iterator[_Errors]:
    """Errors (with their exceptions) the named loggers log meanwhile."""
    handler = _Errors()
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def send(client: FlaskClient, delivery: Delivery) -> TestResponse:
    """Send a delivery; a chunked one has no Content-Length and a terminated input stream, as
    gunicorn (or werkzeug's server) hands a `Transfer-Encoding: chunked` body to the app."""
    if delivery.chunked:
        return client.open(delivery.path, method=delivery.method,
                           input_stream=io.BytesIO(delivery.body),
                           headers=[*delivery.headers, ("Transfer-Encoding", "chunked")],
                           environ_overrides={"wsgi.input_terminated": True})
    return client.open(delivery.path, method=delivery.method, data=delivery.body,
                       headers=list(delivery.headers))


def one_line_error(response: TestResponse) -> str:
    """The `error` of a 4xx answer, which must be JSON and one line."""
    body = response.get_json(silent=True)
    assert isinstance(body, dict) and isinstance(body.get("error"), str), (
        f"{response.status_code} without a JSON error: {response.get_data()[:200]!r}")
    error: str = body["error"]
    assert error and "\n" not in error and len(error) <= 1000, (
        f"not a one-line reason: {short(error)}")
    return error


def documented_200(path: str, response: TestResponse) -> bool:
    """A 200 the docs document for this path (docs/integrations/)."""
    body = response.get_json(silent=True)
    if path == "/webhooks/slack/interactions":
        return response.get_data() == b""
    if path == "/webhooks/slack/commands":
        return isinstance(body, dict) and body.get("response_type") == "ephemeral"
    if path == "/webhooks/telegram":
        return body == {"ok": True}
    if path == "/webhooks/slack/events" and isinstance(body, dict) and "challenge" in body:
        return isinstance(body["challenge"], str)
    return isinstance(body, dict) and body.get("status") in ANSWERED


def answer_is_sound(app: Flask, client: FlaskClient, delivery: Delivery, *,
                    redirect_ok: bool = False) -> TestResponse:
    """No 5xx; a 4xx is a one-line JSON error and stores nothing; a 200 is documented, stores
    only when accepted, and what it stored the worker settles without choking. With
    `redirect_ok`, werkzeug's 308 to the canonical path (`//` merged) is fine too."""
    before = last_inbox_id(app)
    with logged_errors("webhooks.app", "flask.app") as errors:
        response = send(client, delivery)
    status = response.status_code
    if status >= 500:
        raise AssertionError(f"{status} {response.get_data()[:200]!r}") from errors.first()
    stored = inbox_since(app, before)
    if redirect_ok and status == 308:
        assert not stored, f"redirected but stored {len(stored)} inbox event(s)"
        return response
    assert status == 200 or 400 <= status < 500, f"undocumented status {status}"
    if status >= 400:
        one_line_error(response)
        assert not stored, f"{status} but stored {len(stored)} inbox event(s)"
        return response
    assert documented_200(delivery.path, response), (
        f"undocumented 200 answer: {response.get_data()[:200]!r}")
    answer = response.get_json(silent=True)
    if isinstance(answer, dict) and answer.get("status") in ("ignored", "duplicate"):
        assert not stored, f"{answer['status']} but stored {len(stored)} inbox event(s)"
    if isinstance(answer, dict) and answer.get("status") == "accepted":
        assert stored, "accepted but nothing stored"
    if stored:
        worker_settles(app, before)
    return response


def worker_settles(app: Flask, before: int) -> None:
    """The worker settles what was stored (done, ignored, or failed as a bad payload) without
    raising: a crash it parks as failed is still a crash on input the receiver let in."""
    with logged_errors("connector.inbox_processing") as errors:
        drain_inbox(connector(app))
    rows = inbox_since(app, before)
    stuck = [(r.id, r.status) for r in rows if r.status not in SETTLED]
    if stuck or errors.first() is not None:
        outcomes = [(r.id, r.status, short(r.outcome)) for r in rows]
        raise AssertionError(f"the worker crashed on an accepted event: {outcomes}") \
            from errors.first()
