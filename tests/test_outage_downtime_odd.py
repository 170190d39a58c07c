"""Downtime moments as careless people and odd senders give them: a year mistyped (1926 for
2026), a day-month one day ahead, a two-digit year, a monitoring sender whose «zero» start
is midnight 1970 in its own zone. None may cost the outage its declaration or its conclusion,
and none may turn a morning's outage into one of years unnoticed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector.clock import FakeClock
from connector.inbox_processing import drain_inbox
from tests.conftest import ALERTS_TOKEN, SLACK_ALERTS, SLACK_L2
from tests.drive import post_slack, run_until_idle
from tests.test_outage import L1, Outage
from tests.test_outage_downtime import clock, declare_from_chat, restore_and_conclude, world

__all__ = ["clock", "world"]  # Belarus on GitLab and Slack, Thursday 05.03.2026 11:40 Minsk

ROOM = "erp-api-24-2026-03-05"  # the room /outage opens (issue 24)


def said_in(world: Outage, channel: str) -> list[str]:
    return [m["text"] for m in world.slack.messages(channel)]


def test_a_start_with_a_mistyped_year_still_declares_the_outage(world: Outage) -> None:
    """L1 types 1926 for 2026: the command must still declare (and say the start was not
    taken), not crash in the worker leaving the outage undeclared and L1 unanswered."""
    declare_from_chat(world, "с 05.03.1926 11:00")

    said = said_in(world, SLACK_L2)
    assert any("регистрируется" in t for t in said), said
    assert world.slack.channel(ROOM)["id"]


def test_a_correction_with_a_mistyped_year_does_not_lose_the_conclusion(
        world: Outage, clock: FakeClock) -> None:
    """The responsible corrects the start to 10:30 but types 1926: the conclusion must be
    recorded (the correction refused or said), not crash and vanish with the modal closed."""
    declare_from_chat(world, "с 11:00")
    room = world.slack.channel(ROOM)["id"]
    try:
        note, _ = restore_and_conclude(world, clock, room, start="05.03.1926 10:30")
    except StopIteration:
        pytest.fail("no conclusion on the ticket: the submission crashed in the worker")
    assert "1926" not in note


def alert_starting(world: Outage, starts_at: str) -> None:
    """Alertmanager's alert, then L1's «Авария» under it in the alerts channel."""
    alert = {"version": "4", "status": "firing", "receiver": "connector", "alerts": [{
        "status": "firing", "fingerprint": "c0ffee",
        "labels": {"alertname": "ErpcApiErrors", "severity": "critical"},
        "annotations": {"summary": "5xx у API рецептов выше 5%"},
        "startsAt": starts_at, "generatorURL": "http://prometheus/graph?g0"}]}
    answer = world.client.post("/webhooks/alerts", json=alert,
                               headers={"Authorization": f"Bearer {ALERTS_TOKEN}"})
    assert answer.status_code == 200
    run_until_idle(world.c)
    [message] = world.slack.messages(SLACK_ALERTS)
    data = "hdc:alerts:accident:1"
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": L1, "username": "l1"},
        "channel": {"id": SLACK_ALERTS}, "response_url": world.slack.response_url,
        "container": {"type": "message", "message_ts": message["ts"],
                      "channel_id": SLACK_ALERTS},
        "actions": [{"action_id": data, "value": data, "action_ts": "5.5"}]}
    post_slack(world.client, "/webhooks/slack/interactions",
               f"payload={json.dumps(payload)}".encode(),
               content_type="application/x-www-form-urlencoded")
    drain_inbox(world.c)  # the press: the group's message is edited at its next slot
    world.c.clock.advance(3)  # type: ignore[attr-defined]
    run_until_idle(world.c)


def test_an_alert_whose_start_is_a_senders_zero_time_can_still_be_concluded(
        world: Outage, clock: FakeClock) -> None:
    """A sender that fills an unknown start with 1970-01-01T00:00 in its own zone (+03:00):
    the outage must still be concludable with the form as pre-filled."""
    alert_starting(world, "1970-01-01T00:00:00+03:00")
    room = world.slack.channel(ROOM)["id"]
    try:
        note, _ = restore_and_conclude(world, clock, room)
    except StopIteration:
        pytest.fail("no conclusion on the ticket: every submission crashes in the worker")
    assert "1970" not in note


def test_a_correction_the_connector_cannot_read_is_said_not_dropped(
        world: Outage, clock: FakeClock) -> None:
    """«05.03.26 10:30» (a two-digit year, as Russians often write it) is not a form the
    connector reads; the report then names 11:00 «со слов заявившего» as if nobody had
    corrected it. The responsible must hear that the correction was not taken."""
    declare_from_chat(world, "с 11:00")
    room = world.slack.channel(ROOM)["id"]
    note, _ = restore_and_conclude(world, clock, room, start="05.03.26 10:30")

    assert "с 05.03.2026 11:00 UTC+3 (со слов заявившего)" in note  # the correction is gone
    told = [t for t in said_in(world, room) if "05.03.26 10:30" in t]
    assert told, "nobody was told the corrected start was not taken"


def test_a_day_month_one_day_ahead_is_not_last_years(world: Outage, clock: FakeClock) -> None:
    """«с 06.03 10:00» typed on 05.03 (tomorrow: a slip of a finger) is read as 06.03.2025 and
    the report gets a downtime of 364 days; a moment ahead is refused for every other form."""
    declare_from_chat(world, "с 06.03 10:00")
    room = world.slack.channel(ROOM)["id"]
    note, _ = restore_and_conclude(world, clock, room)

    assert "2025" not in note, note.splitlines()[1]
