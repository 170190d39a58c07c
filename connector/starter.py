"""`helpdesk-connector init DIR`: a starter config and a copy of the shipped mappings, so an
admin edits their own files from the first day instead of the installed package's."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from connector.errors import ConfigError

CONFIG_NAME, MAPPINGS_NAME = "config.yml", "mappings"
APP, DATA_DIR_ENV = "helpdesk-connector", "HDC_DATA_DIR"
DB_NAME = "helpdesk-connector.db"
# Without store.url the store is data/helpdesk-connector.db next to the config (see config.py).
DEFAULT_STORE_URL = f"sqlite:///data/{DB_NAME}"


def shipped_mappings() -> Path:
    """The regulations and texts shipped inside the package: real files in an installed wheel,
    the checkout's mappings/ (through the connector/shipped_mappings symlink) in a checkout."""
    return Path(str(resources.files("connector") / "shipped_mappings")).resolve()


def default_data_dir(environ: Mapping[str, str] = os.environ, euid: int | None = None) -> Path:
    """Where init puts the store without --data-dir: the platform's data directory, never the
    config's: $HDC_DATA_DIR, else (not root) $XDG_DATA_HOME/helpdesk-connector (by default
    ~/.local/share/helpdesk-connector), else (root) /var/lib/helpdesk-connector."""
    if environ.get(DATA_DIR_ENV):
        return Path(environ[DATA_DIR_ENV])
    if (os.geteuid() if euid is None else euid) == 0:
        return Path("/var/lib") / APP
    home = environ.get("HOME") or str(Path.home())
    return Path(environ.get("XDG_DATA_HOME") or Path(home) / ".local" / "share") / APP


def store_url(data_dir: Path | None) -> str:
    """The SQLite URL init writes: an absolute path in the data dir given, else the platform's."""
    return f"sqlite:///{(data_dir or default_data_dir()).resolve() / DB_NAME}"


def init_dir(directory: Path, data_dir: Path | None = None) -> list[Path]:
    """Write DIR/config.yml and DIR/mappings/; refuse (ConfigError) if either exists already.

    Nothing is written when anything is in the way; the config is created with O_EXCL and mode
    0600 (it holds the generated webhook secret), so a race never overwrites a file either.
    """
    config, mappings = directory / CONFIG_NAME, directory / MAPPINGS_NAME
    taken = [str(p) for p in (config, mappings) if p.exists() or p.is_symlink()]
    if taken:
        raise ConfigError([_refusal(", ".join(taken), plural=len(taken) > 1)])
    shipped = sorted(shipped_mappings().glob("*.yml"))
    if not shipped:
        raise ConfigError([f"{shipped_mappings()}: no shipped mappings — reinstall the package "
                           "(pip install --force-reinstall)"])
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(starter_config(store_url(data_dir)))
        mappings.mkdir()
        copied = [Path(shutil.copyfile(src, mappings / src.name)) for src in shipped]
    except FileExistsError as exc:  # created meanwhile by someone else
        raise ConfigError([_refusal(str(exc.filename))]) from None
    except OSError as exc:
        raise ConfigError([f"{exc.filename or directory}: cannot write: {exc.strerror} — check "
                           "the directory's owner and permissions"]) from None
    return [config, *copied]


def _refusal(what: str, plural: bool = False) -> str:
    exist, it = ("exist", "them") if plural else ("exists", "it")
    return (f"{what}: already {exist}; init never overwrites — move {it} away or run init on "
            "another directory")


def starter_config(url: str) -> str:
    """The commented starter config: a dry run on embedded SQLite that check-config accepts."""
    return STARTER.replace("@STORE_URL@", url).replace(
        "@WEBHOOK_SECRET@", secrets.token_urlsafe(24))


STARTER = """\
# helpdesk-connector configuration, written by `helpdesk-connector init`.
# Check it:  helpdesk-connector check-config --config THIS_FILE
# Any value may use ${ENV_VAR} or ${ENV_VAR:-default} (e.g. secrets from systemd's
# EnvironmentFile). Relative paths are relative to this file. The full reference of every
# key is config.example.yml and docs/configuration.md.

store:
  # Embedded SQLite: one host, one store file. Back it up (docs/install.md, "Backups").
  # Several hosts, or split web/worker processes under load: PostgreSQL, e.g.
  #   url: postgresql+psycopg://connector:${DB_PASSWORD}@db.internal/helpdesk_connector
  url: @STORE_URL@
  sqlite_synchronous: FULL    # FULL: an acknowledged webhook survives a power loss

mappings_dir: mappings        # your copy of the shipped regulations and texts: edit it here
language: ru                  # ru or en: the language of notes and chat messages

# People the mappings name by role (GitLab usernames); belarus-ehr routes to the first two
# and asks the head of support's agreement to close an issue (§4.1).
roles:
  infrastructure_owner: infra-head
  new_client_owner: onboarding-lead
  head_of_support: support-head

trackers:
  gitlab:
    base_url: https://gitlab.example.com
    # Access token of the bot user (scope: api). Empty: a dry run that logs every write it
    # would make and touches nothing.
    token: ${GITLAB_TOKEN:-}
    # Generated by init: enter it as the webhook's "Secret token" in GitLab.
    webhook_secret: @WEBHOOK_SECRET@
    bot_username: helpdesk-bot          # its own changes are never acted on
    projects: []                        # e.g. [{id: 1, mapping: belarus-ehr}]; also polled
    # default_mapping: belarus-ehr      # for projects not listed (absent: they are ignored)
  # mantis: and otrs: as in config.example.yml

# Chats (Slack, Telegram) and the alerts channel: see config.example.yml and docs/integrations/.
# People (chat ids, tracker usernames, roles) are named once, in mappings/catalog.yml `people:`.

worker:
  embedded: true              # `run` starts the worker as its own process; false: start `worker`
  lease_seconds: 120          # a claim of a process that died is taken over after this

logging:
  level: INFO
  format: json                # json (one object per line) or text
"""
