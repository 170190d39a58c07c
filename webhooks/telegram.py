"""Telegram receiver: the secret set with setWebhook must come back in every update."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from connector.errors import PayloadError
from plugins.telegram.events import UPDATE, normalize
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
        normalize(UPDATE, update)  # a malformed update is refused here, not in the worker
    except PayloadError as exc:
        return reject("telegram", exc)
    chat, thread = _where(update)
    answer = store_event("telegram", f"telegram:update:{update['update_id']}", UPDATE,
                         f"telegram:{chat}:{thread}", text)
    return answer if answer.status_code != 200 else jsonify(ok=True)


def _where(update: dict[str, Any]) -> tuple[Any, Any]:
    """Chat and topic of an update, for ordering; odd shapes order by nothing, not crash."""
    query = update.get("callback_query")
    message = update.get("message") or (query.get("message") if isinstance(query, dict) else None)
    if not isinstance(message, dict):
        return None, None
    chat = message.get("chat")
    return (chat.get("id") if isinstance(chat, dict) else None), message.get("message_thread_id")
