"""Checked value types shared by the config and the mappings: chat identities and time zones,
each refused with what to write instead."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator


def _slack_member_id(value: str) -> str:
    if value and not re.fullmatch(r"[UW][A-Z0-9]+", value):
        raise ValueError("must be a Slack member id (U… or W…), not a name: the person's "
                         "profile → ⋮ → Copy member ID")
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


SlackMemberId = Annotated[str, AfterValidator(_slack_member_id)]  # "" when none
TelegramUserId = Annotated[int | None, AfterValidator(_telegram_user_id)]
TimeZoneName = Annotated[str, AfterValidator(_time_zone)]
