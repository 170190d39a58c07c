"""Alerts receiver: Alertmanager or generic JSON, with `Authorization: Bearer <alerts.token>`."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, request

from connector.errors import PayloadError
from connector.events import ALERT_SOURCE as SOURCE
from plugins.alerts.events import normalize
from webhooks.receiving import extension, read_json, reject, secrets_match, store_events

bp = Blueprint("alerts", __name__)


@bp.post("/webhooks/alerts")
def receive() -> Any:
    cfg = extension().connector.config.alerts
    assert cfg is not None  # registered only with an alerts config
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or not secrets_match(token, cfg.token.get_secret_value()):
        return reject(SOURCE, PayloadError("invalid or missing bearer token", 401))
    try:
        _, payload = read_json(request)
        found = normalize(payload)
    except PayloadError as exc:
        return reject(SOURCE, exc)
    return store_events(SOURCE, [
        (f"alert:{a.fingerprint}:{a.status}", "alert", group_order(a.group), a.to_json())
        for a in found])


def group_order(group: str) -> str:
    """One ordering key per Alertmanager group: its alerts are processed one after another,
    so the group's one message is posted once and edited in order."""
    return "alerts:" + hashlib.sha256(group.encode()).hexdigest()[:32]
