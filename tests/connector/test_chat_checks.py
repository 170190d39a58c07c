"""check-config refuses chat settings the vendors would refuse: Telegram's secret token charset,
an https webhook on a port Telegram delivers to, supergroup ids; Slack channel ids, not names.
Each problem names the file, the key and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.assembly import check_config
from connector.config import load_config
from connector.errors import ConfigError
from tests.conftest import REPO

TELEGRAM = {"bot_token": "", "webhook_secret": "tg-secret-1",
            "webhook_url": "https://connector.example.org/webhooks/telegram",
            "channels": {"l2": -1001234567890}}
SLACK = {"bot_token": "", "signing_secret": "s", "channels": {"l2": "C0123456789"}}


def problems(tmp_path: Path, chat: str, **section: Any) -> list[str]:
    """check-config's problems for a config with one chat section (defaults overridden)."""
    base = TELEGRAM if chat == "telegram" else SLACK
    data = {"mappings_dir": str(REPO / "mappings"), "chats": {chat: {**base, **section}}}
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        check_config(load_config(path))
    except ConfigError as exc:
        return [p.removeprefix(f"{path}: ") for p in exc.problems]
    return []


@pytest.mark.parametrize("secret", [
    "tg-secret-1", "A", "a" * 256, "Abc_-09", "x8Hq3-Jd_pQ0vVfw2LkZ1sT9yNmRbC4e",
])
def test_a_secret_token_telegram_takes_passes(tmp_path: Path, secret: str) -> None:
    assert problems(tmp_path, "telegram", webhook_secret=secret) == []


@pytest.mark.parametrize(("secret", "fault"), [
    ("", "is empty"), ("a" * 257, "has 257"), ("change me", "has other characters"),
    ("s3cr3t!", "has other characters"), ("ключ", "has other characters"),
    ("a.b", "has other characters"),
])
def test_a_secret_token_telegram_refuses_is_named_with_the_fix(
    tmp_path: Path, secret: str, fault: str,
) -> None:
    [problem] = problems(tmp_path, "telegram", webhook_secret=secret)

    assert problem.startswith("chats.telegram.webhook_secret: Telegram takes 1–256 characters "
                              "of A-Z, a-z, 0-9, _ and -; this one " + fault)
    assert "secrets.token_urlsafe" in problem.split(" — ")[1]
    assert not secret or secret not in problem  # a secret is never echoed


@pytest.mark.parametrize("url", [
    "", "https://connector.example.org/webhooks/telegram", "https://c.example.org:8443/tg",
    "https://c.example.org:88/tg", "https://c.example.org:443/tg", "https://203.0.113.7/tg",
])
def test_a_webhook_url_telegram_delivers_to_passes(tmp_path: Path, url: str) -> None:
    assert problems(tmp_path, "telegram", webhook_url=url) == []


@pytest.mark.parametrize(("url", "fault"), [
    ("http://connector.example.org/tg", "Telegram needs a public https URL"),
    ("connector.example.org/tg", "Telegram needs a public https URL"),
    ("https:///tg", "Telegram needs a public https URL"),
    ("https://c.example.org:8080/tg",
     "Telegram delivers webhooks only to ports 443, 80, 88 and 8443, not 8080"),
    ("https://c.example.org:99999/tg", "'https://c.example.org:99999/tg' has no valid port"),
])
def test_a_webhook_url_telegram_cannot_deliver_to_is_named_with_the_fix(
    tmp_path: Path, url: str, fault: str,
) -> None:
    [problem] = problems(tmp_path, "telegram", webhook_url=url)

    assert problem == (f"chats.telegram.webhook_url: {fault} — set it to "
                       "https://<your host>/webhooks/telegram (port 443, 80, 88 or 8443)")


@pytest.mark.parametrize("chat_id", [-1001234567890, -1001000000001, -1009999999999999])
def test_a_supergroup_id_passes(tmp_path: Path, chat_id: int) -> None:
    assert problems(tmp_path, "telegram", channels={"l2": chat_id}) == []


