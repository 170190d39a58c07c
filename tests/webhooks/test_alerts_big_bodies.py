"""Big alerts bodies: Alertmanager sends a whole group in one body (5,000 alerts ≈ 2.4 MB) and
never retries a 4xx, so the alerts receiver takes bodies up to `alerts.max_body_mb` (16 MiB by
default), read as they come (Content-Length or chunked) and stored whole as one row; the other
receivers keep 1 MiB. On a real server (werkzeug's, in this process)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from connector.config import Config
from tests.alertmanager_bodies import storm
from tests.conftest import WEBHOOK_SECRET, config_data, issue_hook
from tests.serving import served as served_app
from tests.webhooks.conftest import stored
from tests.webhooks.test_alerts_receiver import AUTH, URL, app, metric, payloads
from webhooks.app import create_app
from webhooks.extension import MAX_BODY

__all__ = ["app"]  # the fixture, shared with the receiver's other tests


def alerts_app(db_url: str, max_body_mb: float | None = None) -> Flask:
    data = config_data(db_url, alerts=True)
    if max_body_mb is not None:
        data["alerts"]["max_body_mb"] = max_body_mb
    return create_app(Config.model_validate(data), start_worker=False, setup_logs=False)


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """The alerts receiver on a real server in this process: bodies really come in pieces."""
    try:
        with served_app(app) as base:
            yield f"{base}{URL}"
    finally:
        app.extensions["helpdesk_connector"].connector.engine.dispose()


def post(url: str, body: bytes, chunked: bool) -> requests.Response:
    """As Alertmanager posts; chunked (no Content-Length) when sent as pieces."""
    pieces = (body[i:i + 64 * 1024] for i in range(0, len(body), 64 * 1024))
    return requests.post(url, data=pieces if chunked else body, timeout=60,
                         headers={**AUTH, "Content-Type": "application/json"})


CHUNKED = [pytest.param(False, id="content-length"), pytest.param(True, id="chunked")]


@pytest.mark.parametrize("chunked", CHUNKED)
def test_a_group_of_5000_alerts_in_one_body_is_accepted_and_every_alert_stored(
    db_url: str, chunked: bool,
) -> None:
    app = alerts_app(db_url)
    body = storm(5000)
    assert 2_000_000 < len(body) < 3 * MAX_BODY  # ≈ 2.4 MB, as Alertmanager sends it

    with served(app) as url:
        response = post(url, body, chunked)

        assert response.status_code == 200 and response.json()["status"] == "accepted"
        assert stored(app) == 1  # one row: the answer does not wait for 5,000 inserts
        kept = payloads(app)
    assert len(kept) == 5000 and len({a["fingerprint"] for a in kept}) == 5000
    assert {a["group_key"] for a in kept} == {'{}:{service="erpc"}'}


@pytest.mark.parametrize("chunked", CHUNKED)
def test_a_body_over_the_alerts_bound_is_413_in_one_line(sqlite_url: str, chunked: bool) -> None:
    app = alerts_app(sqlite_url, max_body_mb=2)
    body = storm(5000)  # 2.4 MB > 2 MiB

    with served(app) as url:
        response = post(url, body, chunked)

        assert response.status_code == 413
        assert response.json() == {"error": f"body larger than {2 * MAX_BODY} bytes"}
        assert stored(app) == 0


def test_the_other_receivers_keep_their_bound(sqlite_url: str) -> None:
    """Only the alerts receiver takes a whole group: GitLab's stays at 1 MiB."""
    app = alerts_app(sqlite_url)
    body = json.dumps({**issue_hook(), "pad": "x" * MAX_BODY})

    response = app.test_client().post("/webhooks/gitlab", data=body,
                                      content_type="application/json",
                                      headers={"X-Gitlab-Event": "Issue Hook",
                                               "X-Gitlab-Token": WEBHOOK_SECRET})

    assert response.status_code == 413
    assert response.json == {"error": f"body larger than {MAX_BODY} bytes"}


def test_a_large_body_that_is_no_json_after_all_is_said_by_the_worker(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture,
) -> None:
    """Over FULL_CHECK the receiver only glances (parsing megabytes would hold the answer):
    a body cut short is accepted, then left out whole by the worker, logged and counted."""
    body = storm(1000)[:-5]

    assert client.post(URL, data=body, content_type="application/json",
                       headers=AUTH).status_code == 200
    with caplog.at_level(logging.WARNING):
        assert payloads(app) == []
    assert any("malformed JSON" in r.getMessage() for r in caplog.records)
    assert metric(client, 'hdc_alerts_rejected_total{reason="malformed_body"}') == 1
