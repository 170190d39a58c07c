"""One message per Alertmanager group (issue 21 items 1, 2, 4), on the business clock: a group's
alerts are listed in one message per chat (Telegram: all groups in one alerts topic); a storm
edits it within each chat's rate, the last edit showing the group as it is; what L1 needs is in
it; an undecided group is raised again after `remind_after_minutes`, once per period."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from connector.clock import FakeClock
from connector.core import Connector
from connector.inbox_processing import drain_inbox
from connector.outbox_dispatch import dispatch_outbox
from tests.conftest import ALERTS_TOKEN, SLACK_ALERTS, TG_ALERTS
from tests.drive import post_slack, post_telegram, settle_on_clock
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from tests.test_alerts_channel import World
from webhooks.app import create_app


def am_alert(i: int, status: str = "firing", name: str = "ErpApiDown",
             service: str = "erp-api") -> dict[str, Any]:
    return {"status": status, "fingerprint": f"f{name}{i}",
            "labels": {"alertname": name, "service": service, "instance": f"api-{i}:9100",
                       "env": "prod", "severity": "critical", "team": "core"},
            "annotations": {"summary": f"API не отвечает на api-{i}",
                            "description": "Нет ответа на /health 3 минуты",
                            "runbook_url": "https://wiki.test/runbook",
                            "dashboard": "https://grafana.test/d/erp"},
            "startsAt": "2026-01-01T00:00:00Z", "generatorURL": f"http://prom.test/g{i}"}


def body(*alerts: dict[str, Any], name: str = "ErpApiDown", service: str = "erp-api",
         truncated: int = 0) -> dict[str, Any]:
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    return {"version": "4", "status": status, "receiver": "connector",
            "groupKey": f'{{}}:{{alertname="{name}", service="{service}"}}',
            "groupLabels": {"alertname": name, "service": service},
            "commonLabels": {"alertname": name, "service": service},
            "externalURL": "http://alertmanager.test:9093", "truncatedAlerts": truncated,
            "alerts": list(alerts)}


class Clocked(World):
    clock: FakeClock

    def send(self, payload: dict[str, Any]) -> None:
        answer = self.client.post("/webhooks/alerts", json=payload,
                                  headers={"Authorization": f"Bearer {ALERTS_TOKEN}"})
        assert answer.status_code == 200

    def settle(self) -> None:
        """Work until nothing is pending, moving the business clock to each waiting edit."""
        settle_on_clock(self.c, self.clock, self.step)

    def step(self) -> None:
        drain_inbox(self.c)
        dispatch_outbox(self.c)


@pytest.fixture
def world(db_url: str, standin_gitlab: StandInGitLab, standin_slack: StandInSlack,
          standin_telegram: StandInTelegram, make_connector: Callable[..., Connector]) -> Clocked:
    standin_gitlab.add_project(1)
    clock = FakeClock()
    c = make_connector(db_url, standin_gitlab, slack=standin_slack, telegram=standin_telegram,
                       alerts=True, clock=clock)
    w = Clocked(c, create_app(c.config, start_worker=False, setup_logs=False).test_client(),
                standin_gitlab, standin_slack, standin_telegram)
    w.clock = clock
    return w


def test_a_group_of_three_is_one_message_per_chat_and_groups_share_one_topic(
    world: Clocked,
) -> None:
    world.send(body(am_alert(1), am_alert(2), am_alert(3)))
    world.send(body(am_alert(1, name="DiskFull"), name="DiskFull"))
    world.settle()

    first, second = world.slack.messages(SLACK_ALERTS)
    assert "сработавших 3" in first["text"] and "сработавших 1" in second["text"]
    assert [f"api-{i}:9100" in first["text"] for i in (1, 2, 3)] == [True] * 3
    [topic] = world.tg.topics(TG_ALERTS)  # one alerts topic, never one per alert or group
    assert [m.get("message_thread_id") for m in world.tg.messages(TG_ALERTS)] == [topic] * 2


def test_the_message_shows_what_l1_needs(world: Clocked) -> None:
    world.send(body(am_alert(1), truncated=40))
    world.settle()

    text = world.slack_message()["text"]
    for shown in ["сервис: erp-api", "узел: api-1:9100", "среда: prod", "важность: критично",
                  "API не отвечает на api-1", "Нет ответа на /health 3 минуты",
                  "источник: http://prom.test/g1", "инструкция: https://wiki.test/runbook",
                  "панель мониторинга: https://grafana.test/d/erp",
                  "Заглушить в Alertmanager: http://alertmanager.test:9093/#/silences/new?filter="
                  "%7Balertname%3D%22ErpApiDown%22%2Cservice%3D%22erp-api%22%7D",
                  "Предлагаемый приоритет: Priority: High.",
                  "Alertmanager прислал не все оповещения группы: ещё 40"]:
        assert shown in text, shown
    assert "team" not in text  # a label the mapping does not name is not shown


@pytest.mark.parametrize(("chat", "per_minute"), [("slack", 60), ("telegram", 20)])
def test_a_storm_edits_within_the_chats_rate_and_ends_showing_the_group(
    world: Clocked, chat: str, per_minute: int,
) -> None:
    world.send(body(am_alert(0)))
    world.settle()
    start = world.clock.now()
    for i in range(1, 121):  # 120 alerts joining, two a second for a minute
        world.send(body(am_alert(i)))
        drain_inbox(world.c)
        dispatch_outbox(world.c)
        world.clock.advance(0.5)
    world.settle()

    edits = world.slack.calls("chat.update") if chat == "slack" else \
        world.tg.calls("editMessageText")
    minutes = (world.clock.now() - start) / 60
    assert 0 < len(edits) <= per_minute * minutes + 1
    final = world.slack_message()["text"] if chat == "slack" else \
        world.tg.messages(TG_ALERTS)[0]["text"]
    assert "сработавших 121" in final
    assert len(world.slack.messages(SLACK_ALERTS)) == 1


def test_an_undecided_group_is_raised_again_once_per_period(world: Clocked) -> None:
    world.send(body(am_alert(1)))
    world.settle()
    root = str(world.slack_message()["ts"])

    def reminders() -> list[str]:
        return [m["text"] for m in world.slack.messages(SLACK_ALERTS, root)
                if m["text"].startswith("⏰")]

    remind = world.c.registry.jobs[[j.name for j in world.c.registry.jobs].index(
        "alerts:reminders")].run
    world.clock.advance(29 * 60)
    remind(world.c)
    world.settle()
    assert reminders() == []
    world.clock.advance(60)
    remind(world.c)
    remind(world.c)  # a second run, or a second process, in the same period: once
    world.settle()
    [said] = reminders()
    # erp-api's L1 by the catalog, in Belarus' words (§4.2)
    assert said.startswith("⏰ Специалист 1 ЛТП: по оповещениям «ErpApiDown, erp-api» нет "
                           "решения уже 0 ч 30 мин. Нужно решить (п. 4.2 регламента): "
                           "разовое срабатывание, задача или авария.")
    world.clock.advance(30 * 60)
    remind(world.c)
    world.settle()
    assert len(reminders()) == 2

    press = {"type": "block_actions", "user": {"id": "U0L1", "username": "l1-sidorova"},
             "channel": {"id": SLACK_ALERTS}, "response_url": world.slack.response_url,
             "container": {"type": "message", "message_ts": root, "channel_id": SLACK_ALERTS},
             "actions": [{"action_id": "hdc:alerts:register:1:1",
                          "value": "hdc:alerts:register:1:1", "action_ts": "1.1"}]}
    post_slack(world.client, "/webhooks/slack/interactions",
               f"payload={json.dumps(press)}".encode(),
               content_type="application/x-www-form-urlencoded")
    world.settle()  # decided: never raised again
    assert "Priority: Medium" in world.slack_message()["text"]
    world.clock.advance(60 * 60)
    remind(world.c)
    world.settle()
    assert len(reminders()) == 2


def test_in_the_shared_telegram_topic_a_reply_belongs_to_the_group_it_answers(
    world: Clocked,
) -> None:
    """All groups share one alerts topic: the cause of a one-off is the reply to the question
    asked for that group, not whatever group the topic was first opened for; a message that
    answers nothing in the topic is no group's cause."""
    world.send(body(am_alert(1), name="ErpApiDown"))
    world.send(body(am_alert(2, name="ErpDbSlow"), name="ErpDbSlow"))
    world.settle()
    first, second = world.tg.messages(TG_ALERTS)
    topic = second["message_thread_id"]
    update = world.tg.callback_update(TG_ALERTS, second["message_id"], "hdc:alerts:oneoff:2")
    assert post_telegram(world.client, update).status_code == 200
    world.settle()
    question = world.tg.messages(TG_ALERTS)[-1]
    assert "причину" in question["text"]

    stray = world.tg.message_update(TG_ALERTS, "кто-нибудь видит?", thread_id=topic)
    assert post_telegram(world.client, stray).status_code == 200
    answer = world.tg.message_update(TG_ALERTS, "Плановое обновление СУБД", thread_id=topic,
                                     reply_to=question["message_id"])
    assert post_telegram(world.client, answer).status_code == 200
    world.settle()

    first, second = world.tg.messages(TG_ALERTS)[:2]
    assert "Плановое обновление СУБД" in second["text"]
    assert "кто-нибудь" not in second["text"]
    assert "Плановое обновление СУБД" not in first["text"]
