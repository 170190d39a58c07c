"""Belarus §4.3.4: the head of support prepares the accident report — the issue the conclusion
creates, labelled «Отчёт об аварии». The regulation sets no deadline; the shipped mapping's
SLA policy `outage_report` gives two working days (16 h of the Belarus calendar, the team's to
set): at 100 % a comment on the report issue, at 200 % a comment and «SLA: нарушен»; a report
closed in time hears nothing. End to end: the accident restored and concluded by buttons and
the modal in Slack, GitLab (the stand-in, on the test's clock) holding the report issue, the
connector learning of it by its poll as of any issue whose webhook it did not get."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from connector.clock import FakeClock
from connector.features.sla.flows import tick
from connector.reconcile import reconcile_all
from tests.drive import run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.test_outage import Outage, belarus_world
from tests.test_outage_closing import T0, conclude, restored

MINSK = ZoneInfo("Europe/Minsk")
REPORT = 24  # the issue the conclusion creates (the accident is #23)


def minsk(day: int, hour: int, minute: int) -> float:
    return datetime(2026, 3, day, hour, minute, tzinfo=MINSK).timestamp()


@pytest.fixture
def concluded(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
              standin_slack: StandInSlack) -> Iterator[tuple[Outage, FakeClock]]:
    """Restored Thursday 5 March 2026 at 13:45 Minsk and concluded at once: the report issue
    exists in GitLab and the connector has polled it."""
    clock = FakeClock(T0)
    standin_gitlab.use_clock(clock)
    standin_gitlab.add_user("head", 90)
    world = next(belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                               clock=clock))
    restored(world, clock)
    conclude(world)
    assert "Отчёт об аварии" in world.gl.issue(1, REPORT)["labels"]
    poll(world)
    yield world, clock
    world.c.engine.dispose()


def poll(world: Outage) -> None:
    reconcile_all(world.c)
    run_until_idle(world.c)


DEADLINE = "⏱ Срок отчёта об аварии (п. 4.3.4): "


def deadline_notes(world: Outage, prefix: str = DEADLINE) -> list[str]:
    return [n["body"] for n in world.gl.issue(1, REPORT)["notes"]
            if n["body"].startswith(prefix)]


def at(world: Outage, clock: FakeClock, when: float) -> None:
    clock.set(when)
    tick(world.c)
    tick(world.c)  # a second tick fires nothing again
    run_until_idle(world.c)


@pytest.mark.parametrize(("when", "notes", "breached"), [
    # Thu 13:45–18:00 4 h 15, Fri 09:00–16:45 less the 13:00–13:45 break 7 h, Sunday 8 March
    # no working day: 16 h fall due on Monday 9 March at 14:30, 32 h on Wednesday 11 at 14:00.
    (minsk(9, 14, 29), [], False),
    (minsk(9, 14, 31), ["прошло 100% нормы (16 ч 00 мин из 16 ч 00 мин рабочего времени), "
                        "срок — 09.03.2026 14:30"], False),
    (minsk(11, 13, 59), ["прошло 100% нормы"], False),
    (minsk(11, 14, 1), ["прошло 100% нормы", "прошло 200% нормы (32 ч 00 мин из 16 ч 00 мин "
                        "рабочего времени), срок — 11.03.2026 14:00"], True),
])
def test_section_4_3_4_the_report_past_its_working_hours_deadline(
        concluded: tuple[Outage, FakeClock], when: float, notes: list[str],
        breached: bool) -> None:
    world, clock = concluded
    at(world, clock, when)
    said = deadline_notes(world)
    assert len(said) == len(notes)
    for text, expected in zip(said, notes, strict=True):
        assert expected in text
    assert ("SLA: нарушен" in world.gl.issue(1, REPORT)["labels"]) is breached
    assert "SLA: нарушен" not in world.gl.issue(1, 23)["labels"]  # the accident's issue: not it


def test_section_4_3_4_a_report_closed_in_time_hears_nothing(
        concluded: tuple[Outage, FakeClock], standin_gitlab: StandInGitLab) -> None:
    world, clock = concluded
    clock.set(minsk(9, 12, 0))  # the head closes it on Monday before noon
    answer = requests.put(f"{standin_gitlab.url}/api/v4/projects/1/issues/{REPORT}",
                       headers={"PRIVATE-TOKEN": standin_gitlab.token},
                       json={"state_event": "close"}, timeout=5)
    assert answer.status_code == 200 and world.gl.issue(1, REPORT)["state"] == "closed"
    poll(world)

    at(world, clock, minsk(12, 10, 0))  # past both thresholds
    assert deadline_notes(world, "⏱") == []  # nor §4.1's triage: the report is no request
    assert "SLA: нарушен" not in world.gl.issue(1, REPORT)["labels"]
