"""Belarus §4.2 in the alerts channel: every firing alert gets a message with L1's three
decisions as buttons; the decision is carried out and the message tells what was decided."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from connector.core import Connector
from tests.conftest import ALERTS_TOKEN, SLACK_ALERTS, TG_ALERTS
from tests.drive import post_slack, post_telegram, run_until_idle, slack_reply
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from webhooks.app import create_app


def alertmanager(status: str = "firing") -> dict[str, Any]:
    return {"version": "4", "status": status, "receiver": "connector", "alerts": [{
        "status": status, "fingerprint": "c0ffee",
        "labels": {"alertname": "ErpcApiErrors", "severity": "critical"},
        "annotations": {"summary": "5xx у API рецептов выше 5%"},
        "startsAt": "2026-11-22T10:00:00Z", "generatorURL": "http://prometheus/graph?g0"}]}


@dataclass
class World:
    c: Connector
    client: FlaskClient
    gl: StandInGitLab
    slack: StandInSlack
    tg: StandInTelegram

    def alert(self, status: str = "firing") -> None:
        answer = self.client.post("/webhooks/alerts", json=alertmanager(status),
                                  headers={"Authorization": f"Bearer {ALERTS_TOKEN}"})
        assert answer.status_code == 200
        run_until_idle(self.c)

    def slack_message(self) -> dict[str, Any]:
        [message] = self.slack.messages(SLACK_ALERTS)
        return message

    def press_slack(self, data: str, *, user: str = "U0L1", channel: str = SLACK_ALERTS,
                    message_ts: str | None = None, action_ts: str = "1.1") -> None:
        message = self.slack_message()
        payload = {"type": "block_actions", "user": {"id": user, "username": "l1-sidorova"},
                   "channel": {"id": channel}, "response_url": self.slack.response_url,
                   "container": {"type": "message", "message_ts": message_ts or message["ts"],
                                 "channel_id": channel},
                   "actions": [{"action_id": data, "value": data, "action_ts": action_ts}]}
        body = f"payload={json.dumps(payload)}".encode()
        answer = post_slack(self.client, "/webhooks/slack/interactions", body,
                            content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 200
        run_until_idle(self.c)


@pytest.fixture
def world(db_url: str, standin_gitlab: StandInGitLab, standin_slack: StandInSlack,
          standin_telegram: StandInTelegram, make_connector: Callable[..., Connector]) -> World:
    standin_gitlab.add_project(1)
    c = make_connector(db_url, standin_gitlab, slack=standin_slack, telegram=standin_telegram,
                       alerts=True)
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    return World(c, client, standin_gitlab, standin_slack, standin_telegram)


def button_values(message: dict[str, Any]) -> list[str]:
    blocks = message.get("blocks") or []
    return [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def button_labels(message: dict[str, Any]) -> list[str]:
    blocks = message.get("blocks") or []
    return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


DECISION_BUTTONS = ["hdc:alerts:oneoff:1", "hdc:alerts:register:1:0", "hdc:alerts:register:1:1",
                    "hdc:alerts:register:1:2", "hdc:alerts:accident:1"]


def test_firing_alert_gets_a_message_with_decision_buttons_in_both_chats(world: World) -> None:
    world.alert()
    world.alert()  # Alertmanager repeats firing alerts: still one message

    message = world.slack_message()
    assert "ErpcApiErrors" in message["text"] and "5xx у API рецептов" in message["text"]
    assert button_values(message) == DECISION_BUTTONS
    [topic] = world.tg.topics(TG_ALERTS).values()  # the one alerts topic, not one per alert
    assert topic["name"] == "Оповещения мониторинга"
    [tg_message] = world.tg.messages(TG_ALERTS)
    keyboard = tg_message["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == DECISION_BUTTONS


def test_one_off_asks_for_the_cause_and_records_it(world: World) -> None:
    world.alert()
    world.press_slack("hdc:alerts:oneoff:1")
    root_ts = str(world.slack_message()["ts"])
    [question] = world.slack.messages(SLACK_ALERTS, root_ts)
    assert "l1-sidorova" in question["text"] and "причину" in question["text"]

    slack_reply(world.client, channel=SLACK_ALERTS, thread_ts=root_ts,
                text="Плановый перезапуск балансировщика")
    run_until_idle(world.c)

    message = world.slack_message()
    assert "Плановый перезапуск балансировщика" in message["text"]
    assert button_values(message) == []
    tg_message = world.tg.messages(TG_ALERTS)[0]  # the group's message; the question follows
    assert "Плановый перезапуск балансировщика" in tg_message["text"]
    assert world.gl.writes() == []  # a one-off alert creates no issue


def test_register_creates_one_issue_with_the_chosen_priority(world: World) -> None:
    world.alert()
    world.press_slack("hdc:alerts:register:1:1")
    world.press_slack("hdc:alerts:register:1:2")  # a second click changes nothing

    [created] = world.gl.writes("POST", r"/projects/1/issues$")
    assert created.json["labels"] == "Priority: Medium"
    assert "ErpcApiErrors" in created.json["title"]
    message = world.slack_message()
    assert "/issues/" in message["text"] and button_values(message) == []


def test_a_button_posted_before_namespaces_still_registers_the_issue(world: World) -> None:
    world.alert()
    world.press_slack("hdc:register:1:2")  # what older versions put under alert messages

    [created] = world.gl.writes("POST", r"/projects/1/issues$")
    assert created.json["labels"] == "Priority: High"


@pytest.mark.parametrize("data", [
    "hdc:alerts:register:1:99", "hdc:alerts:register:1", "hdc:alerts:bogus:1",
    "hdc:alerts:oneoff:1:2:3", "hdc:alerts:accident:x",
])
def test_a_malformed_button_is_refused_not_guessed_at(world: World, data: str) -> None:
    world.alert()
    world.press_slack(data)

    refused_on_slack(world)


def test_a_button_of_no_feature_changes_nothing(world: World) -> None:
    world.alert()
    world.press_slack("hdc:outage:accident:1")

    refused_on_slack(world)


def test_telegram_button_declares_an_accident_and_is_answered(world: World) -> None:
    world.alert()
    [tg_message] = world.tg.messages(TG_ALERTS)
    update = world.tg.callback_update(TG_ALERTS, tg_message["message_id"], "hdc:alerts:accident:1")
    assert post_telegram(world.client, update).status_code == 200
    run_until_idle(world.c)

    [created] = world.gl.writes("POST", r"/projects/1/issues$")
    assert created.json["labels"] == "Priority: High,Accident"
    assert len(world.tg.calls("answerCallbackQuery")) == 1


def test_resolved_alert_updates_the_message(world: World) -> None:
    """A firing is an incident even once resolved (§4.2): the decision is still L1's to take."""
    world.alert()
    world.alert("resolved")

    message = world.slack_message()
    assert message["text"].startswith("✅") and button_values(message) == DECISION_BUTTONS
    [said] = world.slack.messages(SLACK_ALERTS, str(message["ts"]))
    assert said["text"].startswith("✅ Все оповещения группы сняты")
    tg_message, tg_said = world.tg.messages(TG_ALERTS)  # the group's message, then the line
    assert tg_message["text"].startswith("✅") and tg_said["text"] == said["text"]


