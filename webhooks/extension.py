"""The Flask extension that carries a Connector into request handlers."""

from __future__ import annotations

import atexit
import threading

from flask import Flask

from connector.core import Connector
from connector.runner import Runner
from connector.wakeup import WakeSender, wake_path

MAX_BODY = 1024 * 1024  # 1 MiB: far above any real hook, small enough to refuse floods


class ConnectorExtension:
    """Attaches a Connector to an app, and what takes the stored events: a Runner in this
    process (plain gunicorn with `worker.embedded`), else a worker elsewhere, woken by
    datagram (connector/wakeup.py)."""

    def __init__(self, connector: Connector, runner: Runner | None) -> None:
        self.connector = connector
        self.runner = runner
        self.sender = None if runner else WakeSender(wake_path(connector.config))
        self.answering = 0  # requests being answered now; the worker gives way to a burst
        self._count = threading.Lock()

    def init_app(self, app: Flask) -> None:
        app.extensions["helpdesk_connector"] = self
        app.before_request(self._started)
        app.teardown_request(self._finished)
        if self.runner is not None:
            self.runner.receiving = lambda: self.answering > 1  # a burst
            # gunicorn's worker leaves by sys.exit on SIGTERM, so atexit runs in it (also for
            # `gunicorn 'webhooks.app:create_app()'`, not only `helpdesk-connector run`).
            atexit.register(self.shutdown)

    def _started(self) -> None:
        with self._count:
            self.answering += 1

    def _finished(self, _exc: BaseException | None) -> None:
        with self._count:
            self.answering -= 1

    def shutdown(self) -> None:
        """Stop the embedded worker once, as the process ends: lanes finish the piece in hand
        and the claims still held go back to the store for another process at once."""
        runner, self.runner = self.runner, None
        if runner is not None:
            runner.stop()

    def wake(self, source: str | None = None) -> None:
        """Events from `source` were stored: its inbox lane takes them now."""
        if self.runner:
            self.runner.wake(source)
        elif self.sender:
            self.sender(source)
