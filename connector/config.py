"""The connector's one YAML config, parsed once into typed objects; unknown keys are rejected."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator, model_validator

from connector.configbase import ChatConfig, Strict, TrackerConfig
from connector.errors import ConfigError
from connector.starter import DEFAULT_STORE_URL, shipped_mappings
from connector.validators import RoleNames, SlackMemberId, TelegramUserId
from connector.yamlfile import every_key, interpolate_env, parse_model, read_yaml
from plugins.alertmanager.config import AlertmanagerConfig
from plugins.gitlab.config import GitLabConfig
from plugins.mantis.config import MantisConfig
from plugins.otrs.config import OtrsConfig
from plugins.prometheus.config import PrometheusConfig
from plugins.slack.config import SlackConfig
from plugins.smtp.config import MailConfig
from plugins.telegram.config import TelegramConfig

DEFAULT_CONFIG_ENV = "HELPDESK_CONNECTOR_CONFIG"
_SCHEDULE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_TRACKER_PLACE = re.compile(r"^[a-z]+:[^#\s]+(#\d+)?$")


class StoreConfig(Strict):
    """Where the store lives: SQLite (the embedded default) or PostgreSQL (scale-out)."""

    # Relative SQLite paths follow the config file (without store.url: data/ next to it).
    # `init` writes an absolute path in the platform's data directory (or --data-dir).
    url: str = DEFAULT_STORE_URL
    # SQLite only. FULL: an acknowledged webhook survives a power loss (each commit waits for
    # the disk). NORMAL: faster; after a power loss (not a crash) the last commits may be gone.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"

    @field_validator("url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgresql(\+psycopg)?)://", value):
            raise ValueError("write sqlite:///path/to/file.db or "
                             "postgresql+psycopg://user:password@host/database")
        return value


class TrackersConfig(Strict):
    """Tracker sections by kind; each vendor's section lives in plugins/<vendor>/config.py."""

    gitlab: GitLabConfig | None = None
    mantis: MantisConfig | None = None
    otrs: OtrsConfig | None = None

    def configured(self) -> dict[str, TrackerConfig]:
        return {name: cfg for name, cfg in (("gitlab", self.gitlab), ("mantis", self.mantis),
                                            ("otrs", self.otrs)) if cfg is not None}


class ChatsConfig(Strict):
    """Chat sections by kind; each vendor's section lives in plugins/<vendor>/config.py."""

    slack: SlackConfig | None = None
    telegram: TelegramConfig | None = None

    def configured(self) -> dict[str, ChatConfig]:
        return {name: cfg for name, cfg in (("slack", self.slack), ("telegram", self.telegram))
                if cfg is not None}


class PersonConfig(Strict):
    """Deprecated (people are named once, in the catalog): read for one more release and
    merged into the catalog's people (connector/people.py)."""

    name: str = Field(min_length=1)
    roles: RoleNames = []
    slack: SlackMemberId = ""  # U… or W…
    telegram: TelegramUserId = None
    gitlab: str = ""
    mantis: str = ""
    otrs: str = ""


