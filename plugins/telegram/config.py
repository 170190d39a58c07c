"""Telegram's section of the config (chats.telegram)."""

from __future__ import annotations

from pydantic import SecretStr

from connector.configbase import ChatConfig
from connector.validators import TelegramChatId, TelegramUserNumber


class TelegramConfig(ChatConfig):
    api_url: str = "https://api.telegram.org"  # or a local Bot API server
    webhook_secret: SecretStr
    webhook_url: str = ""  # public URL of /webhooks/telegram, for `telegram set-webhook`
    channels: dict[str, TelegramChatId] = {}  # logical channel → forum supergroup id (-100…)
    # Pool mode: supergroups pre-created with the bot as admin, one per outage (its own member
    # list, as in EMIAS). Empty: each outage is a topic in channels.outages (topic mode).
    room_pool: list[TelegramChatId] = []
    # Topic mode: people an outage let into channels.outages leave when it closes (unless
    # another open outage there needs them); these user ids stay whatever let them in (the
    # forum's own people: the head of support, the duty desk). Members who never came in
    # through an outage's link are never taken out.
    forum_members: list[TelegramUserNumber] = []

    def secrets(self) -> list[str]:
        return [*super().secrets(), self.webhook_secret.get_secret_value()]
