"""Downtime as Belarus §4.3.4 counts it: from when the service went down — stated with
`/outage … | с 11:00`, else the alert's start, else the ticket's creation — to «Восстановлено»;
the conclusion form shows both ends and the responsible may correct them; the report says
where each end came from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from connector.clock import FakeClock
from connector.features.outage.downtime import parse_moment
from tests.conftest import SLACK_L2
from tests.drive import post_slack, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.test_outage import DUTY, L1, OWNER, Outage, belarus_world
from tests.test_outage_closing import CONCLUSION

MINSK = "Europe/Minsk"
NOW = datetime(2026, 3, 5, 11, 40, tzinfo=ZoneInfo(MINSK)).timestamp()  # Thursday 11:40


def at(text: str) -> float:
    return datetime.strptime(text, "%d.%m.%Y %H:%M").replace(tzinfo=ZoneInfo(MINSK)).timestamp()


@pytest.mark.parametrize(("said", "moment"), [
    ("11:00", "05.03.2026 11:00"),
    ("с 11:00", "05.03.2026 11:00"),
    ("c 9:05", "05.03.2026 09:05"),  # a Latin «c» typed for the Cyrillic one
    ("23:50", "04.03.2026 23:50"),  # still ahead today: yesterday
    ("04.03 22:15", "04.03.2026 22:15"),
    ("С 28.02.2026 08:00", "28.02.2026 08:00"),
])
def test_the_stated_start_is_read_in_the_teams_zone(said: str, moment: str) -> None:
    assert parse_moment(said, NOW, MINSK) == at(moment)


def test_a_day_and_month_ahead_is_last_years_only_across_new_year() -> None:
    new_year = at("01.01.2026 08:00")
    assert parse_moment("31.12 23:00", new_year, MINSK) == at("31.12.2025 23:00")
    assert parse_moment("06.03 10:00", NOW, MINSK) is None  # tomorrow is a slip, not 2025


@pytest.mark.parametrize("said", ["с утра", "11", "25:00", "31.02 10:00", "06.03.2026 10:00",
                                  "11:00 вчера", "2026-03-05 11:00", "",
                                  "05.03.1926 11:00", "01.01.2026 10:00", "05.03.26 10:30"])
def test_anything_else_is_not_a_start(said: str) -> None:
    assert parse_moment(said, NOW, MINSK) is None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack, clock: FakeClock) -> Iterator[Outage]:
    standin_gitlab.add_user("head", 90)
    yield from belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack, clock=clock)


def declare_from_chat(world: Outage, since: str) -> None:
    body = urlencode({"command": "/outage", "text": f"erp-api Не выписываются рецепты | выписка"
                      f" | нет | 40% | {since}", "channel_id": SLACK_L2, "user_id": L1,
                      "user_name": "l1", "trigger_id": "1.1"})
    post_slack(world.client, "/webhooks/slack/commands", body.encode(),
               content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)


def restore_and_conclude(world: Outage, clock: FakeClock, room: str,
                         **corrections: str) -> tuple[str, str]:
    """Diagnosed, restored ten minutes after the declaration, concluded by the owner; the
    conclusion note and the report's description."""
    def status() -> dict[str, Any]:
        [pinned] = world.slack.pinned(room)
        return next(m for m in world.slack.messages(room) if m["ts"] == pinned)

    world.press_on(status(), "hdc:outage:go:1:1", DUTY, channel=room)
    clock.advance(600)
    world.press_on(status(), "hdc:outage:go:1:3", OWNER, channel=room)
    conclude = next(e["value"] for b in status()["blocks"] if b["type"] == "actions"
                    for e in b["elements"] if e["text"]["text"] == "📝 Заключение")
    world.press_on(status(), conclude, OWNER, channel=room)
    [view] = world.slack.views[-1:]
    values = {**CONCLUSION, **corrections}
    body = f"payload={json.dumps(world.slack.submission(view['id'], OWNER, values))}"
    post_slack(world.client, "/webhooks/slack/interactions", body.encode(),
               content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)
    issue = world.gl.issue(1, 24)
    note = next(n["body"] for n in issue["notes"] if n["body"].startswith("📝 Заключение"))
    return note, world.gl.issue(1, 25)["description"]


