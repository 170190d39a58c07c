"""Slack: Events API / interaction normalisation, signature checks, slack_sdk client."""

from __future__ import annotations

from typing import Any

from connector.adapters import ChatPlugin
from connector.chat import Chat
from plugins.slack.checks import check_settings
from plugins.slack.events import normalize


def make_chat(config: Any) -> Chat:
    """The client for a configured chat section (the SDK loads only when it is used)."""
    # start-up time: the SDK loads only when a client is made
    from plugins.slack.chat import SlackChat

    return SlackChat(config)


PLUGIN = ChatPlugin(name="slack", normalize=normalize, make_chat=make_chat,
                    check_settings=check_settings)
