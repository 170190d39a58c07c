"""The room's log is the record the head of support reads after the outage: everything people
wrote in the room, each line saying who wrote it. Two ways it is wrong today: a Slack reply
«also sent to the channel» (event subtype `thread_broadcast`) never reaches it, and a person
outside the catalog who calls themselves by a catalog name reads exactly like that person."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from connector.clock import FakeClock
from connector.core import Connector
from tests.conftest import SLACK_L2
from tests.drive import post_slack, post_telegram, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from tests.test_outage import DUTY, HEAD, OWNER, Outage, belarus_world
from tests.test_outage_closing import T0, button, clock, conclude, restored
from tests.test_outage_closing import world as closing_world
from tests.test_outage_telegram import (
    OUTAGES,
    STRANGER,
    close_with_comment,
    to_restored_and_concluded,
)
from tests.test_outage_telegram import OWNER as TG_OWNER
from tests.test_outage_telegram import world as sevastopol_world

__all__ = ["clock", "closing_world", "sevastopol_world"]


def broadcast(world: Outage, channel: str, thread_ts: str, text: str, ts: float) -> None:
    """A reply in a thread with «Also send to #channel» ticked, as Slack's Events API sends
    it: one `message` event of subtype `thread_broadcast`, and no other."""
    event = {"type": "message", "subtype": "thread_broadcast", "channel": channel,
             "user": DUTY, "text": text, "ts": f"{ts:.6f}", "thread_ts": thread_ts,
             "root": {"ts": thread_ts, "channel": channel}}
    body = json.dumps({"type": "event_callback", "event_id": f"EvB{ts}", "event": event})
    assert post_slack(world.client, "/webhooks/slack/events", body.encode()).status_code == 200
    run_until_idle(world.c)


def test_a_reply_also_sent_to_the_channel_is_in_the_room_log(
        closing_world: Outage, clock: FakeClock) -> None:
    world = closing_world
    restored(world, clock)
    room = world.room()["id"]
    broadcast(world, room, f"{T0 + 60:.6f}", "Нашли причину: диск БД заполнен логами",
              T0 + 7400)
    conclude(world)
    world.press(4, OWNER)
    world.press_on(world.status(), button(world, "Закрыть и создать проблему"), HEAD)

    [(_, content)] = [(u, c) for u, c in world.gl.uploads.items() if u.endswith("-23.txt")]
    assert "Нашли причину: диск БД заполнен логами" in content.decode()


@pytest.fixture
def thread_world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
                 standin_slack: StandInSlack) -> Iterator[Outage]:
    """Belarus §4.3's form: the accident is a thread in #ehr_community."""
    world = next(belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                               outages=SLACK_L2, room="thread"))
    yield world
    world.c.engine.dispose()


def test_in_thread_form_a_reply_also_sent_to_the_channel_is_on_the_ticket(
        thread_world: Outage) -> None:
    """In §4.3's thread «whatever people write in the thread is the accident's log — on the
    timeline and on the ticket»: ticking «also send to #ehr_community» must not drop it."""
    world = thread_world
    world.declare()
    intro = next(m for m in world.slack.messages(SLACK_L2) if "🔴 Авария:" in m["text"])
    broadcast(world, SLACK_L2, intro["ts"], "Перезапустили API, 5xx ушли", T0 + 600)

    assert any("Перезапустили API, 5xx ушли" in n["body"]
               for n in world.gl.issue(1, 23)["notes"])


def test_a_stranger_named_like_the_responsible_does_not_read_as_them_in_the_log(
        sevastopol_world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    """Telegram lets anyone call themselves anything; the log names catalog people by the
    catalog's name, and a stranger by the name they chose — the same words."""
    c, client = sevastopol_world
    tg = standin_telegram
    status = to_restored_and_concluded(c, client, tg, standin_mantis, OUTAGES)
    [topic] = tg.topics(OUTAGES)
    said = tg.message_update(OUTAGES, "Данные за сутки потеряны, восстанавливать не будем",
                             thread_id=topic, from_user={
                                 "id": STRANGER, "first_name": "Ответственный за МИС",
                                 "last_name": "(Севастополь)"})
    assert post_telegram(client, said).status_code == 200
    run_until_idle(c)
    close_with_comment(c, client, tg, OUTAGES, status, TG_OWNER, "Закрыто")

    log = standin_mantis.file_contents[(7, "outage-log-7.txt")].decode()
    line = next(x for x in log.splitlines() if "Данные за сутки потеряны" in x)
    assert "— Ответственный за МИС (Севастополь): " not in line, line
