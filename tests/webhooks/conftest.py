"""A fresh receiver app per test, on the database the test asks for."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from connector.config import Config
from tests.conftest import config_data
from webhooks.app import create_app


@pytest.fixture
def make_app() -> Iterator[Callable[[str], Flask]]:
    apps: list[Flask] = []

    def build(db_url: str) -> Flask:
        app = create_app(Config.model_validate(config_data(db_url)), start_worker=False,
                         setup_logs=False)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["helpdesk_connector"].connector.engine.dispose()
