"""Reusable pytest fixtures for the stand-in servers (import them from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from tests.standins.gitlab import StandInGitLab


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
