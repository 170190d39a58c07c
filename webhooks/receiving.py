"""Shared receiver steps: read the body strictly, store it durably, answer in one line."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from flask import Request, Response, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from connector.errors import PayloadError, StoreError
from connector.events import TicketEvent
from connector.jsonstyle import http_json
from connector.store import inbox
from webhooks.body import parse_json, raw_body
from webhooks.extension import MAX_BODY, ConnectorExtension


def extension() -> ConnectorExtension:
    ext: ConnectorExtension = current_app.extensions["helpdesk_connector"]
    return ext


def secrets_match(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a shared secret."""
    return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())


def read_json(request: Request) -> tuple[str, Any]:
    """The body as text and parsed JSON, or PayloadError with the status to answer."""
    text = read_text(request)
    return text, parse_json(text)


def read_text(request: Request, limit: int = MAX_BODY) -> str:
    """A JSON body (by its content type) as text, at most `limit` bytes, not yet parsed."""
    if request.mimetype != "application/json":
        raise PayloadError("content type must be application/json, not "
                           f"{request.mimetype[:60]!r}", 415)
    raw = raw_body(limit)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"body is not valid UTF-8 (byte {exc.start})", 400) from None


def body_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def store_event(source: str, dedup_key: str, event_name: str, ordering_key: str,
                text: str) -> Response:
    """Commit the event to the inbox before answering; duplicates are acknowledged too."""
    return store_events(source, [(dedup_key, event_name, ordering_key, text)])


def store_events(source: str, events: list[tuple[str, str, str, str]]) -> Response:
    """Commit several events (dedup key, name, ordering key, body) in one transaction."""
    ext = extension()
    metrics = ext.connector.metrics
    try:
        ids = inbox.store_received(ext.connector.engine, source, events)
    except (SQLAlchemyError, StoreError) as exc:
        current_app.logger.error("store unavailable: %s", exc)  # one line, as every reject
        return answer(503, error="store unavailable, retry later")
    new = [i for i in ids if i is not None]
    metrics.received.labels(source).inc(len(new))
    metrics.deduplicated.labels(source).inc(len(ids) - len(new))
    if not new:
        return answer(200, status="duplicate")
    ext.wake(source)
    return answer(200, status="accepted", id=new[0] if len(new) == 1 else new)


def answer(code: int, **fields: Any) -> Response:
    """A small JSON answer, built without Flask's JSON provider (this is the hot path)."""
    return Response(http_json(fields), code, mimetype="application/json")


def read_ticket_event(source: str, event_name: str, handled: frozenset[str],
                      normalize: Callable[[str, Any], TicketEvent | None]) -> Any:
    """(body text, payload, event) of a tracker webhook, or the answer to give instead:
    200 `ignored` for events the rules do not handle, a 4xx for a malformed body."""
    if event_name not in handled:
        return jsonify(status="ignored", reason=f"event {event_name!r} is not handled"), 200
    try:
        text, payload = read_json(request)
        event = normalize(event_name, payload)
    except PayloadError as exc:
        return reject(source, exc)
    if event is None:
        return jsonify(status="ignored", reason="not a ticket event the rules handle"), 200
    return text, payload, event


def reject(source: str, exc: PayloadError) -> Any:
    extension().connector.metrics.rejected.labels(source, str(exc.status)).inc()
    current_app.logger.info("rejected %s webhook: %s", source, exc.reason)
    return jsonify(error=exc.reason), exc.status
