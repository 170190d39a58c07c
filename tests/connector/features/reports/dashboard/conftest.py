"""The dashboard's app on SQLite with the known March (tests/dashboard.py), its clock frozen
at START until the history is written, then at NOW; `reader` is a client signed in through the
form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from connector.clock import FakeClock
from connector.core import Connector
from tests.dashboard import START, add_user, connector_of, dashboard_app, history, log_in


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def app(sqlite_url: str, clock: FakeClock) -> Iterator[Flask]:
    made = dashboard_app(sqlite_url, clock)
    yield made
    connector_of(made).engine.dispose()


@pytest.fixture
def c(app: Flask, clock: FakeClock) -> Connector:
    """The app's connector with the March history and one user."""
    found = connector_of(app)
    history(found, clock)
    add_user(found)
    return found


@pytest.fixture
def reader(app: Flask, c: Connector) -> FlaskClient:
    client = app.test_client()
    assert log_in(client).status_code == 303
    return client
