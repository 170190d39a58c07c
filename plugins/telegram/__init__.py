"""Telegram: update normalisation and the pyTelegramBotAPI client."""

from __future__ import annotations

from connector.adapters import ChatPlugin
from connector.chat import Chat
from connector.config import Config
from plugins.telegram.events import normalize


def make_chat(config: Config) -> Chat | None:
    """A telebot client, or None (dry run) without a bot token."""
    cfg = config.chats.telegram
    if cfg is None or cfg.dry_run:
        return None
    from plugins.telegram.chat import TelegramChat  # the SDK loads only when it is used

    return TelegramChat(cfg)


PLUGIN = ChatPlugin(name="telegram", normalize=normalize, make_chat=make_chat)
