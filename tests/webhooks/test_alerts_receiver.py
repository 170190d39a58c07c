"""Alerts receiver: `Authorization: Bearer <token>` only; a body is stored whole (one inbox row,
however big: Alertmanager sends a whole group at once and never retries a 4xx) and the worker
splits it into one event per alert, keyed by its firing and status. Each alert is judged alone:
a bad one is left out, said on its group's events, logged once and counted; only a body that is
no alerts body at all is refused, in one line, with nothing stored."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from connector.alertintake import BODY_EVENT, split_body
from connector.core import Connector
from connector.store.claims import claim
from connector.store.db import now
from connector.store.schema import inbox as inbox_table
from tests.alertmanager_bodies import am_alert as storm_alert
from tests.alertmanager_bodies import group_body
from tests.conftest import ALERTS_TOKEN
from tests.webhooks.conftest import stored

URL = "/webhooks/alerts"
AUTH = {"Authorization": f"Bearer {ALERTS_TOKEN}"}


@pytest.fixture
def app(db_url: str, make_app: Callable[..., Flask]) -> Flask:
    return make_app(db_url, alerts=True)


def split_bodies(connector: Connector) -> None:
    """What the worker does first with a stored body: split it into alert events (which the
    alerts feature then takes: tests/test_alerts_channel.py)."""
    while True:
        with connector.engine.begin() as conn:
            rows = claim(conn, inbox_table, worker=connector.worker_id, now=now(conn),
                         lease_seconds=60, limit=10, match={"event_name": BODY_EVENT})
        if not rows:
            return
        for row in rows:
            split_body(connector, row)


def payloads(app: Flask) -> list[dict[str, Any]]:
    """The alerts the worker made of the stored bodies, in order."""
    connector = app.extensions["helpdesk_connector"].connector
    split_bodies(connector)
    with connector.engine.connect() as conn:
        return [json.loads(p) for p in conn.execute(
            select(inbox_table.c.payload).where(inbox_table.c.event_name == "alert")
            .order_by(inbox_table.c.id)).scalars()]


def metric(client: FlaskClient, line: str) -> float:
    """A sample's value on /metrics (0 when absent)."""
    for row in client.get("/metrics").get_data(as_text=True).splitlines():
        if row.startswith(line + " "):
            return float(row.rsplit(" ", 1)[1])
    return 0.0


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
    assert response.json["status"] == "accepted" and isinstance(response.json["id"], int)
    assert stored(app) == 1  # the body, whole: the worker splits it
    assert [(p["title"], p["status"], p["severity"]) for p in payloads(app)] == [
        ("DiskFull", "firing", "critical"), ("HighLoad", "firing", "critical")]


def test_the_same_body_again_is_a_duplicate(app: Flask, client: FlaskClient) -> None:
    send(client, TWO_FIRING)

    again = send(client, copy.deepcopy(TWO_FIRING))

    assert again.status_code == 200
    assert again.json == {"status": "duplicate"}
    assert len(payloads(app)) == 2


def test_resolving_one_alert_adds_one_event(app: Flask, client: FlaskClient) -> None:
    send(client, TWO_FIRING)

    resolved = send(client, alertmanager(am_alert("DiskFull", "a1b2", "resolved"),
                                         am_alert("HighLoad", "c3d4")))

    assert resolved.json["status"] == "accepted"
    assert len(payloads(app)) == 3
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
                     "source_fingerprint": "", "rejected": [], "rejected_count": 0}
    assert send(client, generic(status="resolved")).json["status"] == "accepted"
    assert send(client, generic()).json["status"] == "duplicate"


# --- a bad alert: said, logged once, counted; the rest of its group kept ----------------------


def _edit(body: dict[str, Any], edit: Callable[[dict[str, Any]], Any]) -> bytes:
    body = copy.deepcopy(body)
    edit(body)
    return json.dumps(body).encode()


THREE = alertmanager(am_alert("DiskFull", "a1"), am_alert("HighLoad", "b2"),
                     am_alert("Unnamed", "c3"))
THREE["groupKey"] = '{}:{service="erpc"}'


def test_a_group_of_three_with_one_alert_without_alertname_keeps_two_and_says_the_third(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture,
) -> None:
    body = copy.deepcopy(THREE)
    del body["alerts"][2]["labels"]["alertname"]

    with caplog.at_level(logging.WARNING):
        response = send(client, body)
        kept = payloads(app)

    assert response.status_code == 200 and response.json["status"] == "accepted"
    assert [a["title"] for a in kept] == ["DiskFull", "HighLoad"]
    said = "alerts[2].labels.alertname: required string is missing"
    assert all(a["rejected"] == [said] and a["rejected_count"] == 1 for a in kept)
    assert {a["group_key"] for a in kept} == {'{}:{service="erpc"}'}
    logged = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert len(logged) == 1 and said in logged[0] and "\n" not in logged[0]
    assert metric(client, 'hdc_alerts_rejected_total{reason="missing_alertname"}') == 1


def _status_weird(b: dict[str, Any]) -> None:
    b["alerts"][1]["status"] = "weird"


