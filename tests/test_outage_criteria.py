"""Belarus §1.1's accident criteria («потери пользовательских данных и (или) недоступность …
более чем для 30% клиентов на срок более 15 минут») are recorded on every declaring path —
GitLab labels, the alerts channel's «Авария», `/outage` — each as far as the path knows them,
«не указано» for the rest; `/criteria` in the room fills them in; the status message and the
accident report show them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from connector.clock import FakeClock
from connector.features.outage import store as outages
from connector.store.db import reading
from tests.drive import post_slack, run_until_idle
from tests.test_outage import DUTY, STRANGER, Outage
from tests.test_outage_downtime import clock, declare_from_chat, restore_and_conclude, world
from tests.test_outage_downtime_odd import alert_starting

__all__ = ["clock", "world"]  # Belarus on GitLab and Slack, Thursday 05.03.2026 11:40 Minsk

UNKNOWN = "не указано"


def criteria(data_loss: str = UNKNOWN, share: str = UNKNOWN, since: str = UNKNOWN,
             functions: str = UNKNOWN) -> str:
    return (f"Признаки аварии (п. 1.1): потеря данных — {data_loss}; доля клиентов без "
            f"сервиса — {share}; начало — {since}; недоступные функции — {functions}.")


# (path, how it declares, its room, the criteria it knows)
PATHS: list[tuple[str, Callable[[Outage], None], str, str]] = [
    ("labels", lambda w: w.declare(), "erp-api-23-2026-03-05", criteria()),
    ("alerts", lambda w: alert_starting(w, "2026-03-05T11:20:00+03:00"),
     "erp-api-24-2026-03-05", criteria(since="05.03.2026 11:20 UTC+3")),
    ("/outage", lambda w: declare_from_chat(w, "с 11:00"), "erp-api-24-2026-03-05",
     criteria("нет", "40%", "с 11:00", "выписка")),
]


def status(world: Outage, room: str) -> dict[str, Any]:
    [pinned] = world.slack.pinned(room)
    return next(m for m in world.slack.messages(room) if m["ts"] == pinned)


def command(world: Outage, room: str, text: str, user: str = DUTY) -> None:
    world.presses += 1
    body = urlencode({"command": "/criteria", "text": text, "channel_id": room,
                      "user_id": user, "user_name": user.lower(),
                      "trigger_id": f"{world.presses}.8"})
    post_slack(world.client, "/webhooks/slack/commands", body.encode(),
               content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)


@pytest.mark.parametrize(("path", "declare", "room", "known"), PATHS)
def test_section_1_1_criteria_are_recorded_on_every_declaring_path_and_shown(
        world: Outage, path: str, declare: Callable[[Outage], None], room: str,
        known: str) -> None:
    declare(world)
    channel = world.slack.channel(room)["id"]

    assert known in status(world, channel)["text"]
    with reading(world.c.engine) as conn:
        kinds = [e["kind"] for e in outages.timeline(conn, 1)]
    assert kinds.count("criteria") == 1, path


@pytest.mark.parametrize(("path", "declare", "room", "known"), PATHS)
def test_the_room_gives_the_criteria_a_path_could_not_know(
        world: Outage, clock: FakeClock, path: str, declare: Callable[[Outage], None],
        room: str, known: str) -> None:
    declare(world)
    channel = world.slack.channel(room)["id"]
    command(world, channel, "| нет | 40% аптек |", user=STRANGER)  # not the service's: refused
    command(world, channel, "| да, часть рецептов за час | 40% аптек |")

    given = criteria("да, часть рецептов за час", "40% аптек",
                     known.split("начало — ")[1].split(";")[0],
                     "выписка" if path == "/outage" else UNKNOWN)
    assert given in status(world, channel)["text"]
    said = [m["text"] for m in world.slack.messages(channel)]
    assert sum("указывают ответственные" in t for t in said) == 1
    assert any(given in n["body"] for n in world.gl.issue(1, 23 if path == "labels" else 24)
               ["notes"])
    if path != "labels":  # the helper concludes issue 24 (the chat's and the alert's)
        _, report = restore_and_conclude(world, clock, channel)
        assert f"- {given}" in report
