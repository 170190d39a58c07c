"""What the connector will do, said once at start (`check-config`, `run`, `worker`): the
trackers and projects it listens to, dry run or live, the chats, the features on, the store —
and a warning where a tracker would ignore everything it is sent."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from connector.assembly import check_config
from connector.config import DEFAULT_CONFIG_ENV, Config, load_config
from connector.configbase import ChatConfig, TrackerConfig
from connector.mappings import Mappings
from connector.rules.models import EscalateOnLabel, EscalateWhen
from connector.storeopen import open_and_migrate

DRY = "DRY RUN (no {what}: {writes} only logged)"
_started: list[str] = []  # the config this process started up with, once


def start_up(config: Config, out: TextIO | None = None) -> None:
    """Before serving or working: check the config, say what will run (on stderr unless told),
    and open and migrate the store in this process, before any fork (a StoreError is one line
    for the admin)."""
    announce(config, check_config(config), out or sys.stderr)
    open_and_migrate(config)
    _started.append(config.source)


def start_up_from_environment() -> None:
    """Plain gunicorn's master (webhooks/gunicorn_conf.py): start up with the config of
    $HELPDESK_CONNECTOR_CONFIG, unless `run` did already in this process."""
    path = os.environ.get(DEFAULT_CONFIG_ENV)
    if path and not _started:
        start_up(load_config(path))


def announce(config: Config, mappings: Mappings, out: TextIO) -> None:
    """The summary lines, then a `warning:` line per tracker that would ignore everything."""
    for line in summary(config, mappings):
        print(line, file=out)
    for line in warnings(config):
        print(f"warning: {line}", file=out)
    out.flush()


def summary(config: Config, mappings: Mappings) -> list[str]:
    """One line per tracker and chat, then the features on and the store."""
    lines = [f"config: {config.source} (language {config.language})"]
    trackers = config.trackers.configured()
    lines += [_tracker(kind, t) for kind, t in trackers.items()] or ["trackers: none"]
    chats = config.chats.configured()
    lines += [_chat(kind, c) for kind, c in chats.items()] or [
        "chats: none (chat messages are only logged)"]
    lines.append(f"features: {', '.join(features(config, mappings)) or 'none'}")
    lines.append(f"store: {describe_store(config.store.url)}")
    return lines


def _tracker(kind: str, tracker: TrackerConfig) -> str:
    mode = DRY.format(what="credentials", writes="write-backs") if tracker.dry_run else "live"
    projects = ", ".join(f"{p.id} → {p.mapping}" for p in tracker.projects) or "none"
    others = f"; other projects → {tracker.default_mapping}" if tracker.default_mapping else \
        "; other projects ignored"
    return f"tracker {kind} ({tracker.base_url}): {mode}; projects {projects}{others}"


def _chat(kind: str, chat: ChatConfig) -> str:
    mode = DRY.format(what="bot_token", writes="messages") if chat.dry_run else "live"
    channels = ", ".join(f"{name} → {place}" for name, place in chat.channels.items())
    return f"chat {kind}: {mode}; channels {channels or 'none'}"


def features(config: Config, mappings: Mappings) -> list[str]:
    """The features that act with this config: by the mappings its trackers use, and by the
    config's own sections."""
    used = sorted({p.mapping for t in config.trackers.configured().values() for p in t.projects}
                  | {t.default_mapping for t in config.trackers.configured().values()
                     if t.default_mapping})
    on = [m for m in (mappings.by_name.get(name) for name in used) if m is not None]
    found = [(name, [m.name for m in on if wanted(m)]) for name, wanted in (
        ("escalation", lambda m: any(isinstance(r, EscalateOnLabel | EscalateWhen)
                                     for r in m.rules)),
        ("sla", lambda m: bool(m.sla)),
        ("outage", lambda m: m.outage is not None))]
    listed = [f"{name} ({', '.join(names)})" for name, names in found if names]
    if config.alerts is not None:
        listed.append(f"alerts (channel {config.alerts.channel})")
    if config.reports.schedules:
        listed.append(f"scheduled reports ({', '.join(s.name for s in config.reports.schedules)})")
    if config.ops is not None and config.ops.enabled:
        listed.append("ops view (/ops)")
    return listed


def describe_store(url: str) -> str:
    """Where the store is, without its password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(not a database URL)"
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database}"
    return (f"PostgreSQL {parsed.database} at {parsed.host or 'localhost'}:{parsed.port or 5432}"
            f" as {parsed.username or '(default user)'}")


def warnings(config: Config) -> list[str]:
    """A tracker with no projects and no default mapping ignores every event it is sent."""
    return [f"trackers.{kind} lists no projects and has no default_mapping: every {kind} "
            f"event is ignored — add `{{id: <project id>, mapping: <name>}}` under "
            f"trackers.{kind}.projects"
            for kind, t in config.trackers.configured().items()
            if not t.projects and not t.default_mapping]
