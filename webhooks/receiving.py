"""Shared receiver steps: read the body strictly, store it durably, answer in one line."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from flask import Request, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from connector.errors import PayloadError
from connector.events import TicketEvent
from connector.store import inbox
from webhooks.body import parse_json, raw_body
from webhooks.extension import ConnectorExtension


def extension() -> ConnectorExtension:
    ext: ConnectorExtension = current_app.extensions["helpdesk_connector"]
    return ext


def secrets_match(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a shared secret."""
    return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())


def read_json(request: Request) -> tuple[str, Any]:
    """The body as text and parsed JSON, or PayloadError with the status to answer."""
    if request.mimetype != "application/json":
        raise PayloadError("content type must be application/json, not "
                           f"{request.mimetype[:60]!r}", 415)
    raw = raw_body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"body is not valid UTF-8 (byte {exc.start})", 400) from None
    return text, parse_json(text)


def body_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def store_event(source: str, dedup_key: str, event_name: str, ordering_key: str,
                text: str) -> Any:
    """Commit the event to the inbox before answering; duplicates are acknowledged too."""
    return store_events(source, [(dedup_key, event_name, ordering_key, text)])


def store_events(source: str, events: list[tuple[str, str, str, str]]) -> Any:
    """Commit several events (dedup key, name, ordering key, body) in one transaction."""
    ext = extension()
    metrics = ext.connector.metrics
    try:
        with ext.connector.engine.begin() as conn:
            ids = [inbox.add_event(conn, source=source, dedup_key=key, event_name=name,
                                   ordering_key=order, payload=text)
                   for key, name, order, text in events]
    except SQLAlchemyError:
        current_app.logger.exception("store unavailable")
        return jsonify(error="store unavailable, retry later"), 503
    new = [i for i in ids if i is not None]
    metrics.received.labels(source).inc(len(new))
    metrics.deduplicated.labels(source).inc(len(ids) - len(new))
    if not new:
        return jsonify(status="duplicate"), 200
    ext.wake(source)
    return jsonify(status="accepted", id=new[0] if len(new) == 1 else new), 200


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
