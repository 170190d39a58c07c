"""gunicorn settings for serving the connector with several workers, so /metrics stays right:
`gunicorn -c python:webhooks.gunicorn_conf -w 2 'webhooks.app:create_app()'` with
PROMETHEUS_MULTIPROC_DIR set (`run` applies the same hooks). gunicorn reads the lower-case names
below as its settings."""

from __future__ import annotations

import sys
from typing import Any

from connector.errors import ConfigError, StoreError
from connector.metrics import clear_multiprocess_dir, process_exited
from connector.startup import start_up_from_environment
from webhooks.server import WORKER_CLASS

worker_class = WORKER_CLASS


def on_starting(server: Any) -> None:
    """In the master, before any worker: earlier runs' counter files are removed; a missing or
    unwritable directory for several workers stops the start with one line; so does a store
    that cannot be opened and migrated (once here, not in every worker)."""
    try:
        clear_multiprocess_dir(int(server.cfg.workers))
        start_up_from_environment()
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        sys.exit(1)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)


def child_exit(server: Any, worker: Any) -> None:
    """In the master, after a worker exited: prometheus_client's bookkeeping for it."""
    process_exited(worker.pid)


HOOKS = {"on_starting": on_starting, "child_exit": child_exit}
