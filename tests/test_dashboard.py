"""The dashboard end to end: `helpdesk-connector users add` turns it on, the head of support
logs in through the form, and the page shows the very figures `helpdesk-connector report
--format json` prints for the same period — the same report, drawn."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from connector.cli import main
from connector.clock import FakeClock
from connector.config import load_config
from tests.dashboard import (
    NAME,
    PASSWORD,
    START,
    Marked,
    connector_of,
    dashboard_data,
    history,
    log_in,
)
from webhooks.app import create_app

# Ends before the outage still open began: the command reads the store on the system clock, the
# page on the frozen one, and an open outage's figures depend on now (its stated start is
# believed within spans.PLAUSIBLE_DAYS of now).
FIRST, LAST = "2026-03-01", "2026-03-17"


def test_the_page_shows_the_report_s_figures(db_url: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yml"
    config.write_text(yaml.safe_dump(dashboard_data(db_url)), encoding="utf-8")
    clock = FakeClock(START)
    app = create_app(load_config(config), start_worker=False, setup_logs=False, clock=clock)
    c = connector_of(app)
    client = app.test_client()
    assert client.get("/dashboard").status_code == 404  # off: no user yet
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n"))
    assert main(["users", "add", NAME, "--password-stdin", "--config", str(config)]) == 0
    history(c, clock)
    assert log_in(client).status_code == 303
    answer = client.get(f"/dashboard?from={FIRST}&to={LAST}")
    assert answer.status_code == 200
    page = Marked(answer.get_data(as_text=True))
    capsys.readouterr()
    assert main(["report", "--from", FIRST, "--to", LAST, "--format", "json",
                 "--config", str(config)]) == 0
    report = json.loads(capsys.readouterr().out)
    c.engine.dispose()

    headline = page.by_id["reliability"]
    assert float(headline["percent"]) == report["reliability"]["percent"]
    assert float(headline["minutes"]) == report["reliability"]["outage_minutes"]
    assert [(s["service"], float(s["minutes"]), int(s["outages"]))
            for s in page.by_class["service"]] == [
        (s["service"], s["outage_minutes"], s["outages"]) for s in report["services"]]
    assert [(o["ticket"], float(o["minutes"]), float(o["share"]))
            for o in page.by_class["outage"]] == [
        (o["ticket"], o["minutes"], o["share_pp"]) for o in report["outages"]]
    assert {s["stage"]: (int(s["count"]), s["over"]) for s in page.by_class["stage"]} == {
        name: (s["count"], str(s["over_norm"]) if s["over_norm"] is not None else "—")
        for name, s in report["stages"].items()}
    assert [p["ticket"] for p in page.by_class["problem"]] == [
        p["ticket"] for p in report["problems"]]
    assert [(s["policy"], int(s["met"]), int(s["breached"]), int(s["running"]))
            for s in page.by_class["sla"]] == [
        (s["policy"], s["met"], s["breached"], s["running"]) for s in report["sla"]
        if s["tracker"] is None]
    assert int(page.by_id["requests-total"]["count"]) == sum(
        r["count"] for r in report["requests"])
    # and the history is what the figures say it is
    assert len(report["outages"]) == 3 and report["sla"][0]["met"] == 1
