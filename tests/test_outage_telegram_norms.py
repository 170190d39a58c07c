"""Sevastopol's stage norms (EMIAS «многоуровневый SLA — нормативный срок на каждый статус
объекта») on Mantis and a Telegram forum: timed from the outage's own stage moves — «Устранение»
has no Mantis status and the statuses it does have are shared with ordinary requests — a
reminder in the outage's topic and a comment at the norm, the head of support named at twice
it; no tag (the mapping serves Znuny too)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from connector.clock import FakeClock
from connector.core import Connector
from connector.features.outage import store as outages
from connector.features.outage.flows import on_ticket
from connector.features.outage.norms import remind_norms
from connector.store.db import reading
from tests.drive import run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.telegram import StandInTelegram
from tests.test_outage_telegram import (
    DUTY,
    OUTAGES,
    OWNER,
    REQUEST,
    critical_request,
    next_stage,
    press,
    sevastopol,
)

T0 = 1_772_434_800.0  # Monday 2 March 2026, 10:00 in Simferopol


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def world(sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
          standin_telegram: StandInTelegram, clock: FakeClock
          ) -> Iterator[tuple[Connector, FlaskClient]]:
    critical_request(standin_mantis)
    c, client = sevastopol(sqlite_url, standin_gitlab, standin_mantis, standin_telegram,
                           clock=clock)
    with c.engine.begin() as conn:
        on_ticket(c, conn, REQUEST)
    run_until_idle(c)
    yield c, client
    c.engine.dispose()


def status(tg: StandInTelegram) -> dict[str, Any]:
    [(topic_id, _)] = tg.topics(OUTAGES).items()
    [pinned] = tg.pinned(OUTAGES)
    return next(m for m in tg.messages(OUTAGES, topic_id) if m["message_id"] == pinned)


def reminders(c: Connector, tg: StandInTelegram) -> list[str]:
    remind_norms(c)
    remind_norms(c)  # a second process's job: nothing twice
    run_until_idle(c)
    [(topic_id, _)] = tg.topics(OUTAGES).items()
    return [m["text"] for m in tg.messages(OUTAGES, topic_id) if m["text"].startswith("⏱")]


@pytest.mark.parametrize(("presses", "stage", "minutes"), [
    (0, "Зарегистрирован", 15),  # Mantis «Назначена», as ordinary requests are
    (1, "Диагностика", 30),  # «Рассматривается»
    (2, "Устранение", 120),  # no Mantis status at all
])
def test_emias_each_outage_stage_past_its_norm_reminds_the_topic_and_twice_names_the_head(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis, clock: FakeClock, presses: int, stage: str,
        minutes: int) -> None:
    c, client = world
    for _ in range(presses):
        press(client, standin_telegram, c, status(standin_telegram)["message_id"],
              next_stage(status(standin_telegram)), OWNER)
    assert stage in status(standin_telegram)["text"]

    clock.advance(minutes * 60 - 60)
    assert reminders(c, standin_telegram) == []
    clock.advance(60)
    [first] = reminders(c, standin_telegram)
    assert first.startswith(f"⏱ #7: Норма этапа «{stage}» — прошло 100% нормы")
    assert "Руководитель поддержки" not in first

    clock.advance(minutes * 60)
    [_, second] = reminders(c, standin_telegram)
    assert "прошло 200% нормы" in second and "Руководитель поддержки" in second
    issue = standin_mantis.issue(7)
    comments = [n["text"] for n in issue["notes"] if n["text"].startswith("⏱")]
    assert len(comments) == 2 and f"Норма этапа «{stage}»" in comments[1]
    assert not issue.get("tags")  # Znuny has none: the mapping adds none anywhere


def test_moving_on_before_the_norm_ends_the_stage_s_clock(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        clock: FakeClock) -> None:
    """Registered 10 minutes, diagnosing 25: neither over its norm, nothing said; the next
    stage's norm counts from the move."""
    c, client = world
    clock.advance(10 * 60)
    press(client, standin_telegram, c, status(standin_telegram)["message_id"],
          next_stage(status(standin_telegram)), DUTY)
    clock.advance(25 * 60)
    assert reminders(c, standin_telegram) == []
    clock.advance(6 * 60)
    [only] = reminders(c, standin_telegram)
    assert "«Диагностика»" in only
    with reading(c.engine) as conn:
        assert [(e["kind"], e["stage"]) for e in outages.timeline(conn, 1)
                if e["kind"].startswith("norm")] == [("norm", "diagnosing")]
