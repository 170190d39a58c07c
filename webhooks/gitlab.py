"""GitLab receiver: verify the token, validate, dedupe, store durably, answer 200 fast.

What gets which answer (GitLab disables a hook after 4 failed deliveries, and any 4xx counts):
- wrong or missing X-Gitlab-Token → 401;
- an event we do not handle (push, pipeline, work items, notes on merge requests) → 200 ignored;
- a handled event whose body is not JSON, not UTF-8, too big or lacks the documented fields
  → 4xx with a one-line reason. Real GitLab never sends those, so only a misconfigured sender
  sees them; labels unknown to the mappings are ordinary labels, not errors.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from connector.errors import PayloadError
from plugins.gitlab.events import HANDLED_HOOKS, normalize
from webhooks.receiving import (
    body_digest,
    extension,
    read_ticket_event,
    reject,
    secrets_match,
    store_event,
)

bp = Blueprint("gitlab", __name__)


@bp.post("/webhooks/gitlab")
def receive() -> Any:
    gl = extension().connector.config.trackers.gitlab
    assert gl is not None  # the blueprint is registered only with a GitLab config
    secret = gl.webhook_secret.get_secret_value()
    if not secrets_match(request.headers.get("X-Gitlab-Token"), secret):
        return reject("gitlab", PayloadError("invalid or missing X-Gitlab-Token", 401))
    hook = request.headers.get("X-Gitlab-Event", "")
    parsed = read_ticket_event("gitlab", hook, HANDLED_HOOKS, normalize)
    if not isinstance(parsed[0], str):
        return parsed
    text, payload, event = parsed
    return store_event("gitlab", dedup_key(hook, payload, text), hook, str(event.ref), text)


def dedup_key(hook: str, payload: dict[str, Any], text: str) -> str:
    """Idempotency-Key (stable across resends); else event UUID + hook + object id; else body."""
    key = request.headers.get("Idempotency-Key")
    if key:
        return f"gitlab:idem:{key}"
    uuid = request.headers.get("X-Gitlab-Event-UUID")
    object_id = (payload.get("object_attributes") or {}).get("id")
    if uuid:
        return f"gitlab:uuid:{uuid}:{hook}:{object_id}"
    return f"gitlab:body:{body_digest(text)}"