@pytest.mark.parametrize(("chat_id", "kind"), [
    (5550001, "a user's or a bot's"), (-123456789, "a basic group's"),
    (-1000000000000, "a basic group's"), (0, "a basic group's"),
])
def test_an_id_that_is_not_a_supergroup_is_named_with_the_fix(
    tmp_path: Path, chat_id: int, kind: str,
) -> None:
    [problem] = problems(tmp_path, "telegram", channels={"alerts": chat_id})

    assert problem.startswith(f"chats.telegram.channels.alerts: {chat_id} is {kind} id; "
                              "a channel is a forum supergroup, -100… — turn on Topics")


OUTAGES, ROOM_A, ROOM_B = -1001000000077, -1001000000101, -1001000000102


@pytest.mark.parametrize(("channels", "pool", "key", "problem"), [
    ({"l2": OUTAGES}, [ROOM_A], "room_pool", "pool rooms need channels.outages as well"),
    ({"outages": OUTAGES}, [ROOM_A, ROOM_A], "room_pool[1]", f"{ROOM_A} is listed twice"),
    ({"outages": OUTAGES}, [ROOM_A, OUTAGES], "room_pool[1]", f"{OUTAGES} is also a channel"),
    ({"outages": OUTAGES}, [-4005000], "room_pool[0]", "-4005000 is not a supergroup id"),
])
def test_a_room_pool_that_cannot_work_is_named_with_the_fix(
    tmp_path: Path, channels: dict[str, int], pool: list[int], key: str, problem: str,
) -> None:
    [found] = problems(tmp_path, "telegram", channels=channels, room_pool=pool)
    assert found.startswith(f"chats.telegram.{key}: {problem} — ")


@pytest.mark.parametrize(("members", "problem"), [
    ([100000013, OUTAGES], f"forum_members[1]: {OUTAGES} is a chat's id, not a user's"),
    ([0], "forum_members[0]: 0 is a chat's id, not a user's"),
])
def test_the_forums_own_people_are_user_ids(tmp_path: Path, members: list[int],
                                            problem: str) -> None:
    """Issue 20 item 5: the people who stay in the outage forum are named by user id."""
    [found] = problems(tmp_path, "telegram", channels={"outages": OUTAGES},
                       forum_members=members)
    assert found.startswith(f"chats.telegram.{problem} — list the people's Telegram user ids")


def test_a_room_pool_beside_the_outages_supergroup_passes(tmp_path: Path) -> None:
    assert problems(tmp_path, "telegram", channels={"outages": OUTAGES},
                    room_pool=[ROOM_A, ROOM_B]) == []


@pytest.mark.parametrize("channel", ["C0123456789", "C0L2", "C1", "G01ABCDEF", "CABCDEFGH12"])
def test_a_slack_channel_id_passes(tmp_path: Path, channel: str) -> None:
    assert problems(tmp_path, "slack", channels={"l2": channel}) == []


@pytest.mark.parametrize(("channel", "fault"), [
    ("#general", "'#general' is a channel name, and the API takes channel ids"),
    ("ehr_community", "'ehr_community' is a channel name, and the API takes channel ids"),
    ("c0123456789", "'c0123456789' is a channel name, and the API takes channel ids"),
    ("D0123456789", "'D0123456789' is not a Slack channel id"),
    ("C", "'C' is not a Slack channel id"),
    ("", "is empty"),
])
def test_a_slack_channel_name_is_named_with_the_fix(
    tmp_path: Path, channel: str, fault: str,
) -> None:
    [problem] = problems(tmp_path, "slack", channels={"l2": channel})

    assert problem == f"chats.slack.channels.l2: {fault} — use the channel's id (C… or G…): " \
                      "open the channel's details, it is at the bottom"


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    found = problems(tmp_path, "telegram", webhook_secret="bad secret",
                     webhook_url="http://x/tg", channels={"l2": 1, "alerts": -5})

    assert [p.split(":")[0] for p in found] == [
        "chats.telegram.webhook_secret", "chats.telegram.webhook_url",
        "chats.telegram.channels.alerts", "chats.telegram.channels.l2"]


def test_the_values_the_example_config_documents_pass(tmp_path: Path) -> None:
    assert problems(tmp_path, "slack", channels={"l2": "C0123456789",
                                                 "alerts": "C0987654321"}) == []
    assert problems(tmp_path, "telegram", channels={"l2": -1001234567890,
                                                    "alerts": -1001234567891}) == []
