"""Shared pytest fixtures.

Databases
---------
``db_url``      runs the test twice: ``[sqlite]`` and ``[postgres]``.
``sqlite_url``  SQLite only.
``pg_url``      PostgreSQL only (test id ``[postgres]``).

Every URL points at an empty database private to the test, so tests may create
tables freely and never clean up:

* SQLite: a file under ``tmp_path``.
* PostgreSQL: the server from ``HDC_TEST_POSTGRES_URL`` (``scripts/test``
  starts a throwaway one), with a fresh schema ``t_<hex>`` per test.  The URL
  carries ``?options=-csearch_path=t_<hex>``, so every connection made from it
  (SQLAlchemy engines, alembic, ...) creates and finds its tables in that
  schema.  The schema is dropped (CASCADE) after the test.  Without
  ``HDC_TEST_POSTGRES_URL`` the PostgreSQL variants are skipped.

All PostgreSQL variants carry ``@pytest.mark.postgres`` (``-m "not postgres"``
deselects them).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from connector.assembly import build_connector
from connector.clock import SYSTEM_CLOCK, Clock
from connector.config import Config
from connector.core import Connector
from connector.mappings import Mappings, load_mappings
from tests.processes import ConnectorProcess
from tests.standins import fixtures as _standin_fixtures
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from tests.standins.znuny import StandInZnuny

PG_ENV = "HDC_TEST_POSTGRES_URL"


# --------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/hdc.db"


def _pg_schema_url() -> Iterator[str]:
    """Create a private schema, yield a URL whose connections use it, drop it."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"no PostgreSQL: set {PG_ENV} (scripts/test starts one)")
    schema = f"t_{uuid.uuid4().hex}"
    admin = sa.create_engine(base, poolclass=NullPool)  # no connections kept around
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base)
        options = f"{url.query['options']} " if "options" in url.query else ""
        url = url.update_query_dict({"options": f"{options}-csearch_path={schema}",
                                     "application_name": schema})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as conn:
            # Apps made by create_app(config) build their own connector, whose pool nobody
            # disposes: its idle connections would pile up over the suite (max_connections).
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE application_name = :name AND pid <> pg_backend_pid()"),
                         {"name": schema})
            # A connection the test leaked inside an open transaction would make
            # DROP wait forever; fail the teardown instead.
            conn.execute(sa.text("SET LOCAL lock_timeout = '30s'"))
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLAlchemy URL of an empty database; the test runs on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path)
    else:
        yield from _pg_schema_url()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of an empty SQLite database file."""
    return _sqlite_url(tmp_path)


# A one-element parametrization (rather than a plain fixture) so the test gets
# the `postgres` mark at collection time and the id `[postgres]`.
@pytest.fixture(params=[pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)])
def pg_url() -> Iterator[str]:
    """SQLAlchemy URL of an empty PostgreSQL schema (skipped without PostgreSQL)."""
    yield from _pg_schema_url()


# --------------------------------------------------------------------------
# More shared fixtures go below this line.
# --------------------------------------------------------------------------




@pytest.fixture(scope="session")
def mappings() -> Mappings:
    """The shipped regulations and templates."""
    return load_mappings(REPO / "mappings")


standin_gitlab = _standin_fixtures.standin_gitlab
standin_slack = _standin_fixtures.standin_slack
standin_telegram = _standin_fixtures.standin_telegram
standin_mantis = _standin_fixtures.standin_mantis
standin_znuny = _standin_fixtures.standin_znuny
standin_prometheus = _standin_fixtures.standin_prometheus
standin_smtp = _standin_fixtures.standin_smtp

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"  # copied from ../shared/fixtures (GitLab doc samples)
WEBHOOK_SECRET = "hook-secret-42"
SLACK_SIGNING_SECRET = "slack-signing-secret-1"
TELEGRAM_SECRET = "tg-secret-1"
ALERTS_TOKEN = "alerts-token-1"
MANTIS_SECRET = "mantis-hook-secret"
OTRS_HOOK_USER, OTRS_HOOK_PASSWORD = "znuny", "otrs-hook-secret"
SLACK_L2, SLACK_ALERTS = "C0L2", "C0ALERTS"
SLACK_MEMBERS = ("U0L1", "U0L2ENG")
TG_L2, TG_ALERTS = -1001000000001, -1001000000002
ROLES = {"infrastructure_owner": "infra-head", "new_client_owner": "onboarding-lead",
         "head_of_support": "head"}


def config_data(db_url: str, gitlab: StandInGitLab | None = None, *,
                slack: StandInSlack | None = None, telegram: StandInTelegram | None = None,
                alerts: bool = False, mantis: StandInMantis | None = None,
                otrs: StandInZnuny | None = None, **worker: Any) -> dict[str, Any]:
    """A config as the YAML file would hold it: fast timers, project 1 under belarus-ehr;
    chats and alerts when the test brings their stand-ins."""
    data = {
        "store": {"url": db_url},
        "mappings_dir": str(REPO / "mappings"),
        "roles": dict(ROLES),
        "trackers": {"gitlab": {
            "base_url": gitlab.url if gitlab else "http://127.0.0.1:9",
            "token": gitlab.token if gitlab else "",
            "webhook_secret": WEBHOOK_SECRET,
            "bot_username": "helpdesk-bot",
            "timeout_seconds": 5,
            "projects": [{"id": 1, "mapping": "belarus-ehr"}],
            "reconcile": {"interval_seconds": 3600, "lookback_seconds": 86400},
        }},
        "worker": {"embedded": False, "poll_interval_seconds": 0.2, "lease_seconds": 3,
                   "backoff_base_seconds": 0.2, "backoff_max_seconds": 2, **worker},
        "logging": {"format": "text", "level": "INFO"},
    }
    if slack:  # the test users L1 and L2 are members of both channels
        slack.add_channel(SLACK_L2, "ehr_community", members=SLACK_MEMBERS)
        slack.add_channel(SLACK_ALERTS, "ehr_alert", members=SLACK_MEMBERS)
        data["chats"] = {"slack": {
            "base_url": slack.url, "bot_token": slack.token,
            "signing_secret": SLACK_SIGNING_SECRET,
            "channels": {"l2": SLACK_L2, "alerts": SLACK_ALERTS}}}
    if telegram:
        telegram.add_chat(TG_L2, "EHR L2")
        telegram.add_chat(TG_ALERTS, "EHR alerts")
        data.setdefault("chats", {})["telegram"] = {
            "api_url": telegram.api_url.split("/bot{0}")[0], "bot_token": telegram.token,
            "webhook_secret": TELEGRAM_SECRET, "webhook_url": "https://connector.test/tg",
            "channels": {"l2": TG_L2, "alerts": TG_ALERTS}}
    if alerts:
        data["alerts"] = {"token": ALERTS_TOKEN, "project": 1}
    if mantis:
        data["trackers"]["mantis"] = {
            "base_url": mantis.url, "token": mantis.token, "webhook_secret": MANTIS_SECRET,
            "projects": [{"id": 1, "mapping": "sevastopol-miac"}],
            "reconcile": {"interval_seconds": 3600, "lookback_seconds": 86400}}
    if otrs:
        data["trackers"]["otrs"] = {
            "base_url": otrs.url, "user": "helpdesk-bot", "password": "bot-password",
            "webhook_user": OTRS_HOOK_USER, "webhook_secret": OTRS_HOOK_PASSWORD,
            "projects": [{"id": "Support", "mapping": "sevastopol-miac"}],
            "reconcile": {"interval_seconds": 3600, "lookback_seconds": 86400}}
    return data


@pytest.fixture
def make_connector() -> Iterator[Callable[..., Connector]]:
    """Build connectors on a database and (optionally) a stand-in GitLab; disposed afterwards."""
    built: list[Connector] = []

    def build(db_url: str, gitlab: StandInGitLab | None = None, *,
              clock: Clock = SYSTEM_CLOCK, mappings_dir: Path | None = None,
              **options: Any) -> Connector:
        data = config_data(db_url, gitlab, **options)
        if mappings_dir is not None:
            data["mappings_dir"] = str(mappings_dir)
        c = build_connector(Config.model_validate(data), clock=clock)
        built.append(c)
        return c

    yield build
    for c in built:
        c.engine.dispose()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config file for connector processes started by a test."""

    def write(db_url: str, gitlab: StandInGitLab | None = None, **options: Any) -> Path:
        path = tmp_path / "config.yml"
        path.write_text(yaml.safe_dump(config_data(db_url, gitlab, **options)),
                        encoding="utf-8")
        return path

    return write


