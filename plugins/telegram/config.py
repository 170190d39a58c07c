"""Telegram's section of the config (chats.telegram)."""

from __future__ import annotations

from pydantic import SecretStr

from connector.configbase import ChatConfig


class TelegramConfig(ChatConfig):
    api_url: str = "https://api.telegram.org"  # or a local Bot API server
    webhook_secret: SecretStr
    webhook_url: str = ""  # public URL of /webhooks/telegram, for `telegram set-webhook`
    channels: dict[str, int] = {}  # logical channel → forum supergroup id (-100…)

    def secrets(self) -> list[str]:
        return [*super().secrets(), self.webhook_secret.get_secret_value()]
