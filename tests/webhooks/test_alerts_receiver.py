"""Alerts receiver: `Authorization: Bearer <token>` only; each alert of a body becomes one inbox
event keyed by its firing and status; a bad body is refused whole, never stored half-way."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from connector.store.schema import inbox as inbox_table
from tests.conftest import ALERTS_TOKEN
from tests.webhooks.conftest import stored

URL = "/webhooks/alerts"
AUTH = {"Authorization": f"Bearer {ALERTS_TOKEN}"}


@pytest.fixture
def app(db_url: str, make_app: Callable[..., Flask]) -> Flask:
    return make_app(db_url, alerts=True)


def payloads(app: Flask) -> list[dict[str, Any]]:
    with app.extensions["helpdesk_connector"].connector.engine.connect() as conn:
        return [json.loads(p) for p in conn.execute(
            select(inbox_table.c.payload).order_by(inbox_table.c.id)).scalars()]


def am_alert(name: str, fingerprint: str, status: str = "firing") -> dict[str, Any]:
    return {"status": status,
            "labels": {"alertname": name, "severity": "critical", "instance": "db1:9100"},
            "annotations": {"summary": f"{name} on db1"},
            "startsAt": "2026-11-20T10:00:00.000Z",
            "endsAt": "2026-11-20T10:30:00.000Z" if status == "resolved" else
            "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.test/graph?g0.expr=up", "fingerprint": fingerprint}


def alertmanager(*alerts: dict[str, Any]) -> dict[str, Any]:
    """An Alertmanager webhook_config (version 4) body."""
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    return {"version": "4", "groupKey": '{}:{alertname="DiskFull"}', "truncatedAlerts": 0,
            "status": status, "receiver": "helpdesk", "groupLabels": {},
            "commonLabels": {"severity": "critical"}, "commonAnnotations": {},
            "externalURL": "http://alertmanager.test", "alerts": list(alerts)}


def generic(**fields: Any) -> dict[str, Any]:
    alert = {"id": "disk-full-db1", "status": "firing", "title": "Диск заполнен на db1",
             "severity": "critical", "summary": "95 %", "url": "https://zabbix.test/e/1",
             "started_at": "2026-11-20T10:00:00Z", **fields}
    return {"alerts": [alert]}


TWO_FIRING = alertmanager(am_alert("DiskFull", "a1b2"), am_alert("HighLoad", "c3d4"))


def send(client: FlaskClient, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.post(URL, json=body, headers=AUTH if headers is None else headers)


# --- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    pytest.param({}, id="missing"),
    pytest.param({"Authorization": "Bearer "}, id="empty"),
    pytest.param({"Authorization": "Bearer alerts-token-2"}, id="wrong"),
    pytest.param({"Authorization": f"Basic {ALERTS_TOKEN}"}, id="other scheme"),
])
def test_wrong_or_missing_bearer_token_is_401_and_stores_nothing(
    app: Flask, client: FlaskClient, headers: dict[str, str],
) -> None:
    response = send(client, TWO_FIRING, headers)

    assert response.status_code == 401
    assert response.json == {"error": "invalid or missing bearer token"}
    assert stored(app) == 0


# --- Alertmanager ----------------------------------------------------------------------------


def test_each_firing_alert_of_an_alertmanager_body_is_one_event(
    app: Flask, client: FlaskClient,
) -> None:
    response = send(client, TWO_FIRING)

    assert response.status_code == 200
    assert response.json["status"] == "accepted" and len(response.json["id"]) == 2
    assert [(p["title"], p["status"], p["severity"]) for p in payloads(app)] == [
        ("DiskFull", "firing", "critical"), ("HighLoad", "firing", "critical")]


def test_the_same_body_again_is_a_duplicate(app: Flask, client: FlaskClient) -> None:
    send(client, TWO_FIRING)

    again = send(client, copy.deepcopy(TWO_FIRING))

    assert again.status_code == 200
    assert again.json == {"status": "duplicate"}
    assert stored(app) == 2


def test_resolving_one_alert_adds_one_event(app: Flask, client: FlaskClient) -> None:
    send(client, TWO_FIRING)

    resolved = send(client, alertmanager(am_alert("DiskFull", "a1b2", "resolved"),
                                         am_alert("HighLoad", "c3d4")))

    assert resolved.json["status"] == "accepted"
    assert stored(app) == 3
    last = payloads(app)[-1]
    assert (last["title"], last["status"]) == ("DiskFull", "resolved")
    assert last["fingerprint"] == payloads(app)[0]["fingerprint"]


def test_each_alert_carries_its_group(app: Flask, client: FlaskClient) -> None:
    """What Alertmanager says of the group rides on each alert: one chat message per group."""
    body = {**TWO_FIRING, "groupLabels": {"alertname": "DiskFull"}, "truncatedAlerts": 3}
    assert send(client, body).status_code == 200

    for alert in payloads(app):
        assert (alert["group_key"], alert["group_labels"], alert["common_labels"]) == (
            '{}:{alertname="DiskFull"}', {"alertname": "DiskFull"}, {"severity": "critical"})
        assert (alert["external_url"], alert["truncated"]) == ("http://alertmanager.test", 3)
        assert alert["labels"]["instance"] == "db1:9100"
        assert alert["annotations"]["summary"].endswith("on db1")


# --- generic format --------------------------------------------------------------------------


def test_the_generic_format_is_accepted(app: Flask, client: FlaskClient) -> None:
    response = send(client, generic())

    assert response.status_code == 200 and response.json["status"] == "accepted"
    [alert] = payloads(app)
    assert alert == {"fingerprint": "generic:disk-full-db1@2026-11-20T10:00:00Z",
                     "status": "firing", "title": "Диск заполнен на db1",
                     "severity": "critical", "summary": "95 %", "url": "https://zabbix.test/e/1",
                     "started_at": "2026-11-20T10:00:00.000000Z",
                     # a generic alert is a group of its own
                     "group_key": "", "group_labels": {}, "common_labels": {},
                     "external_url": "", "truncated": 0, "labels": {}, "annotations": {},
                     "source_fingerprint": ""}
    assert send(client, generic(status="resolved")).json["status"] == "accepted"
    assert send(client, generic()).json["status"] == "duplicate"


# --- bad input: 4xx, one line, nothing stored ------------------------------------------------


def _edit(body: dict[str, Any], edit: Callable[[dict[str, Any]], Any]) -> bytes:
    body = copy.deepcopy(body)
    edit(body)
    return json.dumps(body).encode()


def _second_bad(b: dict[str, Any]) -> None:
    b["alerts"][1]["status"] = "weird"


BAD = [
    pytest.param(b'{"alerts": [', 400, "malformed JSON", id="not JSON"),
    pytest.param(b"[]", 422, "alerts", id="array body"),
    pytest.param(_edit(TWO_FIRING, lambda b: b.update(alerts=[])), 422, "the list is empty",
                 id="empty list"),
    pytest.param(_edit(TWO_FIRING, lambda b: b.update(alerts={"0": {}})), 422,
                 "list of alerts", id="alerts not a list"),
    pytest.param(_edit(TWO_FIRING, lambda b: b["alerts"][0].update(status="weird")), 422,
                 "alerts[0].status", id="status weird"),
    pytest.param(_edit(TWO_FIRING, lambda b: b["alerts"][0]["labels"].pop("alertname")), 422,
                 "alerts[0].labels.alertname", id="no alertname"),
    pytest.param(_edit(TWO_FIRING, _second_bad), 422, "alerts[1].status",
                 id="second alert bad"),
    pytest.param(_edit(TWO_FIRING, lambda b: b["alerts"].append("x")), 422,
                 "alerts[2]: expected an object", id="alert not an object"),
    pytest.param(_edit(generic(), lambda b: b["alerts"][0].pop("id")), 422, "alerts[0].id",
                 id="generic without id"),
    pytest.param(_edit(generic(), lambda b: b["alerts"][0].update(title="")), 422,
                 "alerts[0].title", id="generic without title"),
]


@pytest.mark.parametrize(("body", "status", "reason"), BAD)
def test_a_bad_body_is_refused_whole_in_one_line(
    app: Flask, client: FlaskClient, body: bytes, status: int, reason: str,
) -> None:
    response = client.post(URL, data=body, content_type="application/json", headers=AUTH)

    assert response.status_code == status
    error = response.get_json()["error"]
    assert reason in error and "\n" not in error and len(error) < 200
    assert stored(app) == 0


def test_a_body_that_is_not_json_content_is_415(app: Flask, client: FlaskClient) -> None:
    response = client.post(URL, data=json.dumps(TWO_FIRING), content_type="text/plain",
                           headers=AUTH)

    assert response.status_code == 415
    assert stored(app) == 0