def test_every_text_of_the_alert_flow_is_russian(world: World) -> None:
    """No internal value reaches people: not `firing`, `critical`, `one-off`, `accident` or
    `issue: Priority: High` — the alert's own name and the team's labels are theirs."""
    world.alert()
    world.press_slack("hdc:alerts:register:1:2")
    world.alert("resolved")
    [created] = world.gl.writes("POST", r"/projects/1/issues$")
    texts = [m["text"] for m in world.slack.messages(SLACK_ALERTS)]
    texts += [m["text"] for m in world.tg.messages(TG_ALERTS)]
    texts += [created.json["title"], created.json["description"]]
    internal = re.compile(r"\b(firing|resolved|critical|one-off|accident|pending|issue:)")
    assert texts and not [t for t in texts if internal.search(t)]
    # resolved, the group's message keeps the decision and the ticket's link (Belarus' words)
    assert "зарегистрирована задача с меткой «Priority: High»: http" in \
        world.slack_message()["text"]
    assert "/issues/1" in world.tg.messages(TG_ALERTS)[0]["text"]
    assert "критично" in created.json["title"]


@pytest.mark.parametrize(("press", "said"), [
    ("hdc:alerts:register:1:2", "зарегистрирована задача с меткой «Priority: High»"),
    ("hdc:alerts:accident:1", "объявлена авария"),
])
def test_a_belarus_alert_speaks_belarus_words_section_1_1_and_4_2(
        world: World, press: str, said: str) -> None:
    """Belarus §1.1, §4.2: the alerts' project (config alerts.project, here GitLab project 1)
    is under belarus-ehr, so its alert offers «Задача: …» and «Авария», never the neutral
    «обращение» or «сбой», and its message tells the decision in the same words."""
    world.alert()
    message = world.slack_message()
    assert button_labels(message) == ["Разовое", "Задача: Priority: Low",
                                      "Задача: Priority: Medium", "Задача: Priority: High",
                                      "Авария"]
    assert "зарегистрировать задачу или объявить аварию" in message["text"]
    [tg_message] = world.tg.messages(TG_ALERTS)
    assert [row[0]["text"] for row in tg_message["reply_markup"]["inline_keyboard"]][-1] == \
        "Авария"

    world.press_slack(press)
    world.alert("resolved")
    texts = [m["text"] for m in world.slack.messages(SLACK_ALERTS)]
    texts += [m["text"] for m in world.tg.messages(TG_ALERTS)]
    [created] = world.gl.writes("POST", r"/projects/1/issues$")
    texts.append(created.json["description"])
    assert said in world.slack_message()["text"] and said in created.json["description"]
    neutral = re.compile(r"обращени|(?<!\w)сбо[йяюе]", re.IGNORECASE)
    assert not [t for t in texts if neutral.search(t)]


