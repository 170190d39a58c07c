"""Every receiver with its realistic samples, the headers it reads and how it authenticates."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

from plugins.slack.verify import sign
from tests.conftest import (
    ALERTS_TOKEN,
    MANTIS_SECRET,
    OTRS_HOOK_PASSWORD,
    OTRS_HOOK_USER,
    SLACK_L2,
    SLACK_SIGNING_SECRET,
    TELEGRAM_SECRET,
    WEBHOOK_SECRET,
    issue_hook,
    note_hook,
)
from tests.webhooks.hostile.documents import (
    ALERTMANAGER,
    GENERIC_ALERT,
    mantis_hook,
    otrs_hook,
    slack_button,
    slack_callback,
    telegram_button,
    telegram_message,
)
from tests.webhooks.hostile.samples import Receiver, Sample


def _gitlab_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    return {"X-Gitlab-Token": WEBHOOK_SECRET}


def mantis_signature(body: bytes) -> str:
    """`X-Signature` as the Mantis plugin's Signer makes it."""
    return "sha256=" + hmac.new(MANTIS_SECRET.encode(), body, hashlib.sha256).hexdigest()


def _mantis_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    return {"X-Signature": mantis_signature(body)}


OTRS_AUTH = "Basic " + base64.b64encode(f"{OTRS_HOOK_USER}:{OTRS_HOOK_PASSWORD}".encode()).decode()


def _otrs_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    return {"Authorization": OTRS_AUTH}


def _slack_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    """Signed over the request's own timestamp header when it has one (odd or not)."""
    ts = headers.get("X-Slack-Request-Timestamp", str(int(time.time())))
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(SLACK_SIGNING_SECRET, ts, body)}


def _telegram_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


def _alerts_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {ALERTS_TOKEN}"}


ISSUE_READ = ("object_kind", "labels", "labels[*]", "labels[*].title", "changes",
              "changes.labels", "changes.labels.previous", "changes.labels.previous[*].title",
              "project", "project.id", "user", "user.username", "assignees", "assignees[*]",
              "assignees[*].username", "object_attributes", "object_attributes.labels",
              *(f"object_attributes.{k}" for k in ("id", "iid", "title", "state", "action", "url",
                                                   "updated_at")))
NOTE_READ = ("project", "project.id", "user", "user.username", "issue", "issue.iid",
             "issue.title", "issue.state", "issue.labels", "issue.labels[*].title",
             "object_attributes", *(f"object_attributes.{k}" for k in (
                 "id", "noteable_type", "system", "note", "url", "updated_at")))
GITLAB = Receiver("gitlab", (
    Sample("issue hook", "/webhooks/gitlab", issue_hook("Priority: Low", "Priority: High", "L2"),
           (("X-Gitlab-Event", "Issue Hook"),), hot=ISSUE_READ),
    Sample("note hook", "/webhooks/gitlab", note_hook("Смотрю, @l1-user"),
           (("X-Gitlab-Event", "Note Hook"),), hot=NOTE_READ),
), _gitlab_auth, ("X-Gitlab-Token", "X-Gitlab-Event", "Idempotency-Key", "X-Gitlab-Event-UUID",
                  "X-Gitlab-Webhook-UUID"))
MANTIS = Receiver("mantis", tuple(
    Sample(event, "/webhooks/mantis", mantis_hook(event),
           (("X-Mantis-Event", event), ("X-Delivery-Id", "0b9e3c1e-8f0a-4c41-9f3e-3f1b2b0c7d11"),
            ("User-Agent", "HelpdeskConnector-MantisBT/1.0")))
    for event in ("issue_reported", "issue_updated", "note_added")
), _mantis_auth, ("X-Signature", "X-Mantis-Event", "X-Delivery-Id"))
OTRS = Receiver("otrs", tuple(
    Sample(event, f"/webhooks/otrs/{event}", otrs_hook(event))
    for event in ("TicketCreate", "TicketStateUpdate", "TicketPriorityUpdate", "ArticleCreate")
), _otrs_auth, ("Authorization",))
SLACK_HEADERS = ("X-Slack-Request-Timestamp", "X-Slack-Signature")
SLACK_EVENTS = Receiver("slack-events", (
    Sample("reply in a thread", "/webhooks/slack/events", slack_callback()),
    Sample("url_verification", "/webhooks/slack/events",
           {"token": "legacy", "challenge": "3eZbrw1a", "type": "url_verification"}),
), _slack_auth, SLACK_HEADERS)
SLACK_INTERACTIONS = Receiver("slack-interactions", (
    Sample("one-off button", "/webhooks/slack/interactions", slack_button("hdc:oneoff:1"),
           form="payload"),
    Sample("register button", "/webhooks/slack/interactions", slack_button("hdc:register:1:0"),
           form="payload"),
), _slack_auth, SLACK_HEADERS)
SLACK_COMMANDS = Receiver("slack-commands", (
    Sample("/helpdesk", "/webhooks/slack/commands", {
        "token": "legacy", "team_id": "T1", "channel_id": SLACK_L2, "user_id": "U0L2ENG",
        "command": "/helpdesk", "text": "", "response_url": "https://hooks.slack.test/c/1",
        "trigger_id": "13345224609.738"}, form="fields"),
), _slack_auth, SLACK_HEADERS)
TELEGRAM = Receiver("telegram", (
    Sample("reply in a topic", "/webhooks/telegram", telegram_message()),
    Sample("button press", "/webhooks/telegram", telegram_button()),
), _telegram_auth, ("X-Telegram-Bot-Api-Secret-Token",))
ALERTS = Receiver("alerts", (
    Sample("alertmanager", "/webhooks/alerts", ALERTMANAGER),
    Sample("generic", "/webhooks/alerts", GENERIC_ALERT),
), _alerts_auth, ("Authorization",))
RECEIVERS = (GITLAB, MANTIS, OTRS, SLACK_EVENTS, SLACK_INTERACTIONS, SLACK_COMMANDS, TELEGRAM,
             ALERTS)
