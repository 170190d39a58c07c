"""gunicorn settings for serving the connector with several workers, so /metrics stays right:
`gunicorn -c python:webhooks.gunicorn_conf -w 2 'webhooks.app:create_app()'` with
PROMETHEUS_MULTIPROC_DIR set (`run` applies the same hooks). gunicorn reads the lower-case names
below as its settings."""

from __future__ import annotations

from typing import Any

from connector.metrics import clear_multiprocess_dir, process_exited
from webhooks.server import WORKER_CLASS

worker_class = WORKER_CLASS


def on_starting(server: Any) -> None:
    """In the master, before any worker: earlier runs' counter files are removed."""
    clear_multiprocess_dir()


def child_exit(server: Any, worker: Any) -> None:
    """In the master, after a worker exited: prometheus_client's bookkeeping for it."""
    process_exited(worker.pid)


HOOKS = {"on_starting": on_starting, "child_exit": child_exit}
