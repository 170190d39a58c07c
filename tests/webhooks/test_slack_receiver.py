"""Slack receivers: only requests signed with the signing secret within 300 s get in; events
are stored once by `event_id`, button presses once; slash commands answer at once (API_NOTES.md)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from connector.chat import Posted
from connector.store import threads
from plugins.slack.verify import sign
from tests.conftest import SLACK_L2, SLACK_SIGNING_SECRET
from tests.drive import post_slack, slack_reply
from tests.standins.slack import StandInSlack
from tests.webhooks.conftest import stored

EVENTS, INTERACTIONS, COMMANDS = ("/webhooks/slack/events", "/webhooks/slack/interactions",
                                  "/webhooks/slack/commands")
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def app(db_url: str, standin_slack: StandInSlack, make_app: Callable[..., Flask]) -> Flask:
    return make_app(db_url, slack=standin_slack)


def callback(event_id: str = "Ev01", **fields: Any) -> bytes:
    event = {"type": "message", "channel": SLACK_L2, "user": "U0L2ENG", "text": "Смотрю",
             "ts": "1700000001.000200", "thread_ts": "1700000000.000100"}
    return json.dumps({"type": "event_callback", "event_id": event_id, "event": event,
                       **fields}).encode()


def block_actions(value: str = "hdc:oneoff:1") -> dict[str, Any]:
    return {"type": "block_actions", "user": {"id": "U0L1", "name": "l1-duty"},
            "container": {"type": "message", "message_ts": "1700000000.000100",
                          "channel_id": SLACK_L2},
            "channel": {"id": SLACK_L2}, "response_url": "https://hooks.slack.test/r/1",
            "actions": [{"action_id": value, "value": value, "action_ts": "1700000002.1"}]}


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


# --- signatures ------------------------------------------------------------------------------


def _changed_after_signing(client: FlaskClient, path: str, body: bytes, ct: str) -> Any:
    ts = str(int(time.time()))
    return client.post(path, data=body + b" ", content_type=ct, headers={
        "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SLACK_SIGNING_SECRET, ts, body)})


FORGED = [
    pytest.param(lambda c, p, b, ct: post_slack(c, p, b, content_type=ct, secret="forged"),
                 id="wrong secret"),
    pytest.param(lambda c, p, b, ct: post_slack(c, p, b, content_type=ct,
                                                timestamp=int(time.time()) - 301), id="301 s old"),
    pytest.param(lambda c, p, b, ct: post_slack(c, p, b, content_type=ct,
                                                timestamp=int(time.time()) + 301),
                 id="301 s in the future"),
    pytest.param(lambda c, p, b, ct: c.post(p, data=b, content_type=ct), id="no headers"),
    pytest.param(lambda c, p, b, ct: c.post(p, data=b, content_type=ct, headers={
        "X-Slack-Request-Timestamp": str(int(time.time()))}), id="no signature"),
    pytest.param(_changed_after_signing, id="body changed after signing"),
]
ENDPOINTS = [
    pytest.param(EVENTS, callback(), "application/json", id="events"),
    pytest.param(INTERACTIONS, form(payload=json.dumps(block_actions())), FORM, id="interactions"),
    pytest.param(COMMANDS, form(command="/helpdesk", text=""), FORM, id="commands"),
]


@pytest.mark.parametrize("send", FORGED)
@pytest.mark.parametrize(("path", "body", "content_type"), ENDPOINTS)
def test_unsigned_forged_or_stale_requests_are_401_and_store_nothing(
    app: Flask, client: FlaskClient, send: Any, path: str, body: bytes, content_type: str,
) -> None:
    response = send(client, path, body, content_type)

    assert response.status_code == 401
    assert response.json == {"error": "invalid or expired Slack signature"}
    assert stored(app) == 0


@pytest.mark.parametrize("age", [0, 299, -299], ids=["now", "299 s old", "299 s ahead"])
def test_a_correctly_signed_event_within_five_minutes_is_accepted(
    app: Flask, client: FlaskClient, age: int,
) -> None:
    response = post_slack(client, EVENTS, callback(), timestamp=int(time.time()) - age)

    assert response.status_code == 200
    assert response.json["status"] == "accepted"
    assert stored(app) == 1


# --- Events API ------------------------------------------------------------------------------


def test_url_verification_echoes_the_challenge(app: Flask, client: FlaskClient) -> None:
    body = json.dumps({"type": "url_verification", "token": "legacy", "challenge": "3eZbrw1a"})
    response = post_slack(client, EVENTS, body.encode())

    assert response.status_code == 200
    assert response.json == {"challenge": "3eZbrw1a"}
    assert stored(app) == 0


def test_an_event_is_stored_once_and_slack_retries_are_duplicates(
    app: Flask, client: FlaskClient,
) -> None:
    first = slack_reply(client, channel=SLACK_L2, thread_ts="1700000000.000100", text="Смотрю",
                        event_id="Ev42", ts="1700000001.000200")
    ts = str(int(time.time()))
    body = callback("Ev42")
    retry = client.post(EVENTS, data=body, content_type="application/json", headers={
        "X-Slack-Request-Timestamp": ts, "X-Slack-Retry-Num": "1",
        "X-Slack-Retry-Reason": "http_timeout",
        "X-Slack-Signature": sign(SLACK_SIGNING_SECRET, ts, body)})
    other = post_slack(client, EVENTS, callback("Ev43"))

    assert first.json["status"] == "accepted"
    assert retry.status_code == 200 and retry.get_json()["status"] == "duplicate"
    assert other.json["status"] == "accepted"
    assert stored(app) == 2


@pytest.mark.parametrize(("body", "status", "reason"), [
    pytest.param(b'{"type": "event_callback",', 400, "malformed JSON", id="malformed JSON"),
    pytest.param(b"[1, 2]", 422, "JSON object", id="array"),
    pytest.param(json.dumps({"type": "event_callback", "event": {"type": "message"}}).encode(),
                 422, "event_id", id="no event_id"),
    pytest.param(json.dumps({"type": "event_callback", "event_id": "Ev1"}).encode(), 422,
                 "event", id="no event"),
])
def test_bad_event_bodies_are_refused_in_one_line(
    app: Flask, client: FlaskClient, body: bytes, status: int, reason: str,
) -> None:
    response = post_slack(client, EVENTS, body)

    assert response.status_code == status
    error = response.get_json()["error"]
    assert reason in error and "\n" not in error
    assert stored(app) == 0


@pytest.mark.parametrize("kind", ["app_rate_limited", "app_deleted", None])
def test_other_payload_types_are_ignored_with_200(
    app: Flask, client: FlaskClient, kind: str | None,
) -> None:
    response = post_slack(client, EVENTS, json.dumps({"type": kind, "team_id": "T1"}).encode())

    assert response.status_code == 200
    assert response.json == {"status": "ignored"}
    assert stored(app) == 0


# --- interactions ----------------------------------------------------------------------------


def test_a_button_press_is_answered_with_an_empty_200_and_stored_once(
    app: Flask, client: FlaskClient,
) -> None:
    body = form(payload=json.dumps(block_actions()))

    first = post_slack(client, INTERACTIONS, body, content_type=FORM)
    again = post_slack(client, INTERACTIONS, body, content_type=FORM)

    assert (first.status_code, first.data) == (200, b"")
    assert (again.status_code, again.data) == (200, b"")
    assert stored(app) == 1


def test_other_interaction_types_are_acknowledged_without_storing(
    app: Flask, client: FlaskClient,
) -> None:
    for other in ({"type": "view_closed", "user": {"id": "U0L1"}},
                  {"type": "view_submission", "user": {"id": "U0L1"},  # another app's modal
                   "view": {"id": "V1", "callback_id": "deploy_form", "state": {"values": {}}}}):
        response = post_slack(client, INTERACTIONS, form(payload=json.dumps(other)),
                              content_type=FORM)
        assert response.status_code == 200
    assert stored(app) == 0


def test_a_submission_of_our_modal_is_stored_once_and_a_broken_one_refused(
    app: Flask, client: FlaskClient,
) -> None:
    ours = {"type": "view_submission", "user": {"id": "U0L1"},
            "view": {"id": "V1", "hash": "1.V1", "callback_id": "hdc:outage:conclusion:1",
                     "state": {"values": {"cause": {"cause": {"value": "диск"}}}}}}
    for _ in range(2):  # Slack retries: stored once
        response = post_slack(client, INTERACTIONS, form(payload=json.dumps(ours)),
                              content_type=FORM)
        assert response.status_code == 200 and response.data == b""
    broken = {"type": "view_submission", "user": {"id": "U0L1"},
              "view": {"id": "V2", "callback_id": "hdc:outage:conclusion:1", "state": []}}
    response = post_slack(client, INTERACTIONS, form(payload=json.dumps(broken)),
                          content_type=FORM)
    assert response.status_code == 422 and response.json["error"].startswith("view.state: ")
    assert stored(app) == 1


@pytest.mark.parametrize("body", [
    pytest.param(form(payload="{not json"), id="not JSON"),
    pytest.param(form(payload="[1, 2]"), id="JSON array"),
    pytest.param(form(other="x"), id="no payload field"),
])
def test_a_bad_payload_field_is_400(app: Flask, client: FlaskClient, body: bytes) -> None:
    response = post_slack(client, INTERACTIONS, body, content_type=FORM)

    assert response.status_code == 400
    assert response.json["error"].startswith("form field payload")
    assert "\n" not in response.json["error"]
    assert stored(app) == 0


@pytest.mark.parametrize("change", [
    pytest.param({"actions": ["hdc:oneoff:1"]}, id="action not an object"),
    pytest.param({"actions": []}, id="no actions"),
    pytest.param({"user": "U0L1"}, id="user not an object"),
    pytest.param({"container": None}, id="no container"),
])
def test_a_button_press_without_its_parts_is_422(
    app: Flask, client: FlaskClient, change: dict[str, Any],
) -> None:
    body = form(payload=json.dumps({**block_actions(), **change}))
    response = post_slack(client, INTERACTIONS, body, content_type=FORM)

    assert response.status_code == 422
    assert response.json == {"error": "block_actions needs container, user and actions"}
    assert stored(app) == 0


# --- slash command ---------------------------------------------------------------------------


def test_helpdesk_command_lists_open_escalations_only_to_the_caller(
    app: Flask, client: FlaskClient,
) -> None:
    engine = app.extensions["helpdesk_connector"].connector.engine
    with engine.begin() as conn:
        threads.save(conn, "gitlab:1#23", "slack", "l2", Posted(SLACK_L2, "17.1", "17.1"))
        threads.save(conn, "gitlab:1#24", "slack", "l2", Posted(SLACK_L2, "17.2", "17.2"))
        threads.save(conn, "gitlab:1#25", "slack", "l2", Posted(SLACK_L2, "17.3", "17.3"))
        threads.save(conn, "alerts:monitoring#1", "slack", "alerts", Posted("C0A", "1.1", "1.1"))
        threads.save(conn, "gitlab:1#26", "telegram", "l2", Posted("-100", "5", "6"))
        closed = threads.find(conn, "gitlab:1#24", "slack", "l2")
        assert closed is not None
        threads.set_state(conn, closed.id, "closed")

    response = post_slack(client, COMMANDS, form(
        command="/helpdesk", text="", user_id="U0L2ENG", channel_id=SLACK_L2,
        response_url="https://hooks.slack.test/commands/1", trigger_id="13345224609.738"),
        content_type=FORM)

    assert response.status_code == 200
    assert response.json["response_type"] == "ephemeral"
    listed = [line for line in response.json["text"].splitlines() if line.startswith("•")]
    assert listed == ["• GitLab #23", "• GitLab #25"]
    assert stored(app) == 0


# --- logs ------------------------------------------------------------------------------------


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Everything logged during the test at any level (works with `-p no:logging` too)."""
    root, handler = logging.getLogger(), Records()
    level = root.level
    root.setLevel(logging.DEBUG)  # setLevel, not .level: it clears the loggers' level caches
    root.addHandler(handler)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_the_signing_secret_never_reaches_the_logs(
    client: FlaskClient, log_lines: list[str],
) -> None:
    post_slack(client, EVENTS, callback(), secret="not-the-secret")
    post_slack(client, EVENTS, b"{broken")
    post_slack(client, EVENTS, callback())
    post_slack(client, INTERACTIONS, form(payload="nope"), content_type=FORM)

    assert any("rejected slack webhook" in line for line in log_lines)  # logging did happen
    assert not [line for line in log_lines if SLACK_SIGNING_SECRET in line]


@pytest.mark.parametrize(("channel", "user"), [
    pytest.param("C0RANDOM", "U0L2ENG", id="from a channel that is not the connector's"),
    pytest.param(SLACK_L2, "U0STRANGER", id="by someone who is not a member"),
])
def test_helpdesk_command_elsewhere_or_by_others_is_not_allowed(
    app: Flask, client: FlaskClient, standin_slack: StandInSlack, channel: str, user: str,
    caplog: pytest.LogCaptureFixture
) -> None:
    standin_slack.add_channel("C0RANDOM", "random", members=["U0L2ENG"])
    engine = app.extensions["helpdesk_connector"].connector.engine
    with engine.begin() as conn:
        threads.save(conn, "gitlab:1#23", "slack", "l2", Posted(SLACK_L2, "17.1", "17.1"))

    response = post_slack(client, COMMANDS, form(
        command="/helpdesk", text="", user_id=user, channel_id=channel,
        response_url="https://hooks.slack.test/commands/1"), content_type=FORM)

    assert response.status_code == 200 and response.json["response_type"] == "ephemeral"
    assert "не выполнена" in response.json["text"] and "#23" not in response.json["text"]
    assert any("refused" in r.getMessage() for r in caplog.records)
