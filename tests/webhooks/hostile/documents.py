"""Realistic bodies as each sender makes them, about the seeded ticket, thread and alert."""

from __future__ import annotations

from typing import Any

from tests.conftest import SLACK_L2, TG_L2

THREAD_TS = "1700000000.000100"  # the seeded Slack thread of gitlab:1#23
TOPIC = 7  # the seeded Telegram topic of gitlab:1#23


def mantis_hook(event: str) -> dict[str, Any]:
    """A body as the shipped Mantis plugin's Payload::build makes it."""
    person = {"id": 3, "name": "ivanova"}
    issue = {
        "id": 42, "project": {"id": 1, "name": "МИАЦ"}, "category": "General",
        "summary": "Ошибка записи к логопеду",
        "description": "Данные о заявителе: Иванова А.А., медсестра\nОписание ошибки: нет шаблона",
        "steps_to_reproduce": "Регистратура → Расписание", "additional_information": "",
        "status": {"id": 10, "name": "new"}, "priority": {"id": 30, "name": "normal"},
        "severity": {"id": 50, "name": "minor"}, "reporter": person, "handler": None,
        "custom_fields": [{"field": {"id": 1, "name": "Линия"}, "value": "L2"},
                          {"field": {"id": 2, "name": "Данные пациента"}, "value": ""}],
        "attachments": [{"id": 1, "filename": "screen.png", "size": 2048,
                         "content_type": "image/png"}],
        "created_at": "2026-11-20T10:00:00+00:00", "updated_at": "2026-11-20T10:05:00+00:00"}
    body: dict[str, Any] = {
        "event": event, "delivery_id": "0b9e3c1e-8f0a-4c41-9f3e-3f1b2b0c7d11",
        "sent_at": "2026-11-20T10:05:01+00:00", "mantis_url": "https://mantis.test/",
        "actor": {"id": 5, "name": "l1-petrov", "access_level": {"id": 55, "name": "developer"}},
        "issue": issue, "changes": {}, "note": None}
    if event == "issue_updated":
        body["changes"] = {"priority": {"old": "low", "new": "normal"},
                           "custom_fields": {"Линия": {"old": "L1", "new": "L2"}}}
    if event == "note_added":
        body["note"] = {"id": 900, "text": "Данные пациента: Петров П.П., карта 123456",
                        "reporter": person, "view_state": "public",
                        "created_at": "2026-11-20T10:05:00+00:00"}
    return body


def otrs_hook(event: str) -> dict[str, Any]:
    """A body as the Ticket::Generic invoker of the shipped web service sends it."""
    article = {"ArticleID": "31", "SenderType": "customer", "From": "ivanova@example.com",
               "Subject": "Нет доступа к ЭМК", "Body": "Описание ошибки: «Нет доступа к ЭМК»",
               "Attachment": [{"Filename": "screen.png", "FilesizeRaw": "2048"}]}
    ticket = {
        "TicketID": "7", "TicketNumber": "2026112010000007", "Queue": "Support",
        "Title": "Не печатается ЭМК", "State": "open", "StateType": "open",
        "Priority": "3 normal", "Type": "Incident", "Owner": "root@localhost",
        "CustomerUserID": "ivanova", "ChangeBy": "5", "Changed": "2026-11-25 09:00:00",
        "DynamicField_Impact": "minor", "DynamicField_Line": ["L1", "L2"],
        "DynamicField": [{"Name": "Impact", "Value": "minor"}],
        "Articles": [article], "Article": article if event == "ArticleCreate" else {}}
    data: dict[str, Any] = {"TicketID": "7"}
    if event == "ArticleCreate":
        data["ArticleID"] = "31"
    if event == "TicketStateUpdate":
        data["OldTicketData"] = {"TicketID": "7", "State": "new", "StateType": "new"}
    return {"Event": data, "Ticket": ticket}


def slack_callback() -> dict[str, Any]:
    """An Events API callback: a person's reply in the seeded Slack thread."""
    return {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": "Ev01", "event_time": 1700000001,
            "event": {"type": "message", "channel": SLACK_L2, "user": "U0L2ENG",
                      "text": "Смотрю", "ts": "1700000001.000200", "thread_ts": THREAD_TS,
                      "files": [{"permalink": "https://slack.test/f/1"}]}}


def slack_button(value: str) -> dict[str, Any]:
    """A block_actions interaction: a press on a button carrying `value`."""
    return {"type": "block_actions", "user": {"id": "U0L1", "name": "l1-duty"},
            "container": {"type": "message", "message_ts": THREAD_TS, "channel_id": SLACK_L2},
            "channel": {"id": SLACK_L2}, "response_url": "https://hooks.slack.test/r/1",
            "actions": [{"action_id": value, "value": value, "action_ts": "1700000002.1"}]}


TG_USER = {"id": 5550001, "is_bot": False, "first_name": "Ivan", "last_name": "Petrov",
           "username": "ipetrov", "language_code": "ru"}
TG_CHAT = {"id": TG_L2, "title": "EHR L2", "is_forum": True, "type": "supergroup"}


def telegram_message() -> dict[str, Any]:
    """An update: a member's message with a photo in the seeded forum topic."""
    return {"update_id": 700000001, "message": {
        "message_id": 12, "from": TG_USER, "chat": TG_CHAT, "date": 1763632800,
        "message_thread_id": TOPIC, "is_topic_message": True, "text": "Воспроизвёл на стенде",
        "photo": [{"file_id": "F1", "width": 90, "height": 90}]}}


def telegram_button() -> dict[str, Any]:
    """An update: a press on the one-off button of alert 1 in the seeded topic."""
    shown = {"message_id": 11, "from": {"id": 1, "is_bot": True, "first_name": "Helpdesk"},
             "chat": TG_CHAT, "date": 1763632700, "message_thread_id": TOPIC,
             "is_topic_message": True, "text": "🚨 Алерт: disk full"}
    return {"update_id": 700000002, "callback_query": {
        "id": "4382", "from": TG_USER, "message": shown, "chat_instance": "-7919",
        "data": "hdc:oneoff:1"}}


def am_alert(name: str, fingerprint: str, status: str = "firing") -> dict[str, Any]:
    """One alert of an Alertmanager (version 4) body."""
    return {"status": status,
            "labels": {"alertname": name, "severity": "critical", "instance": "db1:9100"},
            "annotations": {"summary": f"{name} on db1"},
            "startsAt": "2026-11-20T10:00:00.000Z", "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.test/graph?g0.expr=up", "fingerprint": fingerprint}


ALERTMANAGER = {"version": "4", "groupKey": '{}:{alertname="DiskFull"}', "truncatedAlerts": 0,
                "status": "firing", "receiver": "helpdesk", "groupLabels": {},
                "commonLabels": {"severity": "critical"}, "commonAnnotations": {},
                "externalURL": "http://alertmanager.test",
                "alerts": [am_alert("DiskFull", "a1b2"), am_alert("HighLoad", "c3d4", "resolved")]}
GENERIC_ALERT = {"alerts": [{"id": "disk-full-db1", "status": "firing", "title": "Диск заполнен",
                             "severity": "critical", "summary": "95 %",
                             "url": "https://zabbix.test/e/1",
                             "started_at": "2026-11-20T10:00:00Z"}]}