def issue_hook(*labels: str, iid: int = 23, project_id: int = 1, action: str = "open",
               user: str = "l1-user", title: str | None = None) -> dict[str, Any]:
    """GitLab's documented Issue Hook sample, with the given labels added."""
    payload: dict[str, Any] = json.loads(
        (FIXTURES / "gitlab" / "gitlab_issue_hook.json").read_text(encoding="utf-8"))
    extra = [{"id": 900 + i, "title": t, "type": "ProjectLabel"} for i, t in enumerate(labels)]
    payload["labels"] = payload["labels"] + extra
    payload["object_attributes"]["labels"] = payload["labels"]
    payload["object_attributes"]["iid"] = iid
    payload["object_attributes"]["action"] = action
    payload["project"]["id"] = project_id
    payload["user"]["username"] = user
    if title is not None:
        payload["object_attributes"]["title"] = title
    return payload


def note_hook(text: str, *, user: str = "l2-engineer", iid: int = 23, project_id: int = 1,
              note_id: int = 1241) -> dict[str, Any]:
    """GitLab's documented Note Hook sample, as a comment on issue `iid`."""
    payload: dict[str, Any] = json.loads(
        (FIXTURES / "gitlab" / "gitlab_note_on_issue_hook.json").read_text(encoding="utf-8"))
    payload["object_attributes"].update(id=note_id, note=text)
    payload["issue"].update(iid=iid, state="opened")
    payload["project"]["id"] = project_id
    payload["user"]["username"] = user
    return payload


@pytest.fixture
def processes() -> Iterator[list[ConnectorProcess]]:
    """Connector processes a test starts; stopped (SIGTERM, then SIGKILL) afterwards."""
    started: list[ConnectorProcess] = []
    yield started
    for p in started:
        p.stop()
