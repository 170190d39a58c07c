"""The Flask extension that carries a Connector into request handlers."""

from __future__ import annotations

from flask import Flask

from connector.core import Connector
from connector.runner import Runner

MAX_BODY = 1024 * 1024  # 1 MiB: far above any real hook, small enough to refuse floods


class ConnectorExtension:
    """Attaches a Connector (and optionally its background Runner) to an app."""

    def __init__(self, connector: Connector, runner: Runner | None) -> None:
        self.connector = connector
        self.runner = runner

    def init_app(self, app: Flask) -> None:
        app.extensions["helpdesk_connector"] = self

    def wake(self, source: str | None = None) -> None:
        """Events from `source` were stored: its inbox lane takes them now."""
        if self.runner:
            self.runner.received(source) if source else self.runner.wake()
