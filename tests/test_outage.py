"""Belarus accident mode on GitLab and Slack, as the duty engineer lives it: an issue with
«Priority: High» and «Accident» gets its own channel with the service's people in it and a
pinned status; the right people move it on by buttons, others are refused, a double press acts
once, and the ticket and the timeline follow."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

from connector.assembly import build_connector
from connector.clock import SYSTEM_CLOCK, Clock
from connector.config import Config
from connector.core import Connector
from connector.features.outage import store as outages
from connector.store import inbox
from connector.store.db import reading
from connector.timestamps import from_epoch
from tests.conftest import REPO, config_data, issue_hook
from tests.drive import post_slack, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from webhooks.app import create_app

OWNER, DUTY, L1, HEAD, STRANGER = "U0OWNER", "U0DUTY", "U0L1", "U0HEAD", "U0STRANGER"
PHARMACY = "U0PHARM"


@dataclass
class Outage:
    c: Connector
    client: FlaskClient
    gl: StandInGitLab
    slack: StandInSlack
    presses: int = 0

    service: str = "erp-api"

    def declare(self, key: str = "hook-1", *labels: str) -> None:
        """GitLab's webhook about issue 23 with «Priority: High» + «Accident» (and `labels`)."""
        hook = issue_hook("Priority: High", "Accident", *labels)
        hook["object_attributes"]["created_at"] = from_epoch(self.c.clock.now())  # just now
        with self.c.engine.begin() as conn:
            inbox.add_event(conn, source="gitlab", dedup_key=key, event_name="Issue Hook",
                            ordering_key="gitlab:1#23", payload=json.dumps(hook))
        run_until_idle(self.c)

    def room(self) -> dict[str, Any]:
        return self.slack.channel(f"{self.service}-23-" + _today(self.c))

    def status(self) -> dict[str, Any]:
        """The pinned status message."""
        room = self.room()["id"]
        [pinned] = self.slack.pinned(room)
        return next(m for m in self.slack.messages(room) if m["ts"] == pinned)

    def press_on(self, message: dict[str, Any], data: str, user: str,
                 channel: str = "") -> None:
        """A press on `message` in the room (or in `channel`)."""
        self.presses += 1
        room = {"id": channel} if channel else self.room()
        payload = {"type": "block_actions", "user": {"id": user, "username": user.lower()},
                   "channel": {"id": room["id"]}, "response_url": self.slack.response_url,
                   "trigger_id": self.slack.trigger_id(),
                   "container": {"type": "message", "message_ts": message["ts"],
                                 "channel_id": room["id"]},
                   "actions": [{"action_id": data, "value": data,
                                "action_ts": f"{self.presses}.2"}]}
        answer = post_slack(self.client, "/webhooks/slack/interactions",
                            f"payload={json.dumps(payload)}".encode(),
                            content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 200
        run_until_idle(self.c)

    def press(self, stage_index: int, user: str, action_ts: str = "") -> None:
        """A press as Slack delivers it; each press has its own action_ts (a redelivered
        press has the same one)."""
        self.presses += 1
        room, status = self.room(), self.status()
        data = f"hdc:outage:go:1:{stage_index}"
        payload = {"type": "block_actions", "user": {"id": user, "username": user.lower()},
                   "channel": {"id": room["id"]}, "response_url": self.slack.response_url,
                   "trigger_id": self.slack.trigger_id(),
                   "container": {"type": "message", "message_ts": status["ts"],
                                 "channel_id": room["id"]},
                   "actions": [{"action_id": data, "value": data,
                                "action_ts": action_ts or f"{self.presses}.1"}]}
        answer = post_slack(self.client, "/webhooks/slack/interactions",
                            f"payload={json.dumps(payload)}".encode(),
                            content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 200
        run_until_idle(self.c)

    def timeline(self, *, everything: bool = False) -> list[tuple[str, str, str]]:
        """(kind, who, stage) in order; the room's link and samples only if `everything`."""
        with reading(self.c.engine) as conn:
            return [(e["kind"], e["who"], e.get("stage", "")) for e in outages.timeline(conn, 1)
                    if everything or e["kind"] not in ("room", "affected", "criteria")]


def _today(c: Connector) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo
    return datetime.fromtimestamp(c.clock.now(), ZoneInfo("Europe/Minsk")).strftime("%Y-%m-%d")


def optional_steps(text: str) -> str:
    """A mapping's text with no step required."""
    return text.replace(", required: true}", "}")


@pytest.fixture
def world(tmp_path: Path, db_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack) -> Iterator[Outage]:
    yield from belarus_world(tmp_path, db_url, standin_gitlab, standin_slack)


def belarus_world(tmp_path: Path, db_url: str, standin_gitlab: StandInGitLab,
                  standin_slack: StandInSlack, clock: Clock = SYSTEM_CLOCK,
                  mapping_text: dict[str, str] | None = None, outages: str = "C0OUTAGES",
                  people: dict[str, dict[str, str]] | None = None, room: str = "channel",
                  required_steps: bool = False, services: dict[str, dict[str, Any]] | None = None,
                  channels: dict[str, str] | None = None,
                  telegram: StandInTelegram | None = None, **config: Any) -> Iterator[Outage]:
    """Belarus on GitLab and Slack, with the catalog's people given stand-in Slack ids;
    `mapping_text`: files of the mappings replaced; `outages`: the outage channel's id;
    `room`: the outage section's room form — the shipped mapping's `thread` (§4.3.1,
    tests/test_outage_belarus.py runs it as shipped), or `channel`, a private channel per
    accident (EMIAS's form; most room tests read a room of its own);
    `people`: more ids for the catalog's people; `required_steps`: keep §4.3.2's required
    steps (test_outage_steps.py checks them; elsewhere a stage moves on without ticks);
    `services`: keys added to the catalog's services; `channels`: more Slack channels;
    `telegram`: a Telegram stand-in with the l2 and alerts chats too;
    `config`: more top-level config sections
    (mail, prometheus)."""
    mappings = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", mappings)
    catalog = yaml.safe_load((mappings / "catalog.yml").read_text(encoding="utf-8"))
    extra_ids, people = people, catalog["catalog"]["people"]
    people["erp-owner"].update(slack=OWNER, gitlab="erp-owner")
    people["duty"].update(slack=DUTY)
    people["l1"].update(slack=L1)
    people["head"].update(slack=HEAD)
    people["pharmacy-owner"].update(slack=PHARMACY)
    for key, ids in (extra_ids or {}).items():
        people[key].update(ids)
    for sid, keys in (services or {}).items():
        catalog["catalog"]["services"][sid].update(keys)
    (mappings / "catalog.yml").write_text(yaml.safe_dump(catalog, allow_unicode=True),
                                          encoding="utf-8")
    for name, text in (mapping_text or {}).items():
        (mappings / name).write_text(text, encoding="utf-8")
    belarus = mappings / "belarus-ehr.yml"
    shipped = belarus.read_text(encoding="utf-8")
    assert "\n  room: thread" in shipped
    belarus.write_text(shipped.replace("\n  room: thread", f"\n  room: {room}"), encoding="utf-8")
    if not required_steps:
        belarus.write_text(optional_steps(belarus.read_text(encoding="utf-8")), encoding="utf-8")
    for uid in (OWNER, DUTY, HEAD, STRANGER, L1, PHARMACY):
        standin_slack.add_user(uid, uid.lower(), uid.title(), f"{uid.lower()}@example.org")
    standin_gitlab.add_user("erp-owner", 77)
    standin_gitlab.add_issue(1, 23, labels=["API", "Priority: High", "Accident"])
    data = config_data(db_url, standin_gitlab, slack=standin_slack, telegram=telegram,
                       alerts=True)
    data["mappings_dir"] = str(mappings)
    data["chats"]["slack"]["channels"]["outages"] = outages
    data["chats"]["slack"]["channels"].update(channels or {})
    data.update(config)
    standin_slack.add_channel("C0OUTAGES", "outages", members=[L1])
    c = build_connector(Config.model_validate(data), clock=clock)
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    yield Outage(c, client, standin_gitlab, standin_slack)
    c.engine.dispose()


def test_an_accident_gets_a_room_with_the_services_people_and_a_pinned_status(
        world: Outage) -> None:
    world.declare()
    world.declare("hook-2")  # GitLab sends the issue again: still one room

    room = world.room()
    assert {OWNER, DUTY, L1, HEAD} <= set(room["members"])
    intro, status, *asks = world.slack.messages(room["id"])
    assert "Авария: АИС «Электронный рецепт» — API" in intro["text"]
    assert "Зарегистрирован" in status["text"]
    assert world.slack.pinned(room["id"]) == [status["ts"]]
    assert [("Ответственный за аптечный сервис" in a["text"],
             "Электронный рецепт — интеграция с МИС" in a["text"]) for a in asks] == [
        (True, False), (False, True)]
    issue = world.gl.issue(1, 23)
    assert issue["assignee_ids"] == [77]
    assert "Сбой: зарегистрирован" in issue["labels"]
    assert any("Обсуждение аварии: #erp-api-23-" in n["body"] for n in issue["notes"])
    assert len(world.slack.calls("conversations.create")) == 1


def test_the_right_people_move_it_on_and_everything_follows(world: Outage) -> None:
    world.declare()
    world.press(1, DUTY)  # → Диагностика
    world.press(2, OWNER)  # → Устранение
    world.press(3, OWNER)  # → Восстановлено

    assert "Восстановлено" in world.status()["text"]
    issue = world.gl.issue(1, 23)
    assert "Сбой: восстановлено" in issue["labels"]
    assert not {"Сбой: зарегистрирован", "Сбой: диагностика", "Сбой: устранение"} & \
        set(issue["labels"])
    assert "Статус аварии «АИС «Электронный рецепт» — API»: Восстановлено (изменил: " \
        "Ответственный за АИС «Электронный рецепт»)." in issue["notes"][-1]["body"]
    assert world.timeline() == [
        ("declared", "l1-user", "registered"), ("stage", "Дежурный инженер", "diagnosing"),
        ("stage", "Ответственный за АИС «Электронный рецепт»", "fixing"),
        ("stage", "Ответственный за АИС «Электронный рецепт»", "restored")]


@pytest.mark.parametrize(("user", "why"), [
    (L1, "l1 may not"), (STRANGER, "not in the service catalog")])
def test_a_press_without_the_role_is_refused_to_the_presser_alone(
        world: Outage, user: str, why: str, caplog: pytest.LogCaptureFixture) -> None:
    world.declare()
    world.press(1, user)

    assert "Зарегистрирован" in world.status()["text"]
    [answer] = world.slack.responses
    assert answer["response_type"] == "ephemeral"
    assert world.timeline() == [("declared", "l1-user", "registered")]
    assert why in caplog.text


def test_a_press_delivered_twice_acts_once(world: Outage) -> None:
    world.declare()
    world.press(1, DUTY, action_ts="7.1")
    world.press(1, DUTY, action_ts="7.1")  # Slack redelivers the same press
    world.press(1, DUTY)  # the presser clicks again on the old button

    assert [k for k, _, _ in world.timeline()] == ["declared", "stage"]
    notes = [n for n in world.gl.issue(1, 23)["notes"] if "Статус аварии" in n["body"]]
    assert len(notes) == 1


def test_related_services_answer_healthy_or_affected_into_the_timeline(world: Outage) -> None:
    world.declare()
    room = world.room()["id"]
    pharmacy_ask = next(m for m in world.slack.messages(room) if "аптечный" in m["text"])
    values = [e["value"] for b in pharmacy_ask["blocks"] if b["type"] == "actions"
              for e in b["elements"]]
    assert values == ["hdc:outage:ok:1:0", "hdc:outage:hit:1:0"]

    world.press_on(pharmacy_ask, values[1], OWNER)  # not pharmacy's person: refused
    world.press_on(pharmacy_ask, values[1], PHARMACY)

    assert world.timeline()[-1] == ("related", "Ответственный за аптечный сервис", "")
    with reading(world.c.engine) as conn:
        assert outages.timeline(conn, 1)[-1]["answer"] == "affected"
    assert "«Электронный рецепт — отпуск в аптеках» — затронут" in \
        world.gl.issue(1, 23)["notes"][-1]["body"]
    assert len([e for e in world.timeline() if e[0] == "related"]) == 1


def progress(world: Outage, channel: str, text: str, user: str = DUTY,
             trigger: str = "13345224609.738474") -> Any:
    from urllib.parse import urlencode
    body = urlencode({"command": "/progress", "text": text, "channel_id": channel,
                      "user_id": user, "user_name": user.lower(),
                      "trigger_id": trigger}).encode()
    answer = post_slack(world.client, "/webhooks/slack/commands", body,
                        content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)
    return answer


def test_progress_in_the_room_goes_to_the_timeline_the_ticket_and_the_room(
        world: Outage) -> None:
    world.declare()
    room = world.room()["id"]

    answer = progress(world, room, "Перезапустили балансировщик, ошибки 5xx ушли")
    progress(world, room, "Перезапустили балансировщик, ошибки 5xx ушли")  # Slack's retry

    assert answer.status_code == 200 and answer.json["response_type"] == "ephemeral"
    assert world.timeline()[-1] == ("progress", "Дежурный инженер", "")
    assert len([e for e in world.timeline() if e[0] == "progress"]) == 1
    line = "📝 Дежурный инженер: Перезапустили балансировщик, ошибки 5xx ушли"
    assert world.gl.issue(1, 23)["notes"][-1]["body"].startswith(line)
    assert world.slack.messages(room)[-1]["text"] == line


@pytest.mark.parametrize(("said", "shown"), [
    ("Готово \u202eтxt.exe\u202c, \x85см. <https://evil.example/x|Портал МИАЦ>",
     "Готово тxt.exe, см. Портал МИАЦ (https://evil.example/x)"),
    ("Журнал:\n```\nвсё, что ниже, код", "Журнал:\n`\u200b``\nвсё, что ниже, код"),
])
def test_progress_is_repeated_inert_but_readable(world: Outage, said: str, shown: str) -> None:
    world.declare()
    room = world.room()["id"]
    progress(world, room, said)
    line = f"📝 Дежурный инженер: {shown}"
    assert world.gl.issue(1, 23)["notes"][-1]["body"].startswith(line)
    assert world.slack.messages(room)[-1]["text"] == line


def test_a_strangers_metrics_command_is_not_echoed(world: Outage) -> None:
    from urllib.parse import urlencode
    world.declare()
    room = world.room()["id"]
    body = urlencode({"command": "/metrics", "text": "<https://evil.example|ОТЧЁТ>",
                      "channel_id": room, "user_id": STRANGER, "user_name": "x",
                      "trigger_id": "3.3"}).encode()
    post_slack(world.client, "/webhooks/slack/commands", body,
               content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)
    said = world.slack.messages(room)[-1]["text"]
    assert "evil" not in said and "ОТЧЁТ" not in said
    assert said.startswith("Показатели мониторинга в обсуждении аварии запрашивают")


def test_progress_outside_an_outage_room_records_nothing(world: Outage) -> None:
    world.declare()
    progress(world, "C0OUTAGES", "не туда", trigger="2.2")
    assert [k for k, _, _ in world.timeline()] == ["declared"]


def test_the_alerts_channels_accident_button_declares_the_outage_at_once(
        world: Outage) -> None:
    """L1 presses «Авария» under an alert: the issue is created and its room opens without
    waiting for GitLab's webhook about the new issue; the timeline names L1."""
    from tests.conftest import ALERTS_TOKEN, SLACK_ALERTS
    from tests.test_alerts_channel import alertmanager
    answer = world.client.post("/webhooks/alerts", json=alertmanager(),
                               headers={"Authorization": f"Bearer {ALERTS_TOKEN}"})
    assert answer.status_code == 200
    run_until_idle(world.c)
    [alert] = world.slack.messages(SLACK_ALERTS)
    payload = {"type": "block_actions", "user": {"id": L1, "username": "l1-sidorova"},
               "channel": {"id": SLACK_ALERTS}, "response_url": world.slack.response_url,
               "container": {"type": "message", "message_ts": alert["ts"],
                             "channel_id": SLACK_ALERTS},
               "actions": [{"action_id": "hdc:alerts:accident:1",
                            "value": "hdc:alerts:accident:1", "action_ts": "9.9"}]}
    post_slack(world.client, "/webhooks/slack/interactions",
               f"payload={json.dumps(payload)}".encode(),
               content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)

    room = world.slack.channel("erp-api-24-" + _today(world.c))  # issue 23 exists already
    assert {OWNER, DUTY} <= set(room["members"])
    with reading(world.c.engine) as conn:
        declared, criteria, start, room = outages.timeline(conn, 1)
    assert (declared["kind"], declared["who"]) == ("declared", "l1-sidorova")
    assert (criteria["kind"], set(criteria) - {"at", "kind", "who"}) == (
        "criteria", {"since"})  # Belarus §1.1: the alert knows since when, nothing else
    assert (start["kind"], start["source"]) == ("start", "alert")  # downtime from its startsAt
    assert start["start"] == datetime(2026, 11, 22, 10, tzinfo=UTC).timestamp()
    assert room["kind"] == "room" and room["link"].endswith(world.slack.channel(
        "erp-api-24-" + _today(world.c))["id"])
    assert world.gl.issue(1, 24)["assignee_ids"] == [77]
