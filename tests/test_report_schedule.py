"""The head of support's report sent by itself (issue 19 item 5): at 09:00 Minsk time the day
after, one message in the head of support's channel — the key figures with the chart — and
an issue in the tracker with the whole report; once, however many connectors share the
store, and once (the latest period only) when a connector comes back after missing it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connector.assembly import build_connector
from connector.clock import FakeClock
from connector.core import Connector
from connector.features.reports import chat_report
from connector.features.reports.period import Period
from connector.features.reports.report import build
from connector.features.reports.source import Scope
from connector.outbox_dispatch import dispatch_outbox
from connector.store.schema import report_runs
from tests.drive import run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.test_outage import HEAD, Outage, belarus_world
from tests.test_outage_downtime import MINSK, NOW, at, declare_from_chat, restore_and_conclude

HEAD_CHANNEL = "C0HEAD"
DAILY = {"name": "daily", "every": "day", "at": "09:00", "channel": "head",
         "tracker": "gitlab:1"}
TITLE = "Отчёт о надёжности: {day} — {day}, все сервисы"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)  # Thursday 5 March 2026, 11:40 in Minsk


def head_world(tmp_path: Path, db_url: str, gitlab: StandInGitLab, slack: StandInSlack,
               clock: FakeClock) -> Iterator[Outage]:
    """Belarus on GitLab and Slack, the head of support's channel, a daily report at 09:00,
    the connector running since Thursday 11:40 (what fell due before is not sent)."""
    gitlab.add_user("head", 90)
    slack.add_channel(HEAD_CHANNEL, "head_of_support", members=[HEAD])
    for world in belarus_world(tmp_path, db_url, gitlab, slack, clock=clock,
                               channels={"head": HEAD_CHANNEL},
                               reports={"target_percent": 98.5, "schedules": [DAILY]}):
        tick(world.c)
        assert sent(world) == []
        yield world


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack, clock: FakeClock) -> Iterator[Outage]:
    yield from head_world(tmp_path, sqlite_url, standin_gitlab, standin_slack, clock)


def tick(c: Connector, deliver: bool = True) -> None:
    """The schedule's job runs, as the worker's timer runs it, and the outbox is delivered."""
    [job] = [j for j in c.registry.jobs if j.name == "reports:schedule"]
    job.run(c)
    if deliver:
        run_until_idle(c)


def sent(world: Outage) -> list[dict[str, Any]]:
    """The reports in the head of support's channel: the chart and its caption."""
    return world.slack.shared_files(HEAD_CHANNEL)


def report_issues(world: Outage) -> list[dict[str, Any]]:
    return [i for i in world.gl.issues(1) if i["title"].startswith("Отчёт о надёжности")]


def test_the_day_s_report_goes_out_at_nine_the_next_morning_once(
        world: Outage, clock: FakeClock) -> None:
    declare_from_chat(world, "с 11:00")  # down since 11:00, restored at 11:50
    restore_and_conclude(world, clock, world.slack.channel("erp-api-24-2026-03-05")["id"])

    clock.set(at("06.03.2026 08:59"))
    tick(world.c)
    assert sent(world) == [] and report_issues(world) == []

    clock.set(at("06.03.2026 09:00"))
    tick(world.c)
    clock.set(at("06.03.2026 09:30"))
    tick(world.c)

    [chart] = sent(world)
    assert chart["content"].startswith(PNG) and chart["name"] == "report-2026-03-05.png"
    caption = chart["comment"]
    assert caption.startswith(TITLE.format(day="05.03.2026") + "\n")
    assert "Надёжность: 96,53 % (цель — 98,50 %); время, когда наблюдались сбои: 50 мин." \
        in caption
    assert "Сбоев: 1; сервисов с повторными сбоями: 0." in caption
    assert "Слабые зоны: 1) АИС «Электронный рецепт» — API — 50 мин." in caption
    assert "Этапы дольше нормы: нет." in caption  # diagnosing took 10 of its 30 minutes
    [issue] = report_issues(world)
    assert issue["title"] == TITLE.format(day="05.03.2026")
    assert "**Надёжность: 96,53 %**" in issue["description"]


