"""The head of support's report from what the connector recorded live: an accident declared
at 11:40 as down since 11:00 and restored at 11:50 is 50 minutes of a 1,440-minute day — in
the JSON, the Markdown in the regulation's words, the CSV a spreadsheet opens, and the CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from connector.cli import main
from connector.clock import FakeClock
from connector.features.reports import formats
from connector.features.reports.period import Period
from connector.features.reports.report import build
from connector.features.reports.source import Scope
from tests.test_outage import Outage
from tests.test_outage_downtime import MINSK, clock, declare_from_chat, restore_and_conclude, world

__all__ = ["clock", "world"]  # Belarus on GitLab and Slack, Thursday 5 March 2026, 11:40
DAY = Period(date(2026, 3, 5), date(2026, 3, 5), MINSK)


@pytest.fixture
def fifty_minutes(world: Outage, clock: FakeClock) -> Outage:
    declare_from_chat(world, "с 11:00")
    room = world.slack.channel("erp-api-24-2026-03-05")["id"]
    restore_and_conclude(world, clock, room)
    return world


def test_the_day_s_reliability_counts_the_downtime_from_the_stated_start(
        fifty_minutes: Outage) -> None:
    report = build(fifty_minutes.c, DAY, Scope())
    assert report["period"] == {"from": "2026-03-05", "to": "2026-03-05", "minutes": 1440,
                                "zone": MINSK}
    assert report["reliability"]["percent"] == pytest.approx(100 * (1 - 50 / 1440))
    assert report["reliability"]["outage_minutes"] == pytest.approx(50)
    [outage] = report["outages"]
    assert outage == {
        "ticket": "gitlab:1#24", "service": "erp-api", "start": "2026-03-05T11:00:00+03:00",
        "end": "2026-03-05T11:50:00+03:00", "minutes": pytest.approx(50),
        "unique_minutes": pytest.approx(50), "share_pp": pytest.approx(50 / 1440 * 100),
        "start_source": "stated", "stages": {"registered": pytest.approx(0),
                                             "diagnosing": pytest.approx(10),
                                             "restored": pytest.approx(0)},
        "imported": False}
    [api] = [s for s in report["services"] if s["service"] == "erp-api"]
    assert (api["outages"], api["outage_minutes"]) == (1, pytest.approx(50))
    assert report["stages"]["diagnosing"]["count"] == 1
    assert report["stages"]["diagnosing"]["norm_minutes"] == 30  # Belarus's norm, wall clock
    assert report["stages"]["diagnosing"]["over_norm"] == 0


def test_a_service_s_report_is_its_own_reliability(fifty_minutes: Outage) -> None:
    assert build(fifty_minutes.c, DAY, Scope(service="erp-mis"))["reliability"]["percent"] == 100
    report = build(fifty_minutes.c, DAY, Scope(service="erp-api"))
    assert [s["service"] for s in report["services"]] == ["erp-api"]
    assert report["reliability"]["outage_minutes"] == pytest.approx(50)


def test_the_markdown_speaks_the_regulation_s_words(fifty_minutes: Outage) -> None:
    text = formats.as_markdown(fifty_minutes.c, build(fifty_minutes.c, DAY, Scope()))
    assert text.startswith("# Отчёт о надёжности: 05.03.2026 — 05.03.2026, все сервисы")
    assert "**Надёжность: 96,53 %**" in text
    assert "- gitlab:1#24, АИС «Электронный рецепт» — API: 05.03.2026 11:00 — 05.03.2026 11:50, " \
           "50 мин" in text and "(начало со слов заявившего)" in text
    assert "- Диагностика: 1 раз" in text and "diagnosing" not in text


def test_the_csv_opens_in_a_russian_spreadsheet(fifty_minutes: Outage) -> None:
    text = formats.as_csv(build(fifty_minutes.c, DAY, Scope()))
    assert text.startswith("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert row["ticket"] == "gitlab:1#24" and row["minutes"] == "50,0"
    empty = formats.as_csv(build(fifty_minutes.c, DAY, Scope()), "problems")
    assert empty == "\ufeffticket;service;stage;owner;outages\r\n"


def test_the_cli_prints_the_same_figures(fifty_minutes: Outage, tmp_path: Path,
                                         write_config: Callable[..., Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    url = str(fifty_minutes.c.engine.url)
    config = write_config(url)
    assert main(["report", "--config", str(config), "--from", "2026-03-05", "--to",
                 "2026-03-05", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["reliability"]["outage_minutes"] == pytest.approx(50)
    assert main(["report", "--config", str(config), "--from", "2026-03-05", "--to",
                 "2026-03-04"]) == 1
    assert "ends (2026-03-04) before it starts" in capsys.readouterr().err
    assert main(["report", "--config", str(config), "--from", "5.3.2026"]) == 1
    assert "--from: '5.3.2026' is not a day (write YYYY-MM-DD)" in capsys.readouterr().err
