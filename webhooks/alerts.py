"""Alerts receiver: Alertmanager or generic JSON, with `Authorization: Bearer <alerts.token>`.

Alertmanager sends a whole group in one body (5,000 alerts are about 2.4 MB) and never retries
a 4xx, so the body is taken up to `alerts.max_body_mb` and stored whole as one inbox row before
the answer; the worker splits it into alerts, each judged alone (connector/alertintake.py). Only
a body that is no alerts body at all is refused. A body up to FULL_CHECK bytes is parsed here;
a larger one only glanced at (an object naming a list of alerts), because parsing megabytes
would hold the answer: one that is no JSON after all is said by the worker (logged, counted).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Blueprint, request

from connector.alertintake import BODY_EVENT
from connector.errors import PayloadError
from connector.events import ALERT_SOURCE as SOURCE
from plugins.alerts.events import check_shape, storable_text
from webhooks.body import parse_json
from webhooks.receiving import extension, read_text, reject, secrets_match, store_event

bp = Blueprint("alerts", __name__)

FULL_CHECK = 64 * 1024  # bytes: parsed before the answer up to this (a ms), glanced above
_ALERTS_LIST = re.compile(r'"alerts"\s*:\s*\[')
_GROUP_KEY = re.compile(r'"groupKey"\s*:\s*("(?:[^"\\]|\\.)*")')


@bp.post("/webhooks/alerts")
def receive() -> Any:
    cfg = extension().connector.config.alerts
    assert cfg is not None  # registered only with an alerts config
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or not secrets_match(token, cfg.token.get_secret_value()):
        return reject(SOURCE, PayloadError("invalid or missing bearer token", 401))
    limit = cfg.max_body_bytes
    request.max_content_length = limit  # werkzeug's own bound, for this receiver
    try:
        text = read_text(request, limit)
        group_key = _checked(text)
    except PayloadError as exc:
        return reject(SOURCE, exc)
    digest = hashlib.sha256(text.encode()).hexdigest()  # the body came as UTF-8: it encodes
    group = hashlib.sha256(group_key.encode()).hexdigest()[:24] if group_key else "none"
    return store_event(SOURCE, f"alertbody:{digest}", BODY_EVENT, f"alerts:group:{group}", text)


def _checked(text: str) -> str:
    """The body's groupKey ("" if it has none), or PayloadError if it is no alerts body."""
    if len(text) <= FULL_CHECK:
        payload = parse_json(text, whole=False)
        check_shape(payload)
        key = payload.get("groupKey")
        return storable_text(key) if isinstance(key, str) else ""
    if not text.lstrip().startswith("{") or not _ALERTS_LIST.search(text):
        raise PayloadError("alerts: expected a JSON object with a list of alerts")
    # Alertmanager writes groupKey after the alerts: the last one is the body's own.
    found = _GROUP_KEY.findall(text)
    key = parse_json(found[-1], whole=False) if found else ""
    return storable_text(key) if isinstance(key, str) else ""
