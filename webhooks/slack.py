"""Slack receivers: Events API, interactions, slash commands. Signed requests only.

Every request must carry a valid `X-Slack-Signature` made with the signing secret over
`v0:{X-Slack-Request-Timestamp}:{body}`, at most 300 s old; anything else gets 401.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select

from connector.errors import PayloadError
from connector.events import TicketRef
from connector.store.schema import threads
from connector.wording import describe_ticket
from plugins.slack.events import BLOCK_ACTIONS, EVENT_CALLBACK
from plugins.slack.verify import is_valid
from webhooks.receiving import extension, read_json, reject, store_event

bp = Blueprint("slack", __name__)


def _verified() -> bool:
    cfg = extension().connector.config.chats.slack
    assert cfg is not None  # registered only with a Slack config
    return is_valid(cfg.signing_secret.get_secret_value(), request.get_data(cache=True),
                    request.headers.get("X-Slack-Request-Timestamp"),
                    request.headers.get("X-Slack-Signature"))


@bp.post("/webhooks/slack/events")
def events() -> Any:
    if not _verified():
        return reject("slack", PayloadError("invalid or expired Slack signature", 401))
    try:
        text, payload = read_json(request)
        if not isinstance(payload, dict):
            raise PayloadError("body must be a JSON object")
        if payload.get("type") == "url_verification":
            return jsonify(challenge=str(payload.get("challenge", "")))
        if payload.get("type") != EVENT_CALLBACK:
            return jsonify(status="ignored"), 200
        event = payload.get("event")
        if not isinstance(payload.get("event_id"), str) or not isinstance(event, dict):
            raise PayloadError("event_id and event are required in an event_callback")
    except PayloadError as exc:
        return reject("slack", exc)
    order = f"slack:{event.get('channel')}:{event.get('thread_ts') or event.get('ts')}"
    return store_event("slack", f"slack:event:{payload['event_id']}", EVENT_CALLBACK, order, text)


@bp.post("/webhooks/slack/interactions")
def interactions() -> Any:
    if not _verified():
        return reject("slack", PayloadError("invalid or expired Slack signature", 401))
    try:
        payload = json.loads(request.form.get("payload", ""))
        if not isinstance(payload, dict):
            raise ValueError
    except ValueError:
        return reject("slack", PayloadError("form field payload must hold a JSON object", 400))
    if payload.get("type") != BLOCK_ACTIONS:
        return Response(status=200)
    container, actions, user_obj = (payload.get(k) for k in ("container", "actions", "user"))
    if not (isinstance(container, dict) and isinstance(user_obj, dict)
            and isinstance(actions, list) and actions and isinstance(actions[0], dict)):
        return reject("slack", PayloadError("block_actions needs container, user and actions"))
    user = user_obj.get("id", "")
    key = f"slack:action:{container.get('message_ts')}:{actions[0].get('action_ts')}:{user}"
    order = f"slack:{container.get('channel_id')}:{container.get('message_ts')}"
    answer = store_event("slack", key, BLOCK_ACTIONS, order, json.dumps(payload))
    return (Response(status=200) if answer[1] == 200 else answer)


@bp.post("/webhooks/slack/commands")
def commands() -> Any:
    """`/helpdesk` answers at once, only to the caller, with the open escalation threads."""
    if not _verified():
        return reject("slack", PayloadError("invalid or expired Slack signature", 401))
    c = extension().connector
    with c.engine.connect() as conn:
        rows = conn.execute(select(threads.c.ticket).where(
            threads.c.chat == "slack", threads.c.state == "open",
            threads.c.channel != "alerts").order_by(threads.c.id)).scalars().all()
    listing = "\n".join(f"• {describe_ticket(TicketRef.parse(t))}" for t in rows) or "—"
    return jsonify(response_type="ephemeral", text=c.render("command_open", listing=listing))
