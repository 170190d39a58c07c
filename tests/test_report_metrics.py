"""/metrics for Grafana (issue 19 item 6): each catalog service's outage minutes so far and the
last 30 days' reliability, read from the store at scrape time by the report's own figures —
what /report says — and the shipped Grafana dashboard graphs exactly those metrics."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from connector.clock import FakeClock
from connector.features.reports.period import Period
from connector.features.reports.report import build
from connector.features.reports.source import Scope
from tests.conftest import REPO
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.test_outage import Outage
from tests.test_outage_downtime import MINSK, at, declare_from_chat, restore_and_conclude
from tests.test_report_schedule import clock, head_world
from tests.webhooks.test_ops import metrics, sample
from webhooks import ops
from webhooks.extension import ConnectorExtension

__all__ = ["clock"]
DASHBOARD = REPO / "docs" / "grafana" / "helpdesk-connector.json"


@pytest.fixture
def app(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
        standin_slack: StandInSlack, clock: FakeClock) -> Iterator[Flask]:
    """The fifty minutes of 5 March; the operations endpoints of that very connector (its
    business clock), scraped the next morning."""
    for world in head_world(tmp_path, sqlite_url, standin_gitlab, standin_slack, clock):
        fifty_minutes(world, clock)
        clock.set(at("06.03.2026 09:00"))
        app = Flask(__name__)
        ConnectorExtension(world.c, None).init_app(app)
        app.register_blueprint(ops.bp)
        app.config["connector"] = world.c
        yield app


def fifty_minutes(world: Outage, clock: FakeClock) -> None:
    declare_from_chat(world, "с 11:00")
    restore_and_conclude(world, clock, world.slack.channel("erp-api-24-2026-03-05")["id"])


def test_each_service_s_outage_minutes_so_far(app: Flask) -> None:
    scrape = metrics(app)

    assert sample(scrape, "hdc_outage_minutes_total", service="erp-api") == pytest.approx(50)
    assert ("hdc_outage_minutes_total", (("service", "erp-pharmacy"),)) in scrape  # a zero
    assert sample(scrape, "hdc_outage_minutes_total", service="erp-pharmacy") == 0


def test_the_30_days_reliability_is_what_the_report_says(app: Flask) -> None:
    scrape = metrics(app)

    last_30_days = Period(date(2026, 2, 5), date(2026, 3, 6), MINSK)
    said = build(app.config["connector"], last_30_days, Scope())["reliability"]["percent"]
    assert sample(scrape, "hdc_reliability_percent", window="30d") == pytest.approx(said)
    assert said == pytest.approx(100 * (1 - 50 / 43200))
    assert sample(scrape, "hdc_reliability_target_percent") == 98.5


def test_the_grafana_dashboard_graphs_the_metrics_the_connector_exposes(app: Flask) -> None:
    exposed = {name for name, _ in metrics(app)}
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]

    used = {m for e in exprs for m in re.findall(r"\bhdc_[a-z_]+", e)}
    assert used == {"hdc_outage_minutes_total", "hdc_reliability_percent",
                    "hdc_reliability_target_percent"}
    assert used <= exposed
    assert all(p["datasource"]["uid"] == "${datasource}" for p in dashboard["panels"])
