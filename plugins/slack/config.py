"""Slack's section of the config (chats.slack)."""

from __future__ import annotations

from pydantic import SecretStr

from connector.configbase import ChatConfig


class SlackConfig(ChatConfig):
    base_url: str = "https://slack.com/api/"
    signing_secret: SecretStr
    channels: dict[str, str] = {}  # logical channel (l2, alerts) → Slack channel id (C…)

    def secrets(self) -> list[str]:
        return [*super().secrets(), self.signing_secret.get_secret_value()]
