"""What every config section shares, for the core and the vendors' own sections alike
(plugins/<vendor>/config.py): strict keys, and the tracker and chat section bases."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class Strict(BaseModel):
    """Base for config sections: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpService(Strict):
    """A monitoring service reached over HTTP (Prometheus, Alertmanager): its base URL, a
    bearer token where a proxy asks for one, how long an answer may take."""

    url: str = Field(pattern=r"^https?://")
    bearer_token: SecretStr = SecretStr("")
    timeout_seconds: float = Field(5, gt=0)

    def secrets(self) -> list[str]:
        return [self.bearer_token.get_secret_value()]


class ProjectConfig(Strict):
    id: str
    mapping: str

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class ReconcileConfig(Strict):
    interval_seconds: float = Field(300, gt=0)
    lookback_seconds: float = Field(3600, gt=0)


class TrackerConfig(Strict):
    """What every tracker section has: where it is, who the bot is, which rules govern what."""

    base_url: str
    webhook_secret: SecretStr
    bot_username: str = "helpdesk-bot"
    projects: list[ProjectConfig] = []  # GitLab/Mantis project ids; OTRS queue names
    default_mapping: str | None = None
    reconcile: ReconcileConfig = ReconcileConfig()
    timeout_seconds: float = Field(10, gt=0)

    @property
    def dry_run(self) -> bool:
        """Without credentials the connector only logs what it would write."""
        return not self.credential()

    def credential(self) -> str:
        raise NotImplementedError

    def secrets(self) -> list[str]:
        return [self.credential(), self.webhook_secret.get_secret_value()]

    def mapping_for(self, project: str) -> str | None:
        """Name of the regulation mapping that governs a project."""
        for p in self.projects:
            if p.id == project:
                return p.mapping
        return self.default_mapping


class ChatConfig(Strict):
    """What every chat section has: the bot's token, logical channels, a timeout."""

    bot_token: SecretStr = SecretStr("")
    # logical channel (l2, alerts) → the platform's id; each vendor narrows the id's type
    channels: Mapping[str, object] = {}
    timeout_seconds: float = Field(10, gt=0)

    @property
    def dry_run(self) -> bool:
        """Without a token the connector only logs what it would post."""
        return not self.bot_token.get_secret_value()

    def secrets(self) -> list[str]:
        return [self.bot_token.get_secret_value()]
