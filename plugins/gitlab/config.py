"""GitLab's section of the config (trackers.gitlab)."""

from __future__ import annotations

from pydantic import SecretStr

from connector.configbase import TrackerConfig


class GitLabConfig(TrackerConfig):
    base_url: str = "https://gitlab.example.com"
    token: SecretStr = SecretStr("")  # the bot user's personal or project access token

    def credential(self) -> str:
        return self.token.get_secret_value()
