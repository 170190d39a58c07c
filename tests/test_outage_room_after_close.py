"""An outage is closed the moment its closing decision is taken; its room is archived a little
later, when the chat lane gets to it. Whatever is said in the room in between — the usual
«/progress …» typed while the head presses «Закрыть…» — belongs to no open outage: it must not
become a note on the closed ticket after «Сбой … закрыт» and the attached log, nor an entry on
a closed timeline that the log and the report never show."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from connector.clock import FakeClock
from connector.inbox_processing import drain_inbox
from tests.drive import post_slack, run_until_idle, slack_reply
from tests.test_outage import HEAD, OWNER, Outage
from tests.test_outage_closing import T0, button, clock, conclude, restored, world

__all__ = ["clock", "world"]  # Belarus on GitLab and Slack, a frozen clock


def decided(world: Outage) -> None:
    """Concluded, at «Заключение»; the head presses «Закрыть и создать проблему» and the worker
    takes the press (the outage is closed) before the chat lane has archived the room."""
    conclude(world)
    world.press(4, OWNER)
    room, status = world.room()["id"], world.status()
    payload = {"type": "block_actions", "user": {"id": HEAD, "username": "head"},
               "channel": {"id": room}, "response_url": world.slack.response_url,
               "trigger_id": world.slack.trigger_id(),
               "container": {"type": "message", "message_ts": status["ts"],
                             "channel_id": room},
               "actions": [{"action_id": "close", "action_ts": "99.1",
                            "value": button(world, "Закрыть и создать проблему")}]}
    answer = post_slack(world.client, "/webhooks/slack/interactions",
                        f"payload={json.dumps(payload)}".encode(),
                        content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    drain_inbox(world.c)  # the decision is taken; its actions wait in the outbox


def progress_command(world: Outage, room: str) -> None:
    body = urlencode({"command": "/progress", "text": "Ещё перезапустили кэш",
                      "channel_id": room, "user_id": OWNER, "user_name": "owner",
                      "trigger_id": "7.7"})
    assert post_slack(world.client, "/webhooks/slack/commands", body.encode(),
                      content_type="application/x-www-form-urlencoded").status_code == 200


def reply_to_status(world: Outage, room: str) -> None:
    assert slack_reply(world.client, channel=room, thread_ts=world.status()["ts"],
                       text="Ещё перезапустили кэш", user=OWNER, event_id="EvLate",
                       ts=f"{T0 + 8000:.6f}").status_code == 200


@pytest.mark.parametrize("say", [progress_command, reply_to_status],
                         ids=["/progress", "a reply to the status"])
def test_progress_said_after_the_closing_decision_is_not_noted_on_the_closed_ticket(
        world: Outage, clock: FakeClock, say: object) -> None:
    restored(world, clock)
    decided(world)
    room = world.room()["id"]

    say(world, room)  # type: ignore[operator]
    run_until_idle(world.c)

    assert world.slack.channel(room)["is_archived"] is True
    notes = [n["body"] for n in world.gl.issue(1, 23)["notes"]]
    closed_at = next(i for i, n in enumerate(notes) if " закрыта (" in n)  # «Авария … закрыта»
    late = [n for n in notes[closed_at:] if "Ещё перезапустили кэш" in n]
    assert late == [], "a progress note after the outage was closed"
    timeline = world.timeline()
    closed = timeline.index(next(e for e in timeline if e[2] == "closed"))
    assert "progress" not in [kind for kind, _, _ in timeline[closed:]]
