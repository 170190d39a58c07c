"""The connector's one YAML config, parsed once into typed objects; unknown keys are rejected."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from connector.yamlfile import interpolate_env, parse_model, read_yaml

DEFAULT_CONFIG_ENV = "HELPDESK_CONNECTOR_CONFIG"


class Strict(BaseModel):
    """Base for config sections: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(Strict):
    url: str = "sqlite:///var/helpdesk-connector.db"


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


class GitLabConfig(Strict):
    base_url: str = "https://gitlab.example.com"
    token: SecretStr = SecretStr("")
    webhook_secret: SecretStr
    bot_username: str = "helpdesk-bot"
    projects: list[ProjectConfig] = []
    default_mapping: str | None = None
    reconcile: ReconcileConfig = ReconcileConfig()
    timeout_seconds: float = Field(10, gt=0)

    @property
    def dry_run(self) -> bool:
        """Without a token the connector only logs what it would write."""
        return not self.token.get_secret_value()

    def mapping_for(self, project: str) -> str | None:
        """Name of the regulation mapping that governs a project."""
        for p in self.projects:
            if p.id == project:
                return p.mapping
        return self.default_mapping


class TrackersConfig(Strict):
    gitlab: GitLabConfig | None = None


class WorkerConfig(Strict):
    embedded: bool = True
    poll_interval_seconds: float = Field(1.0, gt=0)
    batch_size: int = Field(20, ge=1, le=1000)
    lease_seconds: float = Field(120, gt=0)
    max_attempts: int = Field(12, ge=1)
    backoff_base_seconds: float = Field(2, gt=0)
    backoff_max_seconds: float = Field(600, gt=0)


class LoggingConfig(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"


class Config(Strict):
    store: StoreConfig = StoreConfig()
    mappings_dir: Path = Path("mappings")
    language: Literal["ru", "en"] = "ru"
    roles: dict[str, str] = {}
    trackers: TrackersConfig = TrackersConfig()
    worker: WorkerConfig = WorkerConfig()
    logging: LoggingConfig = LoggingConfig()
    source: str = "<memory>"  # where the config came from, for error messages

    def secrets(self) -> list[str]:
        """Every secret value, so log redaction knows what to hide."""
        found: list[str] = []
        gl = self.trackers.gitlab
        if gl:
            found += [gl.token.get_secret_value(), gl.webhook_secret.get_secret_value()]
        return [s for s in found if s]


def load_config(path: str | Path) -> Config:
    """Read, interpolate `${ENV}` and validate a config file; relative paths follow the file."""
    path = Path(path)
    raw = interpolate_env(read_yaml(path), str(path))
    if isinstance(raw, dict):
        raw = {**raw, "source": str(path)}
    config = parse_model(Config, raw, str(path))
    base = path.resolve().parent
    updates: dict[str, object] = {}
    if not config.mappings_dir.is_absolute():
        updates["mappings_dir"] = base / config.mappings_dir
    url = config.store.url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        updates["store"] = StoreConfig(url=prefix + str(base / url[len(prefix):]))
    return config.model_copy(update=updates)
