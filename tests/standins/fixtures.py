"""Reusable pytest fixtures for the stand-in servers (import them from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
import telebot.apihelper
from pytest_httpserver import HTTPServer

from tests.standins.base import HoldingStandIn, StandIn
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.prometheus import StandInPrometheus
from tests.standins.slack import StandInSlack
from tests.standins.smtp import StandInSmtp
from tests.standins.telegram import StandInTelegram
from tests.standins.znuny import StandInZnuny

S = TypeVar("S", bound=StandIn[Any])


class QuickHTTPServer(HTTPServer):
    """Stops at once: werkzeug's serve_forever looks for shutdown every 0.5 s by default, which
    every test with a stand-in paid on teardown (minutes over the suite)."""

    def thread_target(self) -> None:
        assert self.server is not None
        self.server.serve_forever(poll_interval=0.02)


@contextmanager
def serve(factory: Callable[[HTTPServer], S], name: str) -> Iterator[S]:
    """A running, thread-safe stand-in on 127.0.0.1 (own server, not `httpserver`); on exit the
    held answers are released, the server stops, and the test fails if the stand-in crashed."""
    server = QuickHTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    standin = factory(server)
    try:
        yield standin
    finally:
        if isinstance(standin, HoldingStandIn):
            standin.release_all()  # don't leave werkzeug threads blocked in hold_next
        server.clear()
        server.stop()
    assert not standin.errors, f"stand-in {name} crashed: {standin.errors!r}"


@pytest.fixture
def standin_gitlab() -> Iterator[StandInGitLab]:
    """A stand-in GitLab REST v4 API."""
    with serve(StandInGitLab, "GitLab") as gitlab:
        yield gitlab


@pytest.fixture
def standin_slack() -> Iterator[StandInSlack]:
    """A stand-in Slack Web API."""
    with serve(StandInSlack, "Slack") as slack:
        yield slack


@pytest.fixture
def standin_telegram() -> Iterator[StandInTelegram]:
    """A stand-in Telegram Bot API; telebot's ``apihelper.API_URL`` points at it during the test
    and is restored afterwards."""
    with serve(StandInTelegram, "Telegram") as telegram:
        previous = telebot.apihelper.API_URL
        telebot.apihelper.API_URL = telegram.api_url  # type: ignore[assignment]  # typed None
        try:
            yield telegram
        finally:
            telebot.apihelper.API_URL = previous


@pytest.fixture
def standin_mantis() -> Iterator[StandInMantis]:
    """A stand-in MantisBT REST API."""
    with serve(StandInMantis, "Mantis") as mantis:
        yield mantis


@pytest.fixture
def standin_znuny() -> Iterator[StandInZnuny]:
    """A stand-in Znuny GenericInterface web service."""
    with serve(StandInZnuny, "Znuny") as znuny:
        yield znuny


@pytest.fixture
def standin_prometheus() -> Iterator[StandInPrometheus]:
    """A stand-in Prometheus HTTP API."""
    with serve(StandInPrometheus, "Prometheus") as prometheus:
        yield prometheus


@pytest.fixture
def standin_smtp() -> Iterator[StandInSmtp]:
    """A stand-in SMTP relay."""
    smtp = StandInSmtp()
    smtp.start()
    try:
        yield smtp
    finally:
        smtp.stop()
