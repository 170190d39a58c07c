"""Reusable pytest fixtures for the stand-in servers (import them from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import telebot.apihelper
from pytest_httpserver import HTTPServer

from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from tests.standins.znuny import StandInZnuny


@pytest.fixture
def standin_gitlab() -> Iterator[StandInGitLab]:
    """A running, thread-safe stand-in GitLab on 127.0.0.1 (own server, not `httpserver`)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    gitlab = StandInGitLab(server)
    try:
        yield gitlab
    finally:
        gitlab.release_all()  # don't leave werkzeug threads blocked in hold_next
        server.clear()
        server.stop()
    assert not gitlab.errors, f"stand-in GitLab crashed: {gitlab.errors!r}"


@pytest.fixture
def standin_slack() -> Iterator[StandInSlack]:
    """A running, thread-safe stand-in Slack Web API on 127.0.0.1 (own server)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    slack = StandInSlack(server)
    try:
        yield slack
    finally:
        server.clear()
        server.stop()
    assert not slack.errors, f"stand-in Slack crashed: {slack.errors!r}"


@pytest.fixture
def standin_telegram() -> Iterator[StandInTelegram]:
    """A running, thread-safe stand-in Telegram Bot API on 127.0.0.1 (own server); telebot's
    ``apihelper.API_URL`` points at it during the test and is restored afterwards."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    telegram = StandInTelegram(server)
    previous = telebot.apihelper.API_URL
    telebot.apihelper.API_URL = telegram.api_url  # type: ignore[assignment]  # typed None
    try:
        yield telegram
    finally:
        telebot.apihelper.API_URL = previous
        server.clear()
        server.stop()
    assert not telegram.errors, f"stand-in Telegram crashed: {telegram.errors!r}"


@pytest.fixture
def standin_mantis() -> Iterator[StandInMantis]:
    """A running, thread-safe stand-in MantisBT REST API on 127.0.0.1 (own server)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    mantis = StandInMantis(server)
    try:
        yield mantis
    finally:
        mantis.release_all()  # don't leave werkzeug threads blocked in hold_next
        server.clear()
        server.stop()
    assert not mantis.errors, f"stand-in Mantis crashed: {mantis.errors!r}"


@pytest.fixture
def standin_znuny() -> Iterator[StandInZnuny]:
    """A running, thread-safe stand-in Znuny GenericInterface web service on 127.0.0.1."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    znuny = StandInZnuny(server)
    try:
        yield znuny
    finally:
        znuny.release_all()  # don't leave werkzeug threads blocked in hold_next
        server.clear()
        server.stop()
    assert not znuny.errors, f"stand-in Znuny crashed: {znuny.errors!r}"
