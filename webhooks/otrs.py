"""Znuny/OTRS receiver: one path per invoker event, Basic auth, always a JSON answer.

Znuny treats an empty 200 as an error, so every answer (also 4xx) carries a JSON body.
Deliveries carry no id: the body itself (ticket data as of the event) is the dedup key.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, request

from connector.errors import PayloadError
from plugins.otrs.events import EVENTS, normalize
from webhooks.receiving import (
    body_digest,
    extension,
    read_ticket_event,
    reject,
    secrets_match,
    store_event,
)

bp = Blueprint("otrs", __name__)


def _basic_auth() -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return "", ""
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8
        return "", ""
    return user, password


@bp.post("/webhooks/otrs/<event_name>")
def receive(event_name: str) -> Any:
    cfg = extension().connector.config.trackers.otrs
    assert cfg is not None  # registered only with an OTRS config
    user, password = _basic_auth()
    if not (secrets_match(user, cfg.webhook_user)
            and secrets_match(password, cfg.webhook_secret.get_secret_value())):
        return reject("otrs", PayloadError("invalid or missing Basic credentials", 401))
    parsed = read_ticket_event("otrs", event_name, EVENTS, normalize)
    if not isinstance(parsed[0], str):
        return parsed
    text, _, event = parsed
    return store_event("otrs", f"otrs:{event_name}:{body_digest(text)}", event_name,
                       str(event.ref), text)
