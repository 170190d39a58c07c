"""Slack receivers: Events API, interactions, slash commands. Signed requests only.

Every request must carry a valid `X-Slack-Signature` made with the signing secret over
`v0:{X-Slack-Request-Timestamp}:{body}`, at most 300 s old; anything else gets 401.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from connector.core import Connector
from connector.errors import ActionError, PayloadError
from connector.events import ChatForm, TicketRef
from connector.store.db import reading
from connector.store.schema import threads
from connector.wording import describe_ticket
from plugins.slack.events import (
    BLOCK_ACTIONS,
    COMMAND,
    EVENT_CALLBACK,
    VIEW_SUBMISSION,
    normalize,
)
from plugins.slack.verify import is_valid
from webhooks.body import parse_json, raw_body
from webhooks.receiving import extension, read_json, reject, store_event

bp = Blueprint("slack", __name__)


def _refused() -> Any | None:
    """The answer to a request that is too big or not signed by Slack, else None."""
    cfg = extension().connector.config.chats.slack
    assert cfg is not None  # registered only with a Slack config
    try:
        body = raw_body()
    except PayloadError as exc:
        return reject("slack", exc)
    if not is_valid(cfg.signing_secret.get_secret_value(), body,
                    request.headers.get("X-Slack-Request-Timestamp"),
                    request.headers.get("X-Slack-Signature")):
        return reject("slack", PayloadError("invalid or expired Slack signature", 401))
    return None


@bp.post("/webhooks/slack/events")
def events() -> Any:
    refused = _refused()
    if refused is not None:
        return refused
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
        normalize(EVENT_CALLBACK, payload)  # a malformed event is refused here, not later
    except PayloadError as exc:
        return reject("slack", exc)
    order = f"slack:{event.get('channel')}:{event.get('thread_ts') or event.get('ts')}"
    return store_event("slack", f"slack:event:{payload['event_id']}", EVENT_CALLBACK, order, text)


@bp.post("/webhooks/slack/interactions")
def interactions() -> Any:
    refused = _refused()
    if refused is not None:
        return refused
    try:
        try:
            payload = parse_json(request.form.get("payload", ""))
        except PayloadError as exc:
            raise PayloadError(f"form field payload: {exc.reason}", exc.status) from None
        if not isinstance(payload, dict):
            raise PayloadError("form field payload must hold a JSON object", 400)
        if payload.get("type") == VIEW_SUBMISSION:
            return _record_form(payload)
        if payload.get("type") != BLOCK_ACTIONS:
            return Response(status=200)
        container, actions, user_obj = (payload.get(k) for k in ("container", "actions", "user"))
        if not (isinstance(container, dict) and isinstance(user_obj, dict)
                and isinstance(actions, list) and actions and isinstance(actions[0], dict)):
            raise PayloadError("block_actions needs container, user and actions")
        if normalize(BLOCK_ACTIONS, payload) is None:
            return Response(status=200)  # not one of the connector's buttons
    except PayloadError as exc:
        return reject("slack", exc)
    user = user_obj.get("id", "")
    key = f"slack:action:{container.get('message_ts')}:{actions[0].get('action_ts')}:{user}"
    order = f"slack:{container.get('channel_id')}:{container.get('message_ts')}"
    answer = store_event("slack", key, BLOCK_ACTIONS, order, json.dumps(payload))
    return Response(status=200) if answer.status_code == 200 else answer


def _record_form(payload: dict[str, Any]) -> Any:
    """A submitted modal, stored for the worker; an empty 200 closes it (Slack's contract)."""
    form = normalize(VIEW_SUBMISSION, payload)  # PayloadError: the caller's 400
    if not isinstance(form, ChatForm):
        return Response(status=200)  # not one of the connector's modals
    view = payload["view"]  # the submitter is part of the key: nobody else's takes its place
    key = f"slack:form:{view.get('id')}:{view.get('hash')}:{form.user_id}"[:255]
    answer = store_event("slack", key, VIEW_SUBMISSION, f"slack:form:{view.get('id')}",
                         json.dumps(payload))
    return Response(status=200) if answer.status_code == 200 else answer


@bp.post("/webhooks/slack/commands")
def commands() -> Any:
    """`/helpdesk` answers at once, only to the caller, with the open escalation threads."""
    refused = _refused()
    if refused is not None:
        return refused
    c = extension().connector
    if str(request.form.get("command") or "").removeprefix("/") in c.registry.commands:
        return _record_command(c)
    why = _command_refusal(c, request.form.get("channel_id", ""), request.form.get("user_id", ""))
    if why is not None:
        current_app.logger.warning("Slack command by %s in %s refused: %s",
                                   request.form.get("user_id", "")[:40],
                                   request.form.get("channel_id", "")[:40], why)
        return jsonify(response_type="ephemeral", text=c.render("command_not_allowed"))
    with reading(c.engine) as conn:
        rows = conn.execute(select(threads.c.ticket).where(
            threads.c.chat == "slack", threads.c.state == "open",
            threads.c.channel != "alerts").order_by(threads.c.id)).scalars().all()
    listing = "\n".join(f"• {describe_ticket(TicketRef.parse(t))}" for t in rows) or "—"
    return jsonify(response_type="ephemeral", text=c.render("command_open", listing=listing))


def _record_command(c: Connector) -> Any:
    """Stored for the worker, which checks where and by whom (an outage room, its people);
    Slack shows the caller the ephemeral answer at once."""
    form = {k: request.form.get(k, "")[:4000] for k in (
        "command", "text", "channel_id", "user_id", "user_name", "trigger_id")}
    if not form["channel_id"] or not form["user_id"] or not form["trigger_id"]:
        return reject("slack", PayloadError("channel_id, user_id and trigger_id are required"))
    answer = store_event("slack", f"slack:command:{form['trigger_id']}", COMMAND,
                         f"slack:{form['channel_id']}", json.dumps(form, ensure_ascii=False))
    if answer.status_code != 200:
        return answer
    return jsonify(response_type="ephemeral", text=c.render("command_recorded"))


def _command_refusal(c: Connector, channel_id: str, user_id: str) -> str | None:
    """Commands run only in the connector's own channels, for their members."""
    cfg = c.config.chats.slack
    assert cfg is not None
    if channel_id not in {str(v) for v in cfg.channels.values()}:
        return "not one of the connector's channels"
    chat = c.chats.get("slack")
    if chat is None:
        return None  # a dry run: nobody to ask
    try:
        return None if chat.is_member(channel_id, user_id) else "not a member of the channel"
    except ActionError as exc:
        return f"membership could not be checked ({exc})"
