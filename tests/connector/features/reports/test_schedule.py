"""When a scheduled report is due (the day, the Monday-to-Sunday week, the month before, at
`at` in the regulation's zone; only the latest one missed), and config errors that name the
file, the key and the fix."""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from connector.assembly import check_config
from connector.config import load_config
from connector.errors import ConfigError
from connector.features.reports.schedule import latest_due
from tests.conftest import REPO

MINSK = "Europe/Minsk"


def local(text: str) -> float:
    return datetime.strptime(text, "%d.%m.%Y %H:%M").replace(tzinfo=ZoneInfo(MINSK)).timestamp()


@pytest.mark.parametrize(("every", "now", "key", "first", "last"), [
    ("day", "06.03.2026 09:00", "2026-03-05", date(2026, 3, 5), date(2026, 3, 5)),
    ("day", "06.03.2026 08:59", "2026-03-04", date(2026, 3, 4), date(2026, 3, 4)),
    ("day", "09.03.2026 10:15", "2026-03-08", date(2026, 3, 8), date(2026, 3, 8)),  # days missed
    ("week", "09.03.2026 09:00", "2026-W10", date(2026, 3, 2), date(2026, 3, 8)),  # Monday
    ("week", "08.03.2026 23:00", "2026-W09", date(2026, 2, 23), date(2026, 3, 1)),
    ("month", "01.04.2026 09:00", "2026-03", date(2026, 3, 1), date(2026, 3, 31)),
    ("month", "01.03.2026 09:00", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("month", "01.01.2027 08:00", "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("month", "15.07.2026 12:00", "2026-06", date(2026, 6, 1), date(2026, 6, 30)),  # down long
])
def test_the_latest_period_whose_moment_has_come(every: str, now: str, key: str, first: date,
                                                 last: date) -> None:
    due = latest_due(every, "09:00", MINSK, local(now))
    assert (due.key, due.period.first, due.period.last) == (key, first, last)
    assert due.moment <= local(now)


GITLAB = f"""
mappings_dir: {REPO / 'mappings'}
roles: {{infrastructure_owner: a, new_client_owner: b, head_of_support: c}}
trackers:
  gitlab: {{webhook_secret: s, projects: [{{id: 1, mapping: belarus-ehr}}]}}
chats:
  slack: {{signing_secret: x, channels: {{l2: C1, alerts: C2, head: C3}}}}
"""


def config_with(tmp_path: Path, schedule: str) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(textwrap.dedent(GITLAB) + "reports:\n  schedules:\n    - " + schedule
                    + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("schedule", "key", "fix"), [
    ("{name: daily, every: daily, channel: head}", "every", "'day', 'week' or 'month'"),
    ("{name: daily, every: day, at: '9', channel: head}", "at", "write HH:MM, e.g. 09:00"),
    ("{name: Daily Report, every: day, channel: head}", "name", "lowercase letters"),
    ("{name: daily, every: day, tracker: 'gitlab'}", "tracker",
     "write gitlab:1 (an issue each period in project 1) or gitlab:1#57"),
    ("{name: daily, every: day}", "<top level>",
     "a schedule sends to a chat `channel`, a `tracker`, or both"),
])
def test_a_wrong_schedule_names_the_file_the_key_and_the_fix(
        tmp_path: Path, schedule: str, key: str, fix: str) -> None:
    path = config_with(tmp_path, schedule)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    [problem] = exc.value.problems
    where = "reports.schedules[0]" + ("" if key == "<top level>" else f".{key}")
    assert problem.startswith(f"{path}: {where}: ") and fix in problem


@pytest.mark.parametrize(("schedule", "problem"), [
    ("{name: daily, every: day, channel: boss}",
     "chats.*.channels.boss: reports.schedules[0].channel posts to channel 'boss', but no chat "
     "defines it — add `boss: <channel id>` under a chat's channels"),
    ("{name: daily, every: day, channel: head, tracker: 'mantis:1'}",
     "reports.schedules[0].tracker: no mantis tracker is configured — use one of: gitlab"),
    ("{name: daily, every: day, channel: head, regulation: belarus}",
     "reports.schedules[0].regulation: no regulation named 'belarus' — use one of: "
     "belarus-ehr, sevastopol-miac"),
])
def test_check_config_finds_what_a_schedule_names_and_nothing_has(
        tmp_path: Path, schedule: str, problem: str) -> None:
    path = config_with(tmp_path, schedule)
    with pytest.raises(ConfigError) as exc:
        check_config(load_config(path))
    assert exc.value.problems == [f"{path}: {problem}"]


def test_a_good_schedule_passes_check_config(tmp_path: Path) -> None:
    path = config_with(tmp_path, "{name: daily, every: day, at: '09:00', channel: head, "
                                 "tracker: 'gitlab:1'}")
    check_config(load_config(path))
