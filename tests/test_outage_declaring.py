"""Declaring an outage from chat: `/outage <service> <summary> | functions | data loss | share |
since` by a catalog person of that service creates the ticket meeting the regulation's
condition, the room opens at once, and what the declarer recorded (Belarus §1.1) is on the
ticket and the timeline; anyone else, or a malformed command, gets a clear answer and no
ticket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from connector.features.outage import store as outages
from connector.features.outage.declaring import parse
from connector.store.db import reading
from tests.conftest import SLACK_L2
from tests.drive import post_slack, post_telegram, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from tests.test_outage import L1, OWNER, STRANGER, Outage, _today, belarus_world
from tests.test_outage_telegram import OUTAGES


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack) -> Iterator[Outage]:
    yield from belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack)


def outage(world: Outage, text: str, user: str = L1, trigger: str = "1.1") -> None:
    body = urlencode({"command": "/outage", "text": text, "channel_id": SLACK_L2,
                      "user_id": user, "user_name": user.lower(), "trigger_id": trigger})
    answer = post_slack(world.client, "/webhooks/slack/commands", body.encode(),
                        content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and answer.json["response_type"] == "ephemeral"
    run_until_idle(world.c)


@pytest.mark.parametrize(("text", "service", "facts"), [
    ("erp-api Не выписываются рецепты", "erp-api", {}),
    ("ERP-API  Не выписываются рецепты | выписка, отпуск | нет | 40% | 09:30",
     "erp-api", {"functions": "выписка, отпуск", "data_loss": "нет", "share": "40%",
                 "since": "09:30"}),
    ("erp-mis Нет обмена с МИС || | 10%", "erp-mis", {"share": "10%"}),
])
def test_the_command_reads_service_summary_and_the_criteria(
        text: str, service: str, facts: dict[str, str]) -> None:
    parsed = parse(text)
    assert parsed is not None and (parsed.service, parsed.facts) == (service, facts)


@pytest.mark.parametrize("text", ["", "erp-api", "   ", "| нет | 40%"])
def test_a_command_without_service_and_summary_is_not_a_declaration(text: str) -> None:
    assert parse(text) is None


def test_l1_declares_from_the_l2_channel_and_the_room_opens(world: Outage) -> None:
    outage(world, "erp-api Не выписываются рецепты | выписка | нет | 40% аптек | 09:30")
    outage(world, "erp-api Не выписываются рецепты | выписка | нет | 40% аптек | 09:30")

    issue = world.gl.issue(1, 24)  # 23 exists already; Slack's retry made no second one
    assert {"Priority: High", "Accident", "Сервис: erp-api"} <= set(issue["labels"])
    assert "Доля затронутых клиентов: 40% аптек" in issue["description"]
    assert "Потеря данных: нет" in issue["description"]
    assert issue["assignee_ids"] == [77]
    room = world.slack.channel("erp-api-24-" + _today(world.c))
    assert {OWNER, L1} <= set(room["members"])
    with reading(world.c.engine) as conn:
        events = outages.timeline(conn, 1)
    assert [(e["kind"], e["who"]) for e in events[:2]] == [
        ("declared", "Специалист 1 ЛТП"), ("criteria", "Специалист 1 ЛТП")]
    assert events[1]["since"] == "09:30" and events[1]["data_loss"] == "нет"
    said = [m["text"] for m in world.slack.messages(SLACK_L2)]
    assert any("регистрируется" in t for t in said)


@pytest.mark.parametrize(("text", "user", "answer"), [
    ("erp-api Не выписываются рецепты", STRANGER, "Объявить сбой «АИС «Электронный рецепт» — API»"
                                                  " могут"),
    ("erp-pharmacy Аптеки не видят рецепты", L1, "Объявить сбой «Электронный рецепт — отпуск"),
    ("нет-такого Сбой", L1, "Как объявить сбой: /outage"),
    ("erp-api", L1, "Как объявить сбой: /outage"),
])
def test_anyone_else_or_a_malformed_command_gets_an_answer_and_no_ticket(
        world: Outage, text: str, user: str, answer: str) -> None:
    outage(world, text, user)
    assert not world.gl.writes("POST", r"/projects/1/issues$")
    assert any(answer in m["text"] for m in world.slack.messages(SLACK_L2))


def test_sevastopol_declares_in_telegram_and_mantis_gets_an_outage_request(
        tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
        standin_mantis: StandInMantis, standin_telegram: StandInTelegram) -> None:
    from tests.test_outage_telegram import DUTY, sevastopol
    standin_mantis.add_user("sev-owner", 31)
    standin_mantis.add_issue(7, summary="Прошлый сбой", category="Массовый сбой")
    c, client = sevastopol(sqlite_url, standin_gitlab, standin_mantis, standin_telegram)
    update = standin_telegram.message_update(
        OUTAGES, "/outage egisz-mis Не открывается МИС | запись к врачу | нет",
        from_user={"id": DUTY, "first_name": "Дежурный"})
    assert post_telegram(client, update).status_code == 200
    run_until_idle(c)

    issue = standin_mantis.issue(8)
    assert issue["category"]["name"] == "Массовый сбой"
    assert issue["severity"]["name"] == "crash"  # «Влияние: Критическое»
    assert issue["handler"]["name"] == "sev-owner"
    [(_, topic)] = standin_telegram.topics(OUTAGES).items()
    assert topic["name"].startswith("egisz-mis-8-")
    with reading(c.engine) as conn:
        assert outages.timeline(conn, 1)[1]["functions"] == "запись к врачу"
    c.engine.dispose()
