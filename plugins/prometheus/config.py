"""The monitoring section of the config (`prometheus:`)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from connector.configbase import Strict


class PrometheusConfig(Strict):
    url: str = Field(pattern=r"^https?://")  # http://prometheus:9090
    bearer_token: SecretStr = SecretStr("")  # behind a proxy that asks for one
    timeout_seconds: float = Field(5, gt=0)

    def secrets(self) -> list[str]:
        return [self.bearer_token.get_secret_value()]
