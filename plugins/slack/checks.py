"""check-config's rules for `chats.slack`: settings Slack itself would refuse at the first call."""

from __future__ import annotations

import re
from typing import Any

from connector.errors import format_problem

CHANNEL_ID = re.compile(r"[CG][A-Z0-9]+")  # public (C…) and older private (G…) channels
CHANNEL_ID_FIX = "use the channel's id (C… or G…): open the channel's details, it is at the bottom"


def check_settings(section: Any, source: str) -> list[str]:
    """`file: key: problem — fix` lines for a SlackConfig."""
    return [format_problem(source, f"chats.slack.channels.{name}", _not_an_id(value),
                           CHANNEL_ID_FIX)
            for name, value in sorted(section.channels.items())
            if not CHANNEL_ID.fullmatch(value)]


def _not_an_id(value: str) -> str:
    if not value:
        return "is empty"
    if re.fullmatch(r"[UW][A-Z0-9]+", value):
        return f"{value!r} is a person's member id, not a channel's"
    if value.startswith("#") or value == value.lower():
        return f"{value!r} is a channel name, and the API takes channel ids"
    return f"{value!r} is not a Slack channel id"