def test_the_message_carries_the_same_figures_as_the_report(
        world: Outage, clock: FakeClock) -> None:
    declare_from_chat(world, "с 11:00")
    restore_and_conclude(world, clock, world.slack.channel("erp-api-24-2026-03-05")["id"])
    clock.set(at("06.03.2026 09:00"))
    tick(world.c)

    report = build(world.c, Period(date(2026, 3, 5), date(2026, 3, 5), MINSK), Scope())
    [chart] = sent(world)
    assert chart["comment"].startswith(chat_report.summary(world.c, report, None) + "\n")


def test_a_connector_down_at_nine_sends_only_the_latest_missed_day_once_back(
        world: Outage, clock: FakeClock) -> None:
    clock.set(at("09.03.2026 10:15"))  # down from Thursday to Monday morning
    tick(world.c)
    clock.set(at("09.03.2026 10:45"))
    tick(world.c)

    assert [f["comment"].splitlines()[0] for f in sent(world)] == [
        TITLE.format(day="08.03.2026")]
    assert [i["title"] for i in report_issues(world)] == [TITLE.format(day="08.03.2026")]


def test_a_failed_upload_and_a_failed_issue_are_retried_without_posting_twice(
        world: Outage, clock: FakeClock) -> None:
    world.slack.fail_next("files.completeUploadExternal", 500)
    world.gl.fail_next("POST", r"/projects/1/issues$", 502)
    clock.set(at("06.03.2026 09:00"))
    tick(world.c, deliver=False)
    dispatch_outbox(world.c)  # both refused: retried later
    assert sent(world) == [] and report_issues(world) == []
    clock.advance(60)  # past the outbox's backoff
    run_until_idle(world.c)

    assert len(sent(world)) == 1 and len(report_issues(world)) == 1
    assert len(world.slack.calls("files.getUploadURLExternal")) == 2  # staged anew


@pytest.fixture
def pg_world(tmp_path: Path, pg_url: str, standin_gitlab: StandInGitLab,
             standin_slack: StandInSlack, clock: FakeClock) -> Iterator[Outage]:
    yield from head_world(tmp_path, pg_url, standin_gitlab, standin_slack, clock)


def test_two_connectors_on_one_postgresql_send_the_period_once(
        pg_world: Outage, clock: FakeClock) -> None:
    first = pg_world.c
    second = build_connector(first.config, clock=clock)
    try:
        clock.set(at("06.03.2026 09:00"))
        both_at_once(lambda c: tick(c, deliver=False), first, second)
        both_at_once(dispatch_outbox, first, second)
        run_until_idle(first)
        run_until_idle(second)

        assert len(sent(pg_world)) == 1 and len(report_issues(pg_world)) == 1
        with first.engine.connect() as conn:
            runs = conn.execute(select(report_runs).order_by(report_runs.c.period)).all()
        assert [(r.schedule, r.period, r.status) for r in runs] == [
            ("daily", "2026-03-04", "before"), ("daily", "2026-03-05", "queued")]
        assert runs[1].claimed_by in (first.worker_id, second.worker_id)
    finally:
        second.engine.dispose()


def both_at_once(work: Any, *connectors: Connector, rounds: int = 3) -> None:
    """Each connector does `work` on a thread of its own, started together, `rounds` times."""
    failures: list[BaseException] = []
    for _ in range(rounds):
        barrier = threading.Barrier(len(connectors))
        threads = [threading.Thread(target=_together, args=(barrier, work, c, failures))
                   for c in connectors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert failures == []


def _together(barrier: threading.Barrier, work: Any, c: Connector,
              failures: list[BaseException]) -> None:
    barrier.wait()
    try:
        work(c)
    except BaseException as exc:  # surfaced on the test's thread
        failures.append(exc)