class AlertsConfig(Strict):
    token: SecretStr  # Authorization: Bearer <token> from Alertmanager or any sender
    channel: str = "alerts"  # logical chat channel the alerts go to
    tracker: Literal["gitlab"] = "gitlab"
    project: str  # where "register issue" and "declare accident" create issues
    priority_labels: list[str] = ["Priority: Low", "Priority: Medium", "Priority: High"]
    accident_labels: list[str] = ["Priority: High", "Accident"]
    # Alertmanager's API base (silences from the chat, its silence form in messages); without
    # it the messages link the form by the webhook's externalURL and offer no silence buttons.
    alertmanager: AlertmanagerConfig | None = None
    # Alertmanager sends a whole group in one body (5,000 alerts ≈ 2.4 MB) and never retries a
    # 4xx: the alerts receiver takes bodies up to this (the other receivers keep 1 MiB).
    max_body_mb: float = Field(16, gt=0, le=256)

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)

    @field_validator("project", mode="before")
    @classmethod
    def _project_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class WorkerConfig(Strict):
    embedded: bool = True
    poll_interval_seconds: float = Field(1.0, gt=0)
    batch_size: int = Field(20, ge=1, le=1000)
    lease_seconds: float = Field(120, gt=0)
    max_attempts: int = Field(12, ge=1)
    backoff_base_seconds: float = Field(2, gt=0)
    backoff_max_seconds: float = Field(600, gt=0)
    # Where the worker listens for the receivers' wake-ups (a Unix datagram socket); default:
    # `<database>.wake` beside a SQLite store, else in the temp directory (connector/wakeup.py).
    wake_socket: str | None = None
    # Split mode: `worker` serves its own counters at http://metrics_host:metrics_port/metrics.
    metrics_port: int | None = Field(None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"

    @field_validator("wake_socket")
    @classmethod
    def _socket_path(cls, value: str | None) -> str | None:
        if value is not None and not 0 < len(os.fsencode(value)) <= 107:
            raise ValueError("a Unix socket path of 1 to 107 bytes, e.g. "
                             "/run/helpdesk-connector/wake")
        return value


class OpsConfig(Strict):
    """The operator's read-only JSON view, GET /ops/inbox|outbox[/ID]; without it, or with an
    empty token (`${HDC_OPS_TOKEN:-}` in a shell that lacks the service's secrets): 404."""

    token: SecretStr  # Authorization: Bearer <token>

    @property
    def enabled(self) -> bool:
        return bool(self.token.get_secret_value())

    @field_validator("token")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if 0 < len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters (e.g. `openssl rand -hex 32`)")
        return value


class SlaConfig(Strict):
    """SLA clocks (connector/features/sla): how often due thresholds are looked for, and the
    targets the team sets itself (e.g. Belarus: priority and responsible L1 within N hours)."""

    tick_seconds: float = Field(30, gt=0)
    targets: dict[str, float] = {}  # "<mapping>.<policy>" → target in hours, over the mapping's


class ReportSchedule(Strict):
    """A report sent by itself once a period: the day before, the week before (Monday to
    Sunday) or the month before, at `at` in the regulation's time zone — into a chat channel
    (the key figures and a chart) and/or the tracker (`gitlab:1`: an issue each period in
    project 1; `gitlab:1#57`: a note on issue 57)."""

    name: str  # what the store knows it by: renamed, it is a new schedule
    every: Literal["day", "week", "month"]
    at: str = "09:00"  # HH:MM, local time
    channel: str | None = Field(None, min_length=1)  # a logical channel of chats.*.channels
    tracker: str | None = None
    regulation: str | None = None  # whose zone and outages (default: every regulation)
    service: str | None = None  # one catalog service's own report

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _SCHEDULE_NAME.match(value):
            raise ValueError(f"{value[:50]!r} is not a schedule name: lowercase letters, "
                             "digits, - and _, up to 40")
        return value

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        if not _TIME_OF_DAY.match(value):
            raise ValueError(f"{value[:20]!r} is not a time of day: write HH:MM, e.g. 09:00")
        return value

    @field_validator("tracker")
    @classmethod
    def _tracker(cls, value: str | None) -> str | None:
        if value is not None and not _TRACKER_PLACE.match(value):
            raise ValueError(f"{value[:60]!r} is not a tracker place: write gitlab:1 (an issue "
                             "each period in project 1) or gitlab:1#57 (a note on issue 57)")
        return value

    @model_validator(mode="after")
    def _somewhere(self) -> ReportSchedule:
        if self.channel is None and self.tracker is None:
            raise ValueError("a schedule sends to a chat `channel`, a `tracker`, or both")
        return self


class DashboardConfig(Strict):
    """The dashboard (/dashboard): besides the users in the store, a reverse proxy that
    authenticated people may name them in a header — believed only from its own addresses,
    never by default — and how long a login lasts."""

    trusted_header: str | None = Field(None, pattern=r"^[A-Za-z0-9-]{1,64}$")  # X-Remote-User
    trusted_proxies: list[IPvAnyNetwork] = []  # 127.0.0.1, 10.0.0.0/8: the proxy's addresses
    session_hours: float = Field(12, gt=0, le=24 * 30)

    @model_validator(mode="after")
    def _proxies_with_the_header(self) -> DashboardConfig:
        if self.trusted_header and not self.trusted_proxies:
            raise ValueError("trusted_header needs trusted_proxies: the addresses of the "
                             "reverse proxy that sets it (anyone else could send it)")
        return self


class ReportsConfig(Strict):
    """Reports for the head of support (connector/features/reports): the reliability the team
    aims at (EMIAS: 98.5 %), how close outages of one service count as repeated, and the
    reports sent by themselves and the dashboard's logins."""

    target_percent: float | None = Field(None, gt=0, le=100)
    repeat_days: float = Field(30, gt=0)  # a service failing again within these days
    schedules: list[ReportSchedule] = []
    dashboard: DashboardConfig = DashboardConfig()

    @field_validator("schedules")
    @classmethod
    def _unique(cls, value: list[ReportSchedule]) -> list[ReportSchedule]:
        names = [s.name for s in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"two schedules are named {', '.join(twice)}: names must differ")
        return value


class LoggingConfig(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"


class Config(Strict):
    store: StoreConfig = StoreConfig()
    mappings_dir: Path = Field(default_factory=shipped_mappings)  # or the admin's copy
    language: Literal["ru", "en"] = "ru"
    roles: dict[str, str] = {}
    trackers: TrackersConfig = TrackersConfig()
    chats: ChatsConfig = ChatsConfig()
    people: list[PersonConfig] = []  # deprecated: moved to the catalog (mappings/catalog.yml)
    alerts: AlertsConfig | None = None
    mail: MailConfig | None = None  # outage notices to the catalog's mailing lists
    prometheus: PrometheusConfig | None = None  # /metrics and affected users in outage rooms
    worker: WorkerConfig = WorkerConfig()
    ops: OpsConfig | None = None
    sla: SlaConfig = SlaConfig()
    reports: ReportsConfig = ReportsConfig()
    logging: LoggingConfig = LoggingConfig()
    source: str = "<memory>"  # where the config came from, for error messages

    def secrets(self) -> list[str]:
        """Every secret value, so log redaction knows what to hide."""
        found: list[str] = []
        for tracker in self.trackers.configured().values():
            found += tracker.secrets()
        for chat in self.chats.configured().values():
            found += chat.secrets()
        if self.alerts:
            found.append(self.alerts.token.get_secret_value())
            found += self.alerts.alertmanager.secrets() if self.alerts.alertmanager else []
        if self.ops:
            found.append(self.ops.token.get_secret_value())
        for section in (self.mail, self.prometheus):
            found += section.secrets() if section else []
        return [s for s in found if s]


def _store_key(key: str) -> bool:
    """What a command that only reads the store needs resolved: where the store is."""
    return key == "store" or key.startswith("store.")


def config_path(given: str | Path | None) -> Path:
    """The config every command reads: --config FILE, else $HELPDESK_CONNECTOR_CONFIG."""
    found = given or os.environ.get(DEFAULT_CONFIG_ENV)
    if not found:
        raise ConfigError([f"no config file: pass --config FILE or set {DEFAULT_CONFIG_ENV}=FILE"
                           " (`helpdesk-connector init DIR` writes one)"])
    return Path(found)


def load_config(path: str | Path, *, secrets: bool = True) -> Config:
    """Read, interpolate `${ENV}` and validate a config file; relative paths follow the file.
    secrets=False: for commands that only read the store, an unset variable is empty outside
    `store:` (the tokens stay unresolved: a dry run), instead of an error."""
    path = Path(path)
    raw = interpolate_env(read_yaml(path), str(path),
                          needed=every_key if secrets else _store_key)
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
        # model_copy, not StoreConfig(url=…): the section's other keys (synchronous) stay
        updates["store"] = config.store.model_copy(
            update={"url": prefix + str(base / url[len(prefix):])})
    wake = config.worker.wake_socket
    if wake and not Path(wake).is_absolute():
        updates["worker"] = config.worker.model_copy(update={"wake_socket": str(base / wake)})
    return config.model_copy(update=updates)
