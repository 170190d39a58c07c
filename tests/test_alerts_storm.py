"""A storm as Alertmanager sends it (issue 21 item 5): 5,000 alerts for one service in a minute,
the group's growing bodies through the real receiver, on the business clock. One top-level
message per chat for the group, its edits within Slack's 60 a minute per message and Telegram's
20 a minute per group, no chat message twice; «Авария» pressed twice and by two people declares
one outage; once it is open, the outage's room gets one message for the group — how many alerts
and the newest — kept current, not a post per alert."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from connector.clock import FakeClock
from connector.inbox_processing import drain_inbox
from connector.outbox_dispatch import dispatch_outbox
from connector.store import inbox
from connector.store.schema import outages
from connector.timestamps import from_epoch
from tests.alertmanager_bodies import storm
from tests.conftest import ALERTS_TOKEN, SLACK_ALERTS, TG_ALERTS, issue_hook
from tests.drive import post_slack, settle_on_clock
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from tests.test_outage import L1, Outage, belarus_world

SERVICE = "erp-api"
BODIES = (1_000, 2_000, 3_500, 5_000, 5_000)  # the whole group so far, every 15 s; the last again
L2 = "U0L2ENG"  # the other member of the alerts channel (tests/conftest.py)
# Each chat's limit on editing one message (Slack) / messages in one group (Telegram), a minute.
LIMITS = {"slack": 60, "telegram": 20}


@dataclass
class Storm:
    o: Outage
    clock: FakeClock
    tg: StandInTelegram
    edits: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _stamped: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def send(self, body: bytes) -> None:
        """A body as Alertmanager posts it, to the real receiver."""
        answer = self.o.client.post("/webhooks/alerts", data=body, headers={
            "Authorization": f"Bearer {ALERTS_TOKEN}", "Content-Type": "application/json"})
        assert answer.status_code == 200

    def pump(self) -> None:
        """The worker's round at this moment; each chat edit stamped with the business time."""
        drain_inbox(self.o.c)
        dispatch_outbox(self.o.c)
        now = self.clock.now()
        for chat, method, scope in (("slack", "chat.update", ("channel", "ts")),
                                    ("telegram", "editMessageText", ("chat_id",))):
            calls = (self.o.slack if chat == "slack" else self.tg).calls(method)
            for call in calls[self._stamped[chat]:]:
                self.edits[f"{chat}|" + "|".join(str(call.params[k]) for k in scope)].append(now)
            self._stamped[chat] = len(calls)

    def run_for(self, seconds: int) -> None:
        for _ in range(seconds):
            self.pump()
            self.clock.advance(1)

    def settle(self) -> None:
        settle_on_clock(self.o.c, self.clock, self.pump)

    def busiest_minute(self, chat: str) -> int:
        """The most edits of one rate scope of `chat` in any 60 s."""
        return max((sum(t <= u < t + 60 for u in times)
                    for scope, times in self.edits.items() if scope.startswith(chat)
                    for t in times), default=0)

    def press_accident(self, user: str, ts: str) -> None:
        message = self.o.slack.messages(SLACK_ALERTS)[0]
        data = next(v for v in _button_values(message) if ":accident:" in v)
        press = {"type": "block_actions", "user": {"id": user, "username": user.lower()},
                 "channel": {"id": SLACK_ALERTS}, "response_url": self.o.slack.response_url,
                 "container": {"type": "message", "message_ts": message["ts"],
                               "channel_id": SLACK_ALERTS},
                 "actions": [{"action_id": data, "value": data, "action_ts": ts}]}
        answer = post_slack(self.o.client, "/webhooks/slack/interactions",
                            f"payload={json.dumps(press)}".encode(),
                            content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 200

    def gitlab_says(self, iid: int, key: str) -> None:
        """GitLab's webhook about the accident's issue (sent again: another key)."""
        hook = issue_hook("Priority: High", "Accident", iid=iid)
        hook["object_attributes"]["created_at"] = from_epoch(self.clock.now())
        with self.o.c.engine.begin() as conn:
            inbox.add_event(conn, source="gitlab", dedup_key=key, event_name="Issue Hook",
                            ordering_key=f"gitlab:1#{iid}", payload=json.dumps(hook))


def _button_values(message: dict[str, Any]) -> list[str]:
    return [e["value"] for b in message.get("blocks") or [] if b["type"] == "actions"
            for e in b["elements"]]


def _sent(calls: list[Any], *keys: str) -> list[tuple[str, ...]]:
    return [tuple(str(c.params.get(k, "")) for k in keys) for c in calls]


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack, standin_telegram: StandInTelegram) -> Iterator[Storm]:
    clock = FakeClock()
    standin_slack.add_user(L2, "l2-engineer", "L2 Engineer", "l2@example.org")
    for o in belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack, clock=clock,
                           telegram=standin_telegram):
        yield Storm(o, clock, standin_telegram)


def test_a_storm_of_5000_alerts_is_one_message_per_chat_and_one_note_in_the_outage_room(
    world: Storm,
) -> None:
    gl, slack, tg = world.o.gl, world.o.slack, world.tg
    world.send(storm(BODIES[0], service=SERVICE))
    world.run_for(15)
    # L1 presses «Авария» twice, an L2 engineer too: one ticket, one outage however GitLab
    # repeats its webhook
    world.press_accident(L1, "1.1")
    world.press_accident(L1, "1.2")
    world.press_accident(L2, "1.3")
    world.run_for(1)
    [accident] = [i for i in gl.issues(1) if i["iid"] != 23]
    world.gitlab_says(accident["iid"], "hook-a")
    world.gitlab_says(accident["iid"], "hook-b")
    world.run_for(1)
    for size in BODIES[1:]:
        world.send(storm(size, service=SERVICE))
        world.run_for(15)
    world.settle()

    # one top-level message per chat, showing the whole group; no chat message twice
    [group] = slack.messages(SLACK_ALERTS)
    assert "сработавших 5000" in group["text"]
    [tg_group] = [m for m in tg.messages(TG_ALERTS) if m["text"].startswith("🚨")]
    assert "сработавших 5000" in tg_group["text"]
    posts = _sent(slack.calls("chat.postMessage"), "channel", "thread_ts", "text")
    assert len(posts) == len(set(posts))
    tg_posts = _sent(tg.calls("sendMessage"), "chat_id", "message_thread_id", "text")
    assert len(tg_posts) == len(set(tg_posts))
    # edits within each chat's rate
    assert 0 < world.busiest_minute("slack") <= LIMITS["slack"]
    assert 0 < world.busiest_minute("telegram") <= LIMITS["telegram"]
    # one outage declared
    with world.o.c.engine.connect() as conn:
        declared = conn.execute(select(outages.c.ticket, outages.c.service)).all()
    assert [tuple(d) for d in declared] == [(f"gitlab:1#{accident['iid']}", SERVICE)]
    assert len(gl.issues(1)) == 2
    # the room: one message for the group, the count and the newest alert
    day = datetime.fromtimestamp(world.clock.now(), ZoneInfo("Europe/Minsk")).strftime("%Y-%m-%d")
    room = slack.channel(f"{SERVICE}-{accident['iid']}-{day}")["id"]
    notes = [m for m in slack.messages(room) if m["text"].startswith("📟")]
    assert len(notes) == 1
    assert "сработавших 5000, снятых 0" in notes[0]["text"]
    assert "node-04999" in notes[0]["text"]  # the newest alert
    assert len(slack.messages(room)) < 10  # never a post per alert
