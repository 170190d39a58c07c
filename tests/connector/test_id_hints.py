"""Chat ids written the way people know them (a @name, a channel where a person goes, a user id
where a group goes) are refused with what to write instead; a calendar with no working time is
refused at load, naming the file, the key and the fix."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.assembly import check_config
from connector.config import load_config
from connector.errors import ConfigError
from connector.features.sla.calendars import WorkCalendar
from connector.mappings import load_mappings
from tests.conftest import REPO


def refusal(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [p.removeprefix(f"{path}: ") for p in caught.value.problems]


TELEGRAM = {"webhook_secret": "tg-secret-1"}


@pytest.mark.parametrize(("data", "said"), [
    ({"chats": {"telegram": {**TELEGRAM, "channels": {"l2": "@ehr_l2"}}}},
     "chats.telegram.channels.l2: '@ehr_l2' is a name, and Telegram's API takes the chat's "
     "number (-100… for a supergroup) — add the bot to the group; its id is in the bot's "
     "getUpdates, or a bot like @getidsbot tells it"),
    ({"chats": {"telegram": {**TELEGRAM, "room_pool": ["ehr-room-1"]}}},
     "chats.telegram.room_pool[0]: 'ehr-room-1' is a name, and Telegram's API takes the chat's "
     "number (-100… for a supergroup) — add the bot to the group; its id is in the bot's "
     "getUpdates, or a bot like @getidsbot tells it"),
    ({"people": [{"name": "Иванов", "telegram": "@ivanov"}]},
     "people[0].telegram: '@ivanov' is a username, and Telegram's API takes the user's number "
     "— a bot like @userinfobot tells a user theirs"),
    ({"chats": {"telegram": {**TELEGRAM, "forum_members": ["@ivanov"]}}},
     "chats.telegram.forum_members[0]: '@ivanov' is a username, and Telegram's API takes the "
     "user's number — a bot like @userinfobot tells a user theirs"),
    ({"people": [{"name": "Иванов", "slack": "C0123456789"}]},
     "people[0].slack: 'C0123456789' is a channel's id; a person's is U… or W… — the person's "
     "profile → ⋮ → Copy member ID"),
    ({"people": [{"name": "Иванов", "slack": "@ivanov"}]},
     "people[0].slack: '@ivanov' is a name; a person's id is U… or W… — the person's "
     "profile → ⋮ → Copy member ID"),
])
def test_a_chat_id_written_as_people_know_it_gets_a_hint(
    data: dict[str, Any], said: str, tmp_path: Path
) -> None:
    assert refusal(tmp_path, data) == [said]


@pytest.mark.parametrize("data", [
    {"chats": {"telegram": {**TELEGRAM, "channels": {"l2": -1001234567890}}}},
    {"chats": {"telegram": {**TELEGRAM, "channels": {"l2": "-1001234567890"}}}},
    {"people": [{"name": "Иванов", "telegram": 123456789, "slack": "U0123ABC"}]},
])
def test_ids_as_the_apis_want_them_pass(data: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_config(path)


def test_a_slack_member_id_as_a_channel_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump({
        "mappings_dir": str(REPO / "mappings"),
        "chats": {"slack": {"signing_secret": "s", "channels": {"l2": "U0123ABC"}}}}),
        encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        check_config(load_config(path))
    assert caught.value.problems == [
        f"{path}: chats.slack.channels.l2: 'U0123ABC' is a person's member id, not a "
        "channel's — use the channel's id (C… or G…): open the channel's details, it is at "
        "the bottom"]


@pytest.mark.parametrize(("calendar", "why"), [
    ({"hours": {"mon": []}}, "no day has working hours"),
    ({"hours": {"mon": [], "tue": []}}, "no day has working hours"),
    ({"hours": {"mon": ["13:00-14:00"]}, "breaks": ["13:00-14:00"]},
     "the breaks cover every working hour"),
    ({"hours": {"mon": ["09:00-12:00", "13:00-14:00"]}, "breaks": ["08:00-12:30", "13:00-14:00"]},
     "the breaks cover every working hour"),
])
def test_a_calendar_with_no_working_time_is_refused(
    calendar: dict[str, Any], why: str, tmp_path: Path
) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", mappings)
    calendars = yaml.safe_load((mappings / "calendars.yml").read_text(encoding="utf-8"))
    calendars["calendars"]["belarus"] = {"timezone": "Europe/Minsk", **calendar}
    (mappings / "calendars.yml").write_text(yaml.safe_dump(calendars), encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_mappings(mappings)

    assert caught.value.problems[0] == (  # then the mappings that count in it
        f"{mappings / 'calendars.yml'}: calendars.belarus: no working time: {why}; an SLA "
        'clock counting in it would never run out — give a day hours outside the breaks, e.g. '
        'mon: ["09:00-18:00"]')


def test_a_calendar_with_working_time_past_its_breaks_passes(tmp_path: Path) -> None:
    WorkCalendar.model_validate({"timezone": "Europe/Minsk", "hours": {"mon": ["09:00-14:00"]},
                                 "breaks": ["09:00-13:59"]})
