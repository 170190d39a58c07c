"""`/report` in the chat (issue 19 item 5): the head of support asks and gets the same key
figures and chart a schedule sends — for the last 30 days, or from a day to a day; the members
of the head of support's channel may ask there, the head and the services' responsible and
duty engineers anywhere in the connector's channels; anyone else is told who may ask, and
dates that are no period get one line saying how to ask. On Slack (a slash command) and
Telegram (a bot command) alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from connector.clock import FakeClock
from connector.core import Connector
from connector.features.reports import chat_report
from connector.features.reports.period import Period
from connector.features.reports.report import build
from connector.features.reports.source import Scope
from tests.conftest import SLACK_L2, TG_L2
from tests.drive import post_slack, post_telegram, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from tests.test_outage import DUTY, HEAD, STRANGER, Outage
from tests.test_outage_downtime import MINSK, declare_from_chat, restore_and_conclude
from tests.test_outage_telegram import OWNER, sevastopol
from tests.test_report_schedule import HEAD_CHANNEL, PNG, clock, head_world

__all__ = ["clock"]
DEPUTY = "U0DEPUTY"  # in the head of support's channel, not in the catalog
USAGE = ("Отчёт о надёжности: /report — за последние 30 дней, /report 7 — за 7 дней, "
         "/report 2026-09-01 2026-09-30 — с даты по дату (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ), не больше "
         "года и не позже сегодняшнего дня.")
NOT_ALLOWED = ("Отчёт о надёжности запрашивают руководитель поддержки, участники его канала, "
               "ответственные и дежурные инженеры сервисов каталога.")


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack, clock: FakeClock) -> Iterator[Outage]:
    standin_slack.add_user(DEPUTY, "deputy", "Deputy", "deputy@example.org")
    for found in head_world(tmp_path, sqlite_url, standin_gitlab, standin_slack, clock):
        standin_slack.add_channel(HEAD_CHANNEL, "head_of_support", members=[HEAD, DEPUTY])
        yield found


def ask(world: Outage, text: str, user: str = HEAD, channel: str = HEAD_CHANNEL) -> None:
    """`/report <text>` typed in a Slack channel."""
    world.presses += 1
    body = urlencode({"command": "/report", "text": text, "channel_id": channel,
                      "user_id": user, "user_name": user.lower(),
                      "trigger_id": f"{world.presses}.7"})
    answer = post_slack(world.client, "/webhooks/slack/commands", body.encode(),
                        content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    run_until_idle(world.c)


def said(world: Outage, channel: str) -> list[str]:
    """What the bot wrote in a channel, files' comments apart."""
    return [m["text"] for m in world.slack.messages(channel) if not m.get("files")]


def summary_of(c: Connector, first: date, last: date) -> str:
    report = build(c, Period(first, last, MINSK), Scope())
    return chat_report.summary(c, report, None) + "\n" + c.render("report_chart_legend")


def test_the_head_of_support_asks_for_days_and_gets_the_report_s_figures(
        world: Outage, clock: FakeClock) -> None:
    declare_from_chat(world, "с 11:00")
    restore_and_conclude(world, clock, world.slack.channel("erp-api-24-2026-03-05")["id"])

    ask(world, "2026-03-01 2026-03-05")

    [chart] = world.slack.shared_files(HEAD_CHANNEL)
    assert chart["content"].startswith(PNG)
    assert chart["comment"] == summary_of(world.c, date(2026, 3, 1), date(2026, 3, 5))
    assert "Надёжность: 99,31 % (цель — 98,50 %)" in chart["comment"]  # 50 of 7,200 minutes


def test_without_dates_it_is_the_last_30_days(world: Outage) -> None:
    ask(world, "")

    [chart] = world.slack.shared_files(HEAD_CHANNEL)
    assert chart["comment"].startswith("Отчёт о надёжности: 04.02.2026 — 05.03.2026, все сервисы")


@pytest.mark.parametrize(("user", "channel", "answered"), [
    pytest.param(HEAD, HEAD_CHANNEL, True, id="the head in their channel"),
    pytest.param(DEPUTY, HEAD_CHANNEL, True, id="a member of the head's channel"),
    pytest.param(DUTY, SLACK_L2, True, id="a duty engineer in the connector's channel"),
    pytest.param(STRANGER, SLACK_L2, False, id="a stranger elsewhere"),
])
def test_who_may_ask_where(world: Outage, user: str, channel: str, answered: bool) -> None:
    ask(world, "7", user=user, channel=channel)

    charts = world.slack.shared_files(channel)
    assert len(charts) == (1 if answered else 0)
    assert said(world, channel)[-1:] == ([] if answered else [NOT_ALLOWED])


def test_outside_the_connector_s_channels_nobody_is_answered(
        world: Outage, standin_slack: StandInSlack) -> None:
    standin_slack.add_channel("C0RANDOM", "random", members=[HEAD])
    ask(world, "7", channel="C0RANDOM")
    assert standin_slack.messages("C0RANDOM") == []


@pytest.mark.parametrize("text", [
    "2026-02-30 2026-03-01",  # no such day
    "2026-03-05 2026-03-01",  # ends before it starts
    "2026-03-01 2026-03-31",  # not over yet: today is 5 March
    "2025-01-01 2026-03-01",  # more than a year
    "вчера", "0", "400", "2026-03-01",
])
def test_dates_that_are_no_period_get_one_line_saying_how_to_ask(
        world: Outage, text: str) -> None:
    ask(world, text)

    assert world.slack.shared_files(HEAD_CHANNEL) == []
    assert said(world, HEAD_CHANNEL) == [USAGE]


@pytest.fixture
def telegram_world(sqlite_url: str, standin_gitlab: StandInGitLab,
                   standin_mantis: StandInMantis, standin_telegram: StandInTelegram,
                   clock: FakeClock) -> Iterator[tuple[Connector, FlaskClient]]:
    """Sevastopol on Mantis and Telegram, no schedule: the catalog says who may ask."""
    c, client = sevastopol(sqlite_url, standin_gitlab, standin_mantis, standin_telegram, clock)
    yield c, client
    c.engine.dispose()


def tg_ask(world: tuple[Connector, FlaskClient], tg: StandInTelegram, text: str,
           user: int) -> None:
    """`/report <text>` written in the Telegram group."""
    update = tg.message_update(TG_L2, f"/report {text}".strip(),
                               from_user={"id": user, "first_name": "Ответственный"})
    assert post_telegram(world[1], update).status_code == 200
    run_until_idle(world[0])


def bot_texts(tg: StandInTelegram) -> list[Any]:
    return [m["text"] for m in tg.messages(TG_L2) if m["from"]["is_bot"] and "text" in m]


def test_in_telegram_the_service_s_responsible_gets_the_chart_with_its_caption(
        telegram_world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram) -> None:
    tg_ask(telegram_world, standin_telegram, "01.03.2026 02.03.2026", OWNER)

    [photo] = standin_telegram.photos(TG_L2)
    assert photo["content"].startswith(PNG)
    assert photo["caption"] == summary_of(telegram_world[0], date(2026, 3, 1), date(2026, 3, 2))


@pytest.mark.parametrize(("text", "user", "answer"), [
    pytest.param("7", 555, NOT_ALLOWED, id="a stranger"),
    pytest.param("1.3.2026", OWNER, USAGE, id="a day that is no date"),
])
def test_in_telegram_a_refusal_is_one_line(
        telegram_world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        text: str, user: int, answer: str) -> None:
    tg_ask(telegram_world, standin_telegram, text, user)

    assert standin_telegram.photos(TG_L2) == []
    assert bot_texts(standin_telegram) == [answer]
