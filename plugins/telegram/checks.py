"""check-config's rules for `chats.telegram`: settings the Bot API would refuse or misdeliver."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from connector.errors import format_problem

SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # setWebhook's secret_token
WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ports Telegram delivers webhooks to
SUPERGROUP_BELOW = -10**12  # supergroup ids are -100…: -(10^12 + the group's own id)


def check_settings(section: Any, source: str) -> list[str]:
    """`file: key: problem — fix` lines for a TelegramConfig."""
    key = "chats.telegram"
    problems: list[str] = []
    secret = section.webhook_secret.get_secret_value()
    if not SECRET.fullmatch(secret):
        problems.append(format_problem(
            source, f"{key}.webhook_secret",
            f"Telegram takes 1–256 characters of A-Z, a-z, 0-9, _ and -; this one "
            f"{_secret_fault(secret)}",
            "generate one: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"))
    if section.webhook_url and (fault := _url_fault(section.webhook_url)):
        problems.append(format_problem(source, f"{key}.webhook_url", fault,
                                       "set it to https://<your host>/webhooks/telegram "
                                       "(port 443, 80, 88 or 8443)"))
    for name, chat_id in sorted(section.channels.items()):
        if chat_id >= SUPERGROUP_BELOW:
            kind = "a user's or a bot's" if chat_id > 0 else "a basic group's"
            problems.append(format_problem(
                source, f"{key}.channels.{name}",
                f"{chat_id} is {kind} id; a channel is a forum supergroup, -100…",
                "turn on Topics in the group's settings (it becomes a supergroup with a new "
                "id) and use that id"))
    for i, user_id in enumerate(section.forum_members):
        if user_id <= 0:
            problems.append(format_problem(
                source, f"{key}.forum_members[{i}]", f"{user_id} is a chat's id, not a user's",
                "list the people's Telegram user ids (positive numbers, e.g. from the "
                "catalog's telegram:)"))
    return problems + _pool_problems(section, source, key)


def _pool_problems(section: Any, source: str, key: str) -> list[str]:
    """Pool rooms are supergroups of their own, each once, beside the outages supergroup."""
    problems: list[str] = []
    pool: list[int] = list(section.room_pool)
    if pool and "outages" not in section.channels:
        problems.append(format_problem(
            source, f"{key}.room_pool", "pool rooms need channels.outages as well",
            "set channels.outages to a forum supergroup: outages get a topic there when "
            "every pool room is taken"))
    channels = set(section.channels.values())
    for i, chat_id in enumerate(pool):
        if chat_id >= SUPERGROUP_BELOW:
            problems.append(format_problem(
                source, f"{key}.room_pool[{i}]", f"{chat_id} is not a supergroup id",
                "create the group, make the bot an admin (invite users, change info, pin), "
                "and use its -100… id"))
        elif pool.index(chat_id) != i or chat_id in channels:
            problems.append(format_problem(
                source, f"{key}.room_pool[{i}]", f"{chat_id} is listed twice"
                if pool.index(chat_id) != i else f"{chat_id} is also a channel",
                "each pool room is a supergroup of its own, used for nothing else"))
    return problems


def _secret_fault(secret: str) -> str:
    if not secret:
        return "is empty"
    if len(secret) > 256:
        return f"has {len(secret)}"
    return "has other characters"  # which ones is not said: it is a secret


def _url_fault(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port or 443
    except ValueError:
        return f"{url!r} has no valid port"
    if parts.scheme != "https" or not parts.hostname:
        return "Telegram needs a public https URL"
    if port not in WEBHOOK_PORTS:
        return f"Telegram delivers webhooks only to ports 443, 80, 88 and 8443, not {port}"
    return ""
