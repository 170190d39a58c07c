"""Telegram: update normalisation and the pyTelegramBotAPI client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connector.adapters import ChatPlugin
from connector.chat import Chat
from connector.errors import ConfigError
from plugins.telegram.checks import check_settings
from plugins.telegram.events import normalize

if TYPE_CHECKING:  # the config lists the plugins' own sections: no import at run time
    from connector.config import Config


def make_chat(config: Any) -> Chat:
    """The client for a configured chat section (the SDK loads only when it is used)."""
    # start-up time: the SDK loads only when a client is made
    from plugins.telegram.chat import TelegramChat

    return TelegramChat(config)


def register_webhook(config: Config) -> str:
    """Tell Telegram where to send updates, with the secret it must send back."""
    cfg = config.chats.telegram
    if cfg is None or cfg.dry_run:
        raise ConfigError.at(config.source, "chats.telegram.bot_token", "no bot token",
                             "set it to the token @BotFather gave")
    if not cfg.webhook_url.startswith("https://"):
        raise ConfigError.at(config.source, "chats.telegram.webhook_url",
                             "Telegram needs a public https URL",
                             "set it to https://<your host>/webhooks/telegram")
    # start-up time: the SDK loads only when a client is made
    from plugins.telegram.chat import TelegramChat

    TelegramChat(cfg).register_webhook(cfg.webhook_url, cfg.webhook_secret.get_secret_value())
    return cfg.webhook_url


PLUGIN = ChatPlugin(name="telegram", normalize=normalize, make_chat=make_chat,
                    register_webhook=register_webhook, check_settings=check_settings)
