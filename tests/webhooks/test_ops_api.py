"""GET /ops/inbox|outbox[/ID]: the operator's lists as JSON, only with `ops.token` configured
and presented as a bearer token; a bad parameter is a one-line 400, never a 5xx."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine

from connector.config import Config
from connector.inbox_processing import drain_inbox
from tests.conftest import config_data, issue_hook
from tests.drive import post_hook
from webhooks.app import create_app

TOKEN = "ops-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LOW, HIGH = "Priority: Low", "Priority: High"


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    """An app with ops.token whose inbox holds one event, decided into two pending actions."""
    config = Config.model_validate({**config_data(db_url), "ops": {"token": TOKEN}})
    app = create_app(config, start_worker=False, setup_logs=False)
    post_hook(app.test_client(), issue_hook(LOW, HIGH))
    connector = app.extensions["helpdesk_connector"].connector
    drain_inbox(connector)
    engine = connector.engine
    yield app
    engine.dispose()


def get(app: Flask, path: str, headers: dict[str, str] | None = None) -> Any:
    return app.test_client().get(path, headers=AUTH if headers is None else headers)


def test_lists_the_outbox_and_the_inbox(app: Flask) -> None:
    response = get(app, "/ops/outbox?status=pending&ticket=gitlab:1%2323")
    assert response.status_code == 200
    items = response.json["items"]
    assert [(i["kind"], i["status"], i["ticket"]) for i in items] == [
        ("add_note", "pending", "gitlab:1#23"), ("update_labels", "pending", "gitlab:1#23")]
    assert items[0]["last_error"] is None and items[0]["created_at"].endswith("Z")
    assert "params" not in items[0]  # a list stays short; show has everything

    [event] = get(app, "/ops/inbox").json["items"]
    assert (event["status"], event["source"], event["event"], event["ticket"]) == (
        "done", "gitlab", "Issue Hook", "gitlab:1#23")
    assert get(app, "/ops/inbox?status=failed").json == {"items": []}
    assert len(get(app, "/ops/outbox?limit=1").json["items"]) == 1
    assert get(app, "/ops/outbox?ticket=gitlab:1%2399").json == {"items": []}


def test_shows_one_row_with_its_parameters(app: Flask) -> None:
    [newest, _] = get(app, "/ops/outbox").json["items"]
    shown = get(app, f"/ops/outbox/{newest['id']}").json
    assert shown["kind"] == "add_note" and "body" in shown["params"]
    assert shown["idempotency_key"] and shown["inbox_id"] == 1
    event = get(app, "/ops/inbox/inbox:1").json
    assert event["payload"]["object_kind"] == "issue"

    missing = get(app, "/ops/outbox/999")
    assert (missing.status_code, missing.json) == (404, {"error": "no such action: outbox:999"})


@pytest.mark.parametrize(("path", "reason"), [
    ("/ops/outbox?status=bogus", "status must be one of pending, done, dry_run, failed, "
                                 "cancelled, not 'bogus'"),
    ("/ops/inbox?status=dry_run", "status must be one of pending, done, ignored, failed, "
                                  "cancelled, not 'dry_run'"),
    ("/ops/outbox?limit=0", "limit must be a whole number from 1 to 1000, not '0'"),
    ("/ops/outbox?limit=1e3", "limit must be a whole number from 1 to 1000, not '1e3'"),
    ("/ops/outbox?limit=" + "9" * 5000, "limit must be a whole number from 1 to 1000, not '"
                                        + "9" * 40 + "'"),
    ("/ops/outbox?ticket=", "ticket must be 1 to 255 characters, e.g. gitlab:1#23"),
    ("/ops/outbox?ticket=" + "x" * 256, "ticket must be 1 to 255 characters, e.g. gitlab:1#23"),
    ("/ops/outbox?statuss=failed", "unknown parameter 'statuss'; use status, ticket, limit"),
    ("/ops/outbox?status=failed&status=done", "give each parameter once"),
    ("/ops/outbox/abc", "'abc' is not an outbox id: write a number such as 7 (or outbox:7)"),
    ("/ops/outbox/inbox:1", "'inbox:1' is not an outbox id: write a number such as 7 "
                            "(or outbox:7)"),
    ("/ops/outbox/0", "'0' is not an outbox id: write a number such as 7 (or outbox:7)"),
    ("/ops/outbox/" + "1" * 40, "'" + "1" * 40 + "' is not an outbox id: write a number such "
                                "as 7 (or outbox:7)"),
])
def test_a_bad_parameter_is_a_one_line_400(app: Flask, path: str, reason: str) -> None:
    response = get(app, path)
    assert (response.status_code, response.json) == (400, {"error": reason})


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN},
    {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer"},
    {"Authorization": "Bearer ops-token-0123456789x"}, {"Authorization": "Bearer ключ"},
])
def test_without_the_token_nothing_is_shown(
    app: Flask, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for path in ("/ops/outbox", "/ops/outbox/1", "/ops/inbox?status=bogus"):
        response = get(app, path, headers)
        assert response.status_code == 401
        assert response.json == {"error": "invalid or missing bearer token (ops.token)"}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN not in caplog.text


def test_the_scheme_is_case_insensitive(app: Flask) -> None:
    assert get(app, "/ops/outbox", {"Authorization": f"bearer {TOKEN}"}).status_code == 200


def test_without_ops_token_the_endpoints_do_not_exist(
    db_url: str, make_app: Callable[..., Flask]
) -> None:
    app = make_app(db_url)
    for path in ("/ops/outbox", "/ops/inbox/1", "/ops/elsewhere"):
        response = get(app, path)
        assert (response.status_code, response.json) == (404, {"error": "not found"})


def test_an_unknown_box_or_method(app: Flask) -> None:
    assert get(app, "/ops/tickets").status_code == 404
    response = app.test_client().post("/ops/outbox", headers=AUTH)
    assert response.status_code == 405 and "error" in (response.json or {})


def test_a_store_that_is_down_is_a_503_with_one_line(app: Flask) -> None:
    connector = app.extensions["helpdesk_connector"].connector
    connector.engine = create_engine("sqlite:////nonexistent-dir/for/sure/hdc.db")
    response = get(app, "/ops/outbox")
    assert (response.status_code, response.json) == (
        503, {"error": "store unavailable, retry later"})