BAD_ALERTS = [
    pytest.param(lambda b: b["alerts"][1]["labels"].pop("alertname"), "missing_alertname",
                 "alerts[1].labels.alertname", id="no alertname"),
    pytest.param(lambda b: b["alerts"][1]["labels"].update(alertname=""), "missing_alertname",
                 "alerts[1].labels.alertname", id="empty alertname"),
    pytest.param(_status_weird, "bad_status", "alerts[1].status", id="status weird"),
    pytest.param(lambda b: b["alerts"].__setitem__(1, "x"), "not_object",
                 "alerts[1]: expected an object", id="not an object"),
    pytest.param(lambda b: b["alerts"][1].update(labels=["alertname"]), "bad_type",
                 "alerts[1].labels", id="labels a list"),
    pytest.param(lambda b: b["alerts"][1]["labels"].update(instance=9100), "bad_type",
                 "alerts[1].labels", id="a label a number"),
    pytest.param(lambda b: b["alerts"][1].update(annotations="x"), "bad_type",
                 "alerts[1].annotations", id="annotations text"),
    pytest.param(lambda b: b["alerts"][1].update(fingerprint=7), "bad_type",
                 "alerts[1].fingerprint", id="fingerprint a number"),
    pytest.param(lambda b: b["alerts"][1].update(startsAt="вчера"), "bad_timestamp",
                 "alerts[1].startsAt", id="startsAt no time"),
    pytest.param(lambda b: b["alerts"][1].update(startsAt=1700000000), "bad_type",
                 "alerts[1].startsAt", id="startsAt a number"),
    pytest.param(lambda b: b["alerts"][1]["annotations"].update(summary="\ud800"), "bad_text",
                 "lone surrogate", id="a lone surrogate"),
]


@pytest.mark.parametrize(("edit", "reason", "said"), BAD_ALERTS)
def test_a_bad_alert_is_left_out_and_the_rest_of_its_group_kept(
    app: Flask, client: FlaskClient, edit: Callable[[dict[str, Any]], Any], reason: str,
    said: str,
) -> None:
    response = client.post(URL, data=_edit(THREE, edit), content_type="application/json",
                           headers=AUTH)

    assert response.status_code == 200 and response.json["status"] == "accepted"
    kept = payloads(app)
    assert [a["title"] for a in kept] == ["DiskFull", "Unnamed"]
    [line] = kept[0]["rejected"]
    assert said in line and "\n" not in line
    assert metric(client, f'hdc_alerts_rejected_total{{reason="{reason}"}}') == 1


def test_a_body_whose_every_alert_is_bad_is_accepted_and_counted(
    app: Flask, client: FlaskClient,
) -> None:
    body = copy.deepcopy(THREE)
    for a in body["alerts"]:
        a["status"] = "pending"

    assert send(client, body).status_code == 200
    assert payloads(app) == []
    assert metric(client, 'hdc_alerts_rejected_total{reason="bad_status"}') == 3


def test_truncated_alerts_are_stored_with_the_group(app: Flask, client: FlaskClient) -> None:
    body = copy.deepcopy(TWO_FIRING)
    body["truncatedAlerts"] = 4998

    assert send(client, body).status_code == 200
    assert [a["truncated"] for a in payloads(app)] == [4998, 4998]


# --- not an alerts body at all: 4xx, one line, nothing stored -------------------------------


BAD = [
    pytest.param(b'{"alerts": [', 400, "malformed JSON", id="not JSON"),
    pytest.param(b"[]", 422, "alerts", id="array body"),
    pytest.param(_edit(TWO_FIRING, lambda b: b.update(alerts=[])), 422, "the list is empty",
                 id="empty list"),
    pytest.param(_edit(TWO_FIRING, lambda b: b.update(alerts={"0": {}})), 422,
                 "list of alerts", id="alerts not a list"),
    pytest.param(_edit(TWO_FIRING, lambda b: b.pop("alerts")), 422, "list of alerts",
                 id="no alerts"),
    pytest.param(b'{"alerts": [{}]} x', 400, "malformed JSON", id="trailing text"),
]


@pytest.mark.parametrize(("body", "status", "reason"), BAD)
def test_a_body_that_is_no_alerts_body_is_refused_whole_in_one_line(
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


def test_a_body_split_again_adds_nothing(app: Flask, client: FlaskClient) -> None:
    """The worker stores a big body's alerts in pieces (the store's lock let go between them):
    a body split again after a stop half-way adds only what is missing — here nothing."""
    send(client, group_body([storm_alert(i) for i in range(600)]))
    first = payloads(app)
    with app.extensions["helpdesk_connector"].connector.engine.begin() as conn:
        conn.execute(update(inbox_table).where(inbox_table.c.event_name == BODY_EVENT)
                     .values(status="pending", claimed_by=None, lease_until=None))

    assert payloads(app) == first and len(first) == 600


def test_a_group_key_with_a_lone_surrogate_keeps_its_alerts(
    app: Flask, client: FlaskClient,
) -> None:
    """No UTF-8 holds \\ud800: the key is kept escaped, the group's alerts are not lost."""
    body = json.dumps({**TWO_FIRING, "groupKey": '{}:{x="\ud800"}'}).encode()

    response = client.post(URL, data=body, content_type="application/json", headers=AUTH)

    assert response.status_code == 200
    assert [a["group_key"] for a in payloads(app)] == ['{}:{x="\\ud800"}'] * 2
