"""Telegram receiver: the secret set with setWebhook must come back in every update."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from connector.errors import PayloadError
from plugins.telegram.events import UPDATE
from webhooks.receiving import extension, read_json, reject, secrets_match, store_event

bp = Blueprint("telegram", __name__)


@bp.post("/webhooks/telegram")
def receive() -> Any:
    cfg = extension().connector.config.chats.telegram
    assert cfg is not None  # registered only with a Telegram config
    if not secrets_match(request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                         cfg.webhook_secret.get_secret_value()):
        return reject("telegram", PayloadError("invalid or missing secret token", 401))
    try:
        text, update = read_json(request)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            raise PayloadError("update_id: expected an integer")
    except PayloadError as exc:
        return reject("telegram", exc)
    message = update.get("message") or (update.get("callback_query") or {}).get("message") or {}
    chat = (message.get("chat") or {}).get("id") if isinstance(message, dict) else None
    thread = message.get("message_thread_id") if isinstance(message, dict) else None
    answer = store_event("telegram", f"telegram:update:{update['update_id']}", UPDATE,
                         f"telegram:{chat}:{thread}", text)
    return answer if answer[1] != 200 else jsonify(ok=True)
