"""The dashboard as tests reach it: the real app on a store holding a known March 2026 of
Belarus outages (tests/outage_history.py), a user of the store, a login through the form, and
the figures a page carries read back from its HTML (each figure's unrounded value sits in a
`data-` attribute beside the rounded text people read)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert
from werkzeug.test import TestResponse

from connector.clock import FakeClock
from connector.config import Config
from connector.core import Connector
from connector.features.reports.dashboard import users
from connector.features.reports.dashboard.passwords import hash_password
from connector.store.schema import sla_clocks
from tests.conftest import config_data
from tests.outage_history import Down, Problem, at, record
from webhooks.app import create_app

NAME, PASSWORD = "head", "correct horse battery"
START = at("01.03.2026 00:00")  # the clock before the history is written
NOW = at("20.03.2026 12:00")  # Friday, after it: the default page is 19.02 — 20.03.2026
TARGET = 98.5
HIGH, LOW = "Priority: High", "Priority: Low"
DOWNS = (
    Down("gitlab:1#1", "erp-api", at("05.03.2026 11:00"), at("05.03.2026 11:50")),
    Down("gitlab:1#2", "erp-mis", at("05.03.2026 11:30"), at("05.03.2026 12:30")),
    Down("gitlab:1#3", "erp-pharmacy", at("09.03.2026 23:00"), at("10.03.2026 01:00")),
    Down("gitlab:1#4", "erp-api", at("18.03.2026 10:00"), None),  # still down
)
PROBLEMS = (Problem("gitlab:1#9", "erp-api", at("06.03.2026 10:00"), ("gitlab:1#1",)),)
CLOCKS = (("gitlab:1#101", "triage", "met", 0), ("gitlab:1#102", "triage", "met", 100),
          ("gitlab:1#103", "triage", "running", 0))  # (ticket, policy, state, level fired)
REQUESTS = ((101, at("05.03.2026 09:00"), HIGH), (102, at("05.03.2026 10:00"), LOW),
            (103, at("16.03.2026 09:00"), HIGH))


def dashboard_data(db_url: str, **dashboard: Any) -> dict[str, Any]:
    """The tests' config (Belarus on GitLab) with EMIAS's target and the dashboard's
    settings."""
    data = config_data(db_url)
    data["reports"] = {"target_percent": TARGET, "dashboard": dashboard}
    return data


def dashboard_app(db_url: str, clock: FakeClock, **dashboard: Any) -> Flask:
    """The receivers' app (no worker), the dashboard among its pages."""
    return create_app(Config.model_validate(dashboard_data(db_url, **dashboard)),
                      start_worker=False, setup_logs=False, clock=clock)


def connector_of(app: Flask) -> Connector:
    found: Connector = app.extensions["helpdesk_connector"].connector
    return found


def add_user(c: Connector, name: str = NAME, password: str = PASSWORD) -> None:
    with c.engine.begin() as conn:
        users.add(conn, name, hash_password(password))


def history(c: Connector, clock: FakeClock) -> None:
    """March 2026: two overlapping outages on the 5th, one across the night of the 9th, one
    still open since the 18th; a problem; three requests and their SLA clocks — each written
    at its moment by a clock that was at START or before. The clock left at NOW."""
    record(c, clock, DOWNS, PROBLEMS, REQUESTS, then=NOW)
    started = {f"gitlab:1#{iid}": created for iid, created, _ in REQUESTS}
    with c.engine.begin() as conn:  # the SLA clocks' rows as the sla feature leaves them
        conn.execute(insert(sla_clocks), [{
            "ticket": ticket, "policy": policy, "mapping": "belarus-ehr", "state": state,
            "clock": json.dumps({"state": state, "started_at": started[ticket]}),
            "level": level, "status": "done", "ordering_key": f"{ticket}|{policy}",
            "updated_at": NOW, "started_at": started[ticket]}
            for ticket, policy, state, level in CLOCKS])


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "the form carries no CSRF token"
    return found[1]


def log_in(client: FlaskClient, name: str = NAME, password: str = PASSWORD,
           **options: Any) -> TestResponse:
    """The form fetched (its token and nonce cookie), then sent."""
    form = client.get("/dashboard/login", **options)
    return client.post("/dashboard/login", data={
        "csrf": csrf_of(form.get_data(as_text=True)), "name": name, "password": password},
        **options)


def set_cookies(answer: TestResponse) -> dict[str, str]:
    """Each cookie the answer sets: its whole Set-Cookie line."""
    return {line.split("=", 1)[0]: line for line in answer.headers.getlist("Set-Cookie")}


class Marked(HTMLParser):
    """The elements a page marks with data- attributes: by id, and by class in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.by_class: dict[str, list[dict[str, str]]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        data = {k.removeprefix("data-"): v for k, v in found.items() if k.startswith("data-")}
        if not data:
            return
        if "id" in found:
            self.by_id[found["id"]] = data
        for name in found.get("class", "").split():
            self.by_class.setdefault(name, []).append(data)


def problem_line(page: str) -> str:
    """The one line a page says is wrong."""
    found = re.search(r'id="problem">([^<]*)<', page)
    assert found, "the page says nothing is wrong"
    return found[1]
