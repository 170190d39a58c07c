"""Normalisers: Slack and Telegram bodies become ChatMessage / ChatButton (or None for what the
connector does not use), alert bodies become Alerts; malformed bodies raise PayloadError."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from connector.errors import PayloadError
from connector.events import Alert, ChatButton, ChatCommand, ChatJoin, ChatMessage
from plugins.alerts import events as alert_events
from plugins.slack import events as slack_events
from plugins.telegram import events as telegram_events
from tests.standins.telegram import USER, StandInTelegram

SLACK_CHANNEL, ROOT_TS, TS = "C0L2", "1700000000.000100", "1700000060.000200"
GROUP = -1001000000001


# --- Slack -----------------------------------------------------------------------------------


def slack_event(**fields: Any) -> dict[str, Any]:
    event = {"type": "message", "channel": SLACK_CHANNEL, "user": "U0L2ENG", "text": "Смотрю",
             "ts": TS, "thread_ts": ROOT_TS, "channel_type": "channel", **fields}
    return {"type": "event_callback", "event_id": "Ev1", "team_id": "T1", "event": event}


def slack_press(value: str) -> dict[str, Any]:
    return {"type": "block_actions", "user": {"id": "U0L1", "username": "l1-duty"},
            "container": {"type": "message", "message_ts": ROOT_TS, "channel_id": SLACK_CHANNEL},
            "channel": {"id": SLACK_CHANNEL, "name": "ehr_alert"},
            "actions": [{"action_id": value, "value": value, "type": "button"}]}


def test_a_slack_thread_reply_names_its_thread_author_and_files() -> None:
    files = [{"id": "F1", "permalink": "https://ehr.slack.com/files/U0L2ENG/F1/log.txt",
              "url_private": "https://files.slack.com/F1"},
             {"id": "F2", "url_private": "https://files.slack.com/F2"}]

    m = slack_events.normalize("event_callback", slack_event(files=files))

    assert m == ChatMessage(
        chat="slack", channel_id=SLACK_CHANNEL, thread_id=ROOT_TS, message_id=TS,
        author_id="U0L2ENG", author_name="", text="Смотрю", at="2023-11-14T22:14:20.000200Z",
        files=("https://ehr.slack.com/files/U0L2ENG/F1/log.txt", "https://files.slack.com/F2"))


@pytest.mark.parametrize("fields", [
    pytest.param({"bot_id": "B0BOT", "user": None}, id="bot_id"),
    pytest.param({"subtype": "bot_message", "bot_id": "B0BOT", "user": None, "username": "zb"},
                 id="bot_message subtype"),
])
def test_a_slack_bot_message_is_marked_as_from_a_bot(fields: dict[str, Any]) -> None:
    m = slack_events.normalize("event_callback", slack_event(**fields))

    assert isinstance(m, ChatMessage) and m.from_bot and m.author_id == "B0BOT"


def test_a_top_level_slack_message_has_no_thread() -> None:
    m = slack_events.normalize("event_callback", slack_event(thread_ts=None))
    assert isinstance(m, ChatMessage) and m.thread_id is None


@pytest.mark.parametrize(("event_name", "payload"), [
    pytest.param("event_callback", slack_event(subtype="message_changed"), id="edit"),
    pytest.param("event_callback", slack_event(subtype="message_deleted"), id="deletion"),
    pytest.param("event_callback", slack_event(subtype="channel_join"), id="join"),
    pytest.param("event_callback", slack_event(type="member_joined_channel"), id="other event"),
    pytest.param("view_action", {"type": "view_closed"}, id="other payload"),
    pytest.param("view_submission", {"type": "view_submission", "user": {"id": "U1"},
                                     "view": {"callback_id": "deploy_form"}},
                 id="another app's modal"),
    pytest.param("block_actions", slack_press("approve_deploy"), id="foreign button"),
    pytest.param("block_actions", slack_press("hdc:"), id="button without action"),
])
def test_slack_bodies_the_connector_does_not_use_are_none(
    event_name: str, payload: dict[str, Any],
) -> None:
    assert slack_events.normalize(event_name, payload) is None


def test_a_slack_button_carries_feature_action_and_value() -> None:
    b = slack_events.normalize("block_actions", slack_press("hdc:alerts:register:12:1"))

    assert b == ChatButton(chat="slack", channel_id=SLACK_CHANNEL, thread_id=ROOT_TS,
                           message_id=ROOT_TS, user_id="U0L1", user_name="l1-duty",
                           feature="alerts", action="register", value="12:1")


def _drop_event(p: dict[str, Any]) -> None:
    del p["event"]


@pytest.mark.parametrize(("event_name", "payload", "reason"), [
    pytest.param("event_callback", ["not", "a", "dict"], "JSON object", id="not a dict"),
    pytest.param("event_callback", "text", "JSON object", id="a string"),
    pytest.param("event_callback", {"type": "event_callback"}, "event", id="no event"),
    pytest.param("event_callback", slack_event(ts=None), "ts", id="no ts"),
    pytest.param("event_callback", slack_event(ts="yesterday"), "Slack timestamp", id="bad ts"),
    pytest.param("event_callback", slack_event(channel=""), "channel", id="no channel"),
    pytest.param("block_actions", {**slack_press("hdc:oneoff:1"), "actions": []}, "actions",
                 id="no actions"),
    pytest.param("block_actions", {**slack_press("hdc:oneoff:1"), "user": {}}, "id",
                 id="no user id"),
])
def test_malformed_slack_bodies_raise_payload_error(
    event_name: str, payload: Any, reason: str,
) -> None:
    with pytest.raises(PayloadError, match=reason):
        slack_events.normalize(event_name, payload)


# --- Telegram --------------------------------------------------------------------------------


@pytest.fixture
def tg(standin_telegram: StandInTelegram) -> StandInTelegram:
    standin_telegram.add_chat(GROUP, "EHR L2")
    return standin_telegram


def test_a_telegram_topic_message_names_its_topic_and_author(tg: StandInTelegram) -> None:
    update = tg.message_update(GROUP, "Воспроизвёл", thread_id=7, message_id=15, date=1700000000)

    m = telegram_events.normalize("update", update)

    assert m == ChatMessage(chat="telegram", channel_id=str(GROUP), thread_id="7",
                            message_id="15", author_id=str(USER["id"]),
                            author_name="Ivan Petrov (@ipetrov)", text="Воспроизвёл",
                            at="2023-11-14T22:13:20.000000Z")


@pytest.mark.parametrize(("user", "name"), [
    ({"id": 1, "first_name": "Анна"}, "Анна"),
    ({"id": 2, "first_name": "Анна", "username": "anna"}, "Анна (@anna)"),
    ({"id": 3, "first_name": "", "username": "ghost"}, "(@ghost)"),
])
def test_a_telegram_author_is_named_as_far_as_known(
    tg: StandInTelegram, user: dict[str, Any], name: str,
) -> None:
    m = telegram_events.normalize("update", tg.message_update(GROUP, "x", from_user=user))
    assert isinstance(m, ChatMessage) and m.author_name == name


COMMANDS = frozenset({"progress", "metrics", "outage"})  # what the outage feature registers


@pytest.mark.parametrize(("text", "command", "rest"), [
    ("/progress Перезапустили сервис", "progress", "Перезапустили сервис"),
    ("/progress@helpdesk_bot  данные целы ", "progress", "данные целы"),
    ("/METRICS erp-api", "metrics", "erp-api"),
    ("/outage", "outage", ""),
])
def test_a_telegram_bot_command_is_a_command_in_its_topic(
        tg: StandInTelegram, text: str, command: str, rest: str) -> None:
    m = telegram_events.normalize("update", tg.message_update(GROUP, text, thread_id=7),
                                  COMMANDS)
    assert m == ChatCommand(chat="telegram", channel_id=str(GROUP), user_id=str(USER["id"]),
                            user_name="Ivan Petrov", command=command, text=rest,
                            thread_id="7")


def test_a_command_no_feature_answers_is_talk(tg: StandInTelegram) -> None:
    """/start, /help: said to people in the chat, relayed like any message."""
    update = tg.message_update(GROUP, "/start", thread_id=7)
    assert isinstance(telegram_events.normalize("update", update, COMMANDS), ChatMessage)


def test_a_slash_telegram_did_not_mark_as_a_command_is_just_text(tg: StandInTelegram) -> None:
    update = tg.message_update(GROUP, "/var/log переполнен", thread_id=7)
    del update["message"]["entities"]
    assert isinstance(telegram_events.normalize("update", update), ChatMessage)


def test_a_telegram_reply_names_the_message_it_answers(tg: StandInTelegram) -> None:
    prompt = tg.message_update(GROUP, "статус", thread_id=7)["message"]["message_id"]
    m = telegram_events.normalize("update", tg.reply_update(
        GROUP, prompt, "готово", from_user={"id": 9, "first_name": "Анна"}))
    assert isinstance(m, ChatMessage) and m.reply_to == str(prompt)


def test_a_telegram_photo_becomes_a_link_to_the_message(tg: StandInTelegram) -> None:
    update = tg.message_update(GROUP, "", thread_id=7, message_id=15)
    message = update["message"]
    del message["text"]
    message.update(caption="скриншот ошибки", photo=[
        {"file_id": "AgAD1", "file_unique_id": "u1", "width": 90, "height": 60}])

    m = telegram_events.normalize("update", update)

    assert isinstance(m, ChatMessage)
    assert m.text == "скриншот ошибки"
    assert m.files == ("https://t.me/c/1000000001/7/15",)


def test_a_message_outside_topics_has_no_thread(tg: StandInTelegram) -> None:
    m = telegram_events.normalize("update", tg.message_update(GROUP, "в общем чате"))
    assert isinstance(m, ChatMessage) and m.thread_id is None and not m.from_bot


def test_a_telegram_button_press_carries_the_query_to_answer(tg: StandInTelegram) -> None:
    shown = tg.message_update(GROUP, "🚨 Алерт", thread_id=9)["message"]
    update = tg.callback_update(GROUP, shown["message_id"], "hdc:alerts:register:12:1")

    b = telegram_events.normalize("update", update)

    assert b == ChatButton(chat="telegram", channel_id=str(GROUP), thread_id="9",
                           message_id=str(shown["message_id"]), user_id=str(USER["id"]),
                           user_name="ipetrov", feature="alerts", action="register",
                           value="12:1",
                           callback_id=update["callback_query"]["id"])


def _edited(tg: StandInTelegram) -> dict[str, Any]:
    update = tg.message_update(GROUP, "исправлено", thread_id=7)
    return {"update_id": update["update_id"], "edited_message": update["message"]}


def _foreign_button(tg: StandInTelegram) -> dict[str, Any]:
    shown = tg.message_update(GROUP, "poll")["message"]
    return tg.callback_update(GROUP, shown["message_id"], "vote:yes")


@pytest.mark.parametrize("build", [
    pytest.param(_edited, id="edited_message"),
    pytest.param(_foreign_button, id="foreign button"),
])
def test_telegram_updates_the_connector_does_not_use_are_none(
    tg: StandInTelegram, build: Callable[[StandInTelegram], dict[str, Any]],
) -> None:
    assert telegram_events.normalize("update", build(tg)) is None


def test_a_telegram_join_request_names_the_chat_and_the_person(tg: StandInTelegram) -> None:
    join = telegram_events.normalize("update", tg.join_request_update(GROUP))

    assert join == ChatJoin(chat="telegram", channel_id=str(GROUP), user_id=str(USER["id"]),
                            user_name="Ivan Petrov")


def test_other_event_names_are_none(tg: StandInTelegram) -> None:
    assert telegram_events.normalize("poll", tg.message_update(GROUP, "x")) is None


@pytest.mark.parametrize(("edit", "reason"), [
    pytest.param(lambda m: m.pop("chat"), "chat", id="no chat"),
    pytest.param(lambda m: m["chat"].update(id="-100"), "message.chat.id", id="chat id text"),
    pytest.param(lambda m: m.update(message_id=True), "message.message_id", id="id a bool"),
])
def test_malformed_telegram_messages_raise_payload_error(
    tg: StandInTelegram, edit: Callable[[dict[str, Any]], Any], reason: str,
) -> None:
    update = tg.message_update(GROUP, "x")
    edit(update["message"])
    with pytest.raises(PayloadError, match=reason):
        telegram_events.normalize("update", update)
    with pytest.raises(PayloadError, match="JSON object"):
        telegram_events.normalize("update", [update])


# --- alerts ----------------------------------------------------------------------------------

AM_ALERT = {"status": "firing", "labels": {"alertname": "DiskFull", "severity": "critical",
                                            "instance": "db1"},
            "annotations": {"description": "95 % used"}, "startsAt": "2026-11-20T10:00:00Z",
            "generatorURL": "http://prom.test/g", "fingerprint": "a1b2"}
GENERIC = {"id": "disk-db1", "status": "resolved", "title": "Диск", "severity": "warning",
           "summary": "90 %", "url": "https://zabbix.test/1", "started_at": "2026-11-20T10:00Z"}


STARTED = "2026-11-20T10:00:00.000000Z"  # when it began firing, canonical


def am(**changes: Any) -> dict[str, Any]:
    alert = {**copy.deepcopy(AM_ALERT), **changes}
    return {"version": "4", "status": "firing", "alerts": [alert]}


@pytest.mark.parametrize(("payload", "expected"), [
    pytest.param(am(), Alert("am:a1b2@2026-11-20T10:00:00Z", "firing", "DiskFull", "critical",
                             "95 % used", "http://prom.test/g", STARTED), id="alertmanager"),
    pytest.param(am(fingerprint=None, annotations={"summary": "s", "description": "d"}),
                 Alert("am:alertname=DiskFull,instance=db1,severity=critical"
                       "@2026-11-20T10:00:00Z", "firing", "DiskFull", "critical", "s",
                       "http://prom.test/g", STARTED), id="alertmanager without fingerprint"),
    pytest.param({"alerts": [AM_ALERT]}, Alert("am:a1b2@2026-11-20T10:00:00Z", "firing",
                                               "DiskFull", "critical", "95 % used",
                                               "http://prom.test/g", STARTED),
                 id="labels, no version"),
    pytest.param({"alerts": [GENERIC]}, Alert("generic:disk-db1@2026-11-20T10:00Z", "resolved",
                                              "Диск", "warning", "90 %",
                                              "https://zabbix.test/1", STARTED), id="generic"),
    pytest.param(am(startsAt="0001-01-01T00:00:00Z"), Alert(
        "am:a1b2@0001-01-01T00:00:00Z", "firing", "DiskFull", "critical", "95 % used",
        "http://prom.test/g"), id="Alertmanager's zero start: none"),
    pytest.param({"alerts": [{"id": "x", "status": "firing", "title": "T"}]},
                 Alert("generic:x@", "firing", "T"), id="generic, only required fields"),
])
def test_alert_bodies_become_alerts(payload: dict[str, Any], expected: Alert) -> None:
    body = alert_events.normalize(payload)
    plain = [replace(a, labels={}, annotations={}, source_fingerprint="") for a in body.alerts]
    assert (plain, body.rejected) == ([expected], [])  # labels: tests/plugins/alerts


@pytest.mark.parametrize("payload", [
    pytest.param([], id="not an object"),
    pytest.param({"alerts": {}}, id="alerts not a list"),
    pytest.param({"alerts": []}, id="empty"),
])
def test_a_payload_that_is_no_alerts_body_is_refused(payload: Any) -> None:
    with pytest.raises(PayloadError, match="alerts: "):
        alert_events.normalize(payload)


@pytest.mark.parametrize(("payload", "index", "reason", "detail"), [
    pytest.param(am(status="weird"), 0, "bad_status", r"alerts\[0\].status", id="status weird"),
    pytest.param(am(labels={"severity": "x"}), 0, "missing_alertname",
                 r"alerts\[0\].labels.alertname", id="no alertname"),
    pytest.param(am(startsAt="вчера"), 0, "bad_timestamp", r"alerts\[0\].startsAt",
                 id="an odd start"),
    pytest.param({"version": "4", "alerts": [AM_ALERT, 7]}, 1, "not_object",
                 r"alerts\[1\]: expected an object", id="second not an object"),
    pytest.param({"alerts": [{**GENERIC, "id": ""}]}, 0, "missing_field", r"alerts\[0\].id",
                 id="generic no id"),
    pytest.param({"alerts": [{**GENERIC, "title": 5}]}, 0, "missing_field",
                 r"alerts\[0\].title", id="generic title not text"),
    pytest.param({"alerts": [GENERIC, {**GENERIC, "status": None}]}, 1, "bad_status",
                 r"alerts\[1\].status", id="generic second bad"),
    pytest.param({"alerts": [{**GENERIC, "started_at": "soon"}]}, 0, "bad_timestamp",
                 r"alerts\[0\].started_at", id="generic odd start"),
])
def test_a_bad_alert_is_rejected_alone_naming_its_bad_field(
        payload: Any, index: int, reason: str, detail: str) -> None:
    body = alert_events.normalize(payload)
    [rejected] = body.rejected
    assert (rejected.index, rejected.reason) == (index, reason)
    assert re.search(detail, rejected.detail)
    assert len(body.alerts) == len(payload["alerts"]) - 1
    assert all(a.rejected == (rejected.detail,) and a.rejected_count == 1 for a in body.alerts)
