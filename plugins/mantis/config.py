"""MantisBT's section of the config (trackers.mantis)."""

from __future__ import annotations

from pydantic import SecretStr

from connector.configbase import TrackerConfig


class MantisConfig(TrackerConfig):
    """MantisBT: REST at <base_url>/api/rest/index.php, webhooks from our PHP plugin."""

    token: SecretStr = SecretStr("")  # API token of the bot user (Authorization: <token>)

    def credential(self) -> str:
        return self.token.get_secret_value()
