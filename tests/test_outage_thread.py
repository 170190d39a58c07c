"""Belarus §4.3's own form: with `outage.room: thread`, an accident gets a thread in
#ehr_community (the chat channel `outages` points at) instead of a channel: the intro opens
it, the status is pinned in it and moved on by buttons, and whatever people write in the
thread is the accident's log — on the timeline and on the ticket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.features.outage import store as outages
from connector.store.db import reading
from tests.conftest import SLACK_L2
from tests.drive import run_until_idle, slack_reply
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.test_outage import DUTY, OWNER, Outage, belarus_world


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack) -> Iterator[Outage]:
    worlds = belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                           outages=SLACK_L2, room="thread")
    world = next(worlds)
    yield world
    world.c.engine.dispose()


def test_an_accident_is_a_thread_in_ehr_community_and_its_talk_is_the_log(
        world: Outage) -> None:
    world.declare()
    world.declare("hook-2")

    assert world.slack.calls("conversations.create") == []
    assert world.slack.calls("conversations.invite") == []
    intro = next(m for m in world.slack.messages(SLACK_L2) if "🔴 Авария:" in m["text"])
    status, *asks = world.slack.messages(SLACK_L2, intro["ts"])
    assert "Зарегистрирован" in status["text"]
    assert world.slack.pinned(SLACK_L2) == [status["ts"]]
    assert len(asks) == 2

    world.press_on(status, "hdc:outage:go:1:1", DUTY, channel=SLACK_L2)
    reply = slack_reply(world.client, channel=SLACK_L2, thread_ts=intro["ts"],
                        text="Перезапустили API, 5xx ушли", user=OWNER, event_id="Ev77")
    assert reply.status_code == 200
    run_until_idle(world.c)

    status = world.slack.messages(SLACK_L2, intro["ts"])[0]
    assert "Диагностика" in status["text"]
    assert "Перезапустили API, 5xx ушли" in world.gl.issue(1, 23)["notes"][-1]["body"]
    with reading(world.c.engine) as conn:
        kinds = [e["kind"] for e in outages.timeline(conn, 1)]
    assert kinds[-2:] == ["stage", "progress"]
