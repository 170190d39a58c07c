"""Slack: Events API / interaction normalisation, signature checks, slack_sdk client."""

from __future__ import annotations

from connector.adapters import ChatPlugin
from connector.chat import Chat
from connector.config import Config
from plugins.slack.events import normalize


def make_chat(config: Config) -> Chat | None:
    """A slack_sdk client, or None (dry run) without a bot token."""
    cfg = config.chats.slack
    if cfg is None or cfg.dry_run:
        return None
    from plugins.slack.chat import SlackChat  # the SDK loads only when it is used

    return SlackChat(cfg)


PLUGIN = ChatPlugin(name="slack", normalize=normalize, make_chat=make_chat)
