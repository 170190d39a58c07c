"""The mail section of the config (`mail:`): the team's SMTP server."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from connector.configbase import Strict


class MailConfig(Strict):
    host: str = Field(min_length=1)
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"  # none: loopback relays only
    sender: str = Field(min_length=3)  # From: «Сбои ЛТП <support@example.org>»
    username: str = ""
    password: SecretStr = SecretStr("")
    timeout_seconds: float = Field(10, gt=0)

    def secrets(self) -> list[str]:
        return [self.password.get_secret_value()]