def test_declared_at_1140_as_down_since_1100_and_restored_at_1150_is_fifty_minutes(
        world: Outage, clock: FakeClock) -> None:
    declare_from_chat(world, "с 11:00")
    room = world.slack.channel("erp-api-24-2026-03-05")["id"]
    note, report = restore_and_conclude(world, clock, room)

    assert "Время простоя: 0 ч 50 мин — с 05.03.2026 11:00" in note
    assert "(со слов заявившего)" in note and "11:50 UTC+3 (по отметке статуса)" in note
    assert "- Начало простоя: 05.03.2026 11:00 UTC+3 (со слов заявившего)" in report
    assert "- Конец простоя: 05.03.2026 11:50 UTC+3 (по отметке статуса)" in report
    assert "- Время простоя: 0 ч 50 мин" in report
    assert "начало простоя — 05.03.2026 11:00 UTC+3 (со слов заявившего)" in report


def test_the_form_shows_the_ends_and_the_responsible_corrects_the_start(
        world: Outage, clock: FakeClock) -> None:
    declare_from_chat(world, "с 11:00")
    room = world.slack.channel("erp-api-24-2026-03-05")["id"]
    note, report = restore_and_conclude(world, clock, room, start="05.03.2026 10:30")

    [view] = world.slack.views
    shown = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]}
    assert (shown["start"], shown["end"]) == ("05.03.2026 11:00", "05.03.2026 11:50")
    assert "Время простоя: 1 ч 20 мин — с 05.03.2026 10:30 UTC+3 (исправлено ответственным)" \
        in note
    assert "- Конец простоя: 05.03.2026 11:50 UTC+3 (по отметке статуса)" in report


def test_a_start_not_understood_is_answered_and_counted_from_the_ticket(
        world: Outage, clock: FakeClock) -> None:
    declare_from_chat(world, "с утра")
    said = [m["text"] for m in world.slack.messages(SLACK_L2)]
    assert any("«с утра» не распознано" in t and "ДД.ММ.ГГГГ ЧЧ:ММ" in t for t in said)
    room = world.slack.channel("erp-api-24-2026-03-05")["id"]
    note, _ = restore_and_conclude(world, clock, room)
    assert "Время простоя: 0 ч 10 мин — с 05.03.2026 11:40 UTC+3" in note


def test_a_ticket_declared_later_counts_from_its_creation(
        world: Outage, clock: FakeClock) -> None:
    """The issue was opened at 11:10 and marked an accident at 11:40."""
    from tests.conftest import issue_hook
    from tests.drive import post_hook
    from tests.test_outage import _today
    hook = issue_hook("Priority: High", "Accident", iid=24)
    hook["object_attributes"]["created_at"] = "2026-03-05T08:10:00Z"
    world.gl.add_issue(1, 24, labels=["Priority: High", "Accident"])
    assert post_hook(world.client, hook).status_code == 200
    run_until_idle(world.c)
    room = world.slack.channel("erp-api-24-" + _today(world.c))["id"]
    note, _ = restore_and_conclude(world, clock, room)
    assert "Время простоя: 0 ч 40 мин — с 05.03.2026 11:10 UTC+3 (по времени создания задачи)" \
        in note


@pytest.mark.parametrize(("start", "end", "taken", "refused"), [
    ("05.03.2026 10:30", "05.03.2026 11:50", ("05.03.2026 10:30", "05.03.2026 11:50"), []),
    ("05.03.2026 11:00", "05.03.2026 11:45", ("05.03.2026 11:00", "05.03.2026 11:45"), []),
    ("05.03.26 10:30", "", ("05.03.2026 11:00", "05.03.2026 11:50"), ["start"]),
    ("", "05.03.2026 10:00", ("05.03.2026 11:00", "05.03.2026 11:50"), ["end"]),
    ("05.03.2026 10:30", "05.03.2026 12:30", ("05.03.2026 10:30", "05.03.2026 11:50"), ["end"]),
    ("05.03.2026 10:30", "05.03.2026 10:00", ("05.03.2026 11:00", "05.03.2026 11:50"),
     ["start", "end"]),
])
def test_corrections_are_taken_or_said_not_taken(start: str, end: str, taken: tuple[str, str],
                                                  refused: list[str]) -> None:
    """Found: 11:00 (stated) to 11:50 (restored); now is 12:00."""
    from connector.features.outage.downtime import Span, corrected, shown
    found = Span(at("05.03.2026 11:00"), "stated", at("05.03.2026 11:50"), "stage")
    span, not_taken = corrected(found, start, end, at("05.03.2026 12:00"), MINSK)
    assert (shown(span.start, MINSK), shown(span.end, MINSK)) == taken
    assert not_taken == refused
