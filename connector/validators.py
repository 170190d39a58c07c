"""Checked value types shared by the config and the mappings: chat identities, time zones and
role names, each refused with what to write instead."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator

_MEMBER_ID_FIX = "the person's profile → ⋮ → Copy member ID"


def _slack_member_id(value: str) -> str:
    if value and not re.fullmatch(r"[UW][A-Z0-9]+", value):
        if re.fullmatch(r"[CGD][A-Z0-9]+", value):
            raise ValueError(f"{value[:40]!r} is a channel's id; a person's is U… or W… — "
                             f"{_MEMBER_ID_FIX}")
        raise ValueError(f"{value[:40]!r} is a name; a person's id is U… or W… — "
                         f"{_MEMBER_ID_FIX}")
    return value


def _not_a_number(value: object) -> bool:
    return isinstance(value, str) and not re.fullmatch(r"\s*-?\d+\s*", value)


def _telegram_chat_number(value: object) -> object:
    """Before the int: a chat's @name or title gets the way to its number."""
    if _not_a_number(value):
        raise ValueError(f"{str(value)[:40]!r} is a name, and Telegram's API takes the chat's "
                         "number (-100… for a supergroup) — add the bot to the group; its id "
                         "is in the bot's getUpdates, or a bot like @getidsbot tells it")
    return value


def _telegram_user_number(value: object) -> object:
    """Before the int: a person's @username gets the way to their number."""
    if _not_a_number(value):
        raise ValueError(f"{str(value)[:40]!r} is a username, and Telegram's API takes the "
                         "user's number — a bot like @userinfobot tells a user theirs")
    return value


def _telegram_user_id(value: int | None) -> int | None:
    if value is not None and value <= 0:
        raise ValueError("must be a Telegram user id, a positive number (groups' ids are "
                         "negative); a bot like @userinfobot tells a user theirs")
    return value


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown time zone {value!r}: use an IANA name such as "
                         "Europe/Moscow") from None
    return value


def _role_names(value: list[str]) -> list[str]:
    if not all(role.strip() for role in value):
        raise ValueError("a role must be a non-empty name, e.g. duty or l2")
    return value


SlackMemberId = Annotated[str, AfterValidator(_slack_member_id)]  # "" when none
TelegramChatId = Annotated[int, BeforeValidator(_telegram_chat_number)]
TelegramUserNumber = Annotated[int, BeforeValidator(_telegram_user_number)]
TelegramUserId = Annotated[int | None, BeforeValidator(_telegram_user_number),
                           AfterValidator(_telegram_user_id)]
TimeZoneName = Annotated[str, AfterValidator(_time_zone)]
RoleNames = Annotated[list[str], AfterValidator(_role_names)]  # duty, l2, head_of_support…
