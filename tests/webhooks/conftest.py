"""A fresh receiver app per test, on the database the test asks for.

``app`` receives GitLab only; a test module that needs chats or alerts overrides it with
``make_app(db_url, slack=standin_slack)`` and the like. ``client`` is a test client of ``app``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from connector.config import Config
from connector.store import inbox
from tests.conftest import config_data
from webhooks.app import create_app


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """``make_app(db_url, **config_options)``: a receiver app (no worker) whose config is
    ``tests.conftest.config_data(db_url, **config_options)``; its engine is disposed afterwards."""
    apps: list[Flask] = []

    def build(db_url: str, **config_options: Any) -> Flask:
        app = create_app(Config.model_validate(config_data(db_url, **config_options)),
                         start_worker=False, setup_logs=False)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["helpdesk_connector"].connector.engine.dispose()


@pytest.fixture
def app(db_url: str, make_app: Callable[..., Flask]) -> Flask:
    return make_app(db_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def stored(app: Flask) -> int:
    """How many events the inbox holds, whatever their status."""
    with app.extensions["helpdesk_connector"].connector.engine.connect() as conn:
        return sum(inbox.count_by_status(conn).values())
