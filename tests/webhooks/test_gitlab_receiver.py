"""GitLab receiver: verify the token, ignore what the rules do not handle with a 200, refuse
malformed bodies with a one-line 4xx, and store each delivery once (API_NOTES.md, GitLab)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine

from tests.conftest import FIXTURES, issue_hook
from tests.drive import post_hook
from tests.webhooks.conftest import stored

URL = "/webhooks/gitlab"
LOW, HIGH = "Priority: Low", "Priority: High"


def note_hook(**attributes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(
        (FIXTURES / "gitlab" / "gitlab_note_on_issue_hook.json").read_text(encoding="utf-8"))
    payload["object_attributes"].update(attributes)
    return payload


# --- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "wrong-secret", "hook-secret-42 "],
                         ids=["missing", "empty", "wrong", "trailing space"])
def test_wrong_or_missing_token_is_401_and_stores_nothing(
    app: Flask, client: FlaskClient, token: str | None
) -> None:
    headers = {"X-Gitlab-Event": "Issue Hook"}
    if token is not None:
        headers["X-Gitlab-Token"] = token

    response = client.post(URL, json=issue_hook(LOW, HIGH), headers=headers)

    assert response.status_code == 401
    assert response.json == {"error": "invalid or missing X-Gitlab-Token"}
    assert stored(app) == 0


def test_valid_issue_hook_is_accepted_and_stored(app: Flask, client: FlaskClient) -> None:
    response = post_hook(client, issue_hook(LOW, HIGH))
    assert response.status_code == 200
    assert response.json["status"] == "accepted"
    assert stored(app) == 1


def test_note_on_an_issue_is_accepted(app: Flask, client: FlaskClient) -> None:
    response = post_hook(client, note_hook(), event="Note Hook")
    assert response.json["status"] == "accepted"
    assert stored(app) == 1


# --- events the rules do not handle: 200, nothing stored -------------------------------------


def work_item() -> dict[str, Any]:
    payload = issue_hook(LOW, HIGH)
    payload["object_kind"] = "work_item"
    return payload


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        pytest.param("Push Hook", {"object_kind": "push"}, id="push"),
        pytest.param("Pipeline Hook", {"object_kind": "pipeline"}, id="pipeline"),
        pytest.param("Issue Hook", work_item(), id="work item"),
        pytest.param("Note Hook", note_hook(noteable_type="MergeRequest"), id="note on MR"),
        pytest.param("Note Hook", note_hook(system=True), id="system note"),
        pytest.param("", issue_hook(LOW, HIGH), id="no event header"),
    ],
)
def test_unhandled_events_are_ignored_with_200(
    app: Flask, client: FlaskClient, event: str, payload: dict[str, Any]
) -> None:
    response = post_hook(client, payload, event=event)

    assert response.status_code == 200
    assert response.json["status"] == "ignored"
    assert stored(app) == 0


def test_labels_unknown_to_the_mappings_are_accepted(app: Flask, client: FlaskClient) -> None:
    response = post_hook(client, issue_hook("Frontend", "Что-то своё"))
    assert response.status_code == 200
    assert response.json["status"] == "accepted"
    assert stored(app) == 1


# --- malformed input: 4xx with a one-line reason, inbox stays empty --------------------------


def changed(edit: Callable[[dict[str, Any]], None]) -> bytes:
    payload = copy.deepcopy(issue_hook(LOW, HIGH))
    edit(payload)
    return json.dumps(payload).encode()


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda p: p.pop(key)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def edit(p: dict[str, Any]) -> None:
        for part in parents:
            p = p[part]
        p[last] = value
    return edit


JSON = "application/json"
BAD_INPUT = [
    pytest.param(b'{"object_kind": "issue",', JSON, 400, "malformed JSON", id="malformed JSON"),
    pytest.param(changed(lambda p: None), "text/plain", 415, "content type", id="text/plain"),
    pytest.param(b'{"title": "\xff\xfe"}', JSON, 400, "UTF-8", id="invalid UTF-8"),
    pytest.param(b'{"pad": "' + b"x" * (1024 * 1024) + b'"}', JSON, 413, "larger than",
                 id="over 1 MiB"),
    pytest.param(b"[1, 2, 3]", JSON, 422, "JSON object", id="array"),
    pytest.param(changed(_drop("object_attributes")), JSON, 422, "object_attributes",
                 id="no object_attributes"),
    pytest.param(changed(_set("object_attributes.iid", "23")), JSON, 422,
                 "object_attributes.iid: expected int", id="iid a string"),
    pytest.param(changed(_set("labels", "Priority: High")), JSON, 422, "labels: expected a list",
                 id="labels not a list"),
    pytest.param(changed(_set("labels", [{"id": 1}])), JSON, 422, "labels[0].title",
                 id="label without title"),
    pytest.param(changed(lambda p: p["user"].pop("username")), JSON, 422, "user.username",
                 id="no username"),
    pytest.param(changed(_set("project.id", None)), JSON, 422, "project.id", id="no project id"),
    pytest.param(changed(_set("object_attributes.updated_at", "yesterday")), JSON, 422,
                 "updated_at", id="bad timestamp"),
]


@pytest.mark.parametrize(("body", "content_type", "status", "reason"), BAD_INPUT)
def test_bad_input_is_refused_with_a_one_line_reason(
    sqlite_url: str, make_app: Callable[[str], Flask], body: bytes, content_type: str,
    status: int, reason: str,
) -> None:
    app = make_app(sqlite_url)

    response = app.test_client().post(URL, data=body, content_type=content_type, headers={
        "X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": "hook-secret-42"})

    assert response.status_code == status
    assert response.json is not None
    error = response.json["error"]
    assert reason in error
    assert "\n" not in error and len(error) < 300
    assert stored(app) == 0


# --- deduplication ---------------------------------------------------------------------------


def test_same_idempotency_key_is_a_duplicate(app: Flask, client: FlaskClient) -> None:
    payload = issue_hook(LOW, HIGH)
    first = post_hook(client, payload, **{"Idempotency-Key": "k-1",
                                          "X-Gitlab-Webhook-UUID": "attempt-1"})
    second = post_hook(client, payload, **{"Idempotency-Key": "k-1",
                                           "X-Gitlab-Webhook-UUID": "attempt-2"})

    assert first.json["status"] == "accepted"
    assert second.status_code == 200
    assert second.json["status"] == "duplicate"
    assert stored(app) == 1


def test_different_idempotency_keys_are_different_events(app: Flask, client: FlaskClient) -> None:
    payload = issue_hook(LOW, HIGH)
    post_hook(client, payload, **{"Idempotency-Key": "k-1"})
    second = post_hook(client, payload, **{"Idempotency-Key": "k-2"})
    assert second.json["status"] == "accepted"
    assert stored(app) == 2


def test_event_uuid_with_hook_and_object_is_the_fallback_key(
    app: Flask, client: FlaskClient
) -> None:
    uuid = {"X-Gitlab-Event-UUID": "e-1"}
    first = post_hook(client, issue_hook(LOW, HIGH), **uuid)
    # Same originating request and issue: a duplicate, whatever the body says by now.
    again = post_hook(client, issue_hook(HIGH), **uuid)
    note = post_hook(client, note_hook(), event="Note Hook", **uuid)

    assert first.json["status"] == "accepted"
    assert again.json["status"] == "duplicate"
    assert note.json["status"] == "accepted"  # another hook fired by the same request
    assert stored(app) == 2


def test_webhook_uuid_alone_never_makes_a_new_event(app: Flask, client: FlaskClient) -> None:
    payload = issue_hook(LOW, HIGH)
    post_hook(client, payload, **{"X-Gitlab-Event-UUID": "e-1", "X-Gitlab-Webhook-UUID": "a"})
    second = post_hook(client, payload, **{"X-Gitlab-Event-UUID": "e-1",
                                           "X-Gitlab-Webhook-UUID": "b"})
    assert second.json["status"] == "duplicate"
    assert stored(app) == 1


def test_without_headers_an_identical_body_is_a_duplicate(app: Flask, client: FlaskClient) -> None:
    first = post_hook(client, issue_hook(LOW, HIGH))
    same = post_hook(client, issue_hook(LOW, HIGH))
    other = post_hook(client, issue_hook(LOW, HIGH, iid=24))

    assert first.json["status"] == "accepted"
    assert same.json["status"] == "duplicate"
    assert other.json["status"] == "accepted"
    assert stored(app) == 2


def test_store_outage_is_503_not_500(
    sqlite_url: str, make_app: Callable[[str], Flask]
) -> None:
    app = make_app(sqlite_url)
    connector = app.extensions["helpdesk_connector"].connector
    connector.engine = create_engine("sqlite:////nonexistent-dir/for/sure/hdc.db")

    response = post_hook(app.test_client(), issue_hook(LOW, HIGH))

    assert response.status_code == 503
    assert "store unavailable" in response.json["error"]
