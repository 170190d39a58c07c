"""Mantis receiver: webhooks from our PHP plugin, signed `X-Signature: sha256=<HMAC of body>`.

Deduplicated by `X-Delivery-Id`. Unknown events are answered 200 and ignored; a bad signature
gets 401; a malformed body a 4xx with a one-line reason.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Blueprint, request

from connector.errors import PayloadError
from plugins.mantis.events import EVENTS, normalize
from webhooks.body import raw_body
from webhooks.receiving import (
    body_digest,
    extension,
    read_ticket_event,
    reject,
    store_event,
)

bp = Blueprint("mantis", __name__)


def signature_ok(secret: str, body: bytes, given: str | None) -> bool:
    """Constant-time check of `sha256=<hex HMAC-SHA256(secret, body)>`."""
    if not secret or not given:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode())


@bp.post("/webhooks/mantis")
def receive() -> Any:
    cfg = extension().connector.config.trackers.mantis
    assert cfg is not None  # registered only with a Mantis config
    try:
        body = raw_body()
    except PayloadError as exc:
        return reject("mantis", exc)
    if not signature_ok(cfg.webhook_secret.get_secret_value(), body,
                        request.headers.get("X-Signature")):
        return reject("mantis", PayloadError("invalid or missing X-Signature", 401))
    event_name = request.headers.get("X-Mantis-Event", "")
    parsed = read_ticket_event("mantis", event_name, EVENTS, normalize)
    if not isinstance(parsed[0], str):
        return parsed
    text, _, event = parsed
    delivery = request.headers.get("X-Delivery-Id") or body_digest(text)
    return store_event("mantis", f"mantis:{delivery}", event_name, str(event.ref), text)