# --- who may press ---------------------------------------------------------------------------


def refused_on_slack(world: World) -> None:
    """Nothing was decided, and only the presser was told why."""
    assert world.gl.writes() == []
    assert button_values(world.slack_message()) != []  # the buttons are still there
    [answer] = world.slack.responses
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert "не для вас здесь" in answer["text"]


def test_a_press_from_an_unrelated_channel_changes_nothing(world: World) -> None:
    """The alert's message forwarded or its payload replayed into another channel."""
    world.slack.add_channel("C0RANDOM", "random", members=["U0L1"])
    world.alert()
    world.press_slack("hdc:alerts:accident:1", channel="C0RANDOM")
    refused_on_slack(world)


def test_a_press_by_someone_outside_the_alerts_channel_changes_nothing(world: World) -> None:
    world.slack.add_user("U0STRANGER", "stranger", "Посторонний", "x@example.com")
    world.alert()
    world.press_slack("hdc:alerts:register:1:2", user="U0STRANGER")
    refused_on_slack(world)


def test_a_press_under_another_message_changes_nothing(world: World) -> None:
    world.alert()
    world.press_slack("hdc:alerts:accident:1", message_ts="1700000000.999999")
    refused_on_slack(world)


def test_a_telegram_press_from_an_unconfigured_chat_is_answered_not_allowed(
    world: World,
) -> None:
    world.alert()
    world.tg.add_chat(-1009999, "Чужая группа")
    foreign = world.tg.message_update(-1009999, "Авария?")["message"]
    update = world.tg.callback_update(-1009999, foreign["message_id"], "hdc:alerts:accident:1")
    assert post_telegram(world.client, update).status_code == 200
    run_until_idle(world.c)

    assert world.gl.writes() == []
    [answer] = world.tg.calls("answerCallbackQuery")
    assert answer.params["show_alert"] in (True, "true", "True")
    assert "не для вас здесь" in answer.params["text"]


def test_a_telegram_press_by_someone_who_left_the_chat_changes_nothing(world: World) -> None:
    world.alert()
    [message] = world.tg.messages(TG_ALERTS)
    world.tg.add_member(TG_ALERTS, 777, status="left")
    update = world.tg.callback_update(TG_ALERTS, message["message_id"], "hdc:alerts:accident:1",
                                      from_user={"id": 777, "first_name": "Бывший"})
    post_telegram(world.client, update)
    run_until_idle(world.c)
    assert world.gl.writes() == []
