"""gunicorn settings for serving the connector with several workers, so /metrics stays right:
`gunicorn -c python:webhooks.gunicorn_conf -w 2 'webhooks.app:create_app()'` with
PROMETHEUS_MULTIPROC_DIR set (`run` applies the same hooks). gunicorn reads the lower-case names
below as its settings."""

from __future__ import annotations

import sys
from typing import Any

from connector.config import config_path, load_config
from connector.errors import ConfigError, StoreError
from connector.metrics import clear_multiprocess_dir, process_exited
from connector.startup import start_up_from_environment
from webhooks.server import WORKER_CLASS

worker_class = WORKER_CLASS


def on_starting(server: Any) -> None:
    """In the master, before any worker: earlier runs' counter files are removed; a missing or
    unwritable directory for several workers stops the start with one line; so does a store
    that cannot be opened and migrated (once here, not in every worker)."""
    workers = int(server.cfg.workers)
    try:
        clear_multiprocess_dir(workers)
        start_up_from_environment()
        if workers > 1 and _on_sqlite():
            server.log.warning(SEVERAL_ON_SQLITE, workers)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        sys.exit(1)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)


SEVERAL_ON_SQLITE = (
    "%d gunicorn workers on a SQLite store: their writes queue for one file and webhook "
    "answers wait (ack p99 in the hundreds of ms at 200/s, docs/BENCHMARKS.md) — serve SQLite "
    "with `helpdesk-connector run` (one web process, the worker as its own); several web "
    "processes are for PostgreSQL")


def _on_sqlite() -> bool:
    """Is the store of $HELPDESK_CONNECTOR_CONFIG SQLite? (A config that cannot be read is
    create_app's to report, in each worker.)"""
    try:
        url = load_config(config_path(None)).store.url
    except ConfigError:
        return False
    return url.startswith("sqlite")


def child_exit(server: Any, worker: Any) -> None:
    """In the master, after a worker exited: prometheus_client's bookkeeping for it."""
    process_exited(worker.pid)


HOOKS = {"on_starting": on_starting, "child_exit": child_exit}
