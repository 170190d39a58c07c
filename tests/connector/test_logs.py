"""Logs are JSON lines, and no configured secret ever reaches them."""

from __future__ import annotations

import json
import logging

import pytest

from connector.config import LoggingConfig
from connector.logs import setup_logging


@pytest.fixture
def restore_root_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:], root.level = handlers, level


def test_secrets_are_redacted_from_messages_and_fields(
    restore_root_logging: object, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging(LoggingConfig(level="INFO", format="json"), ["glpat-SECRET-123", "hooksecret"])
    log = logging.getLogger("test")
    log.info("token is %s", "glpat-SECRET-123", extra={"header": "X-Gitlab-Token: hooksecret"})

    line = capsys.readouterr().err.strip()
    record = json.loads(line)
    assert "glpat-SECRET-123" not in line and "hooksecret" not in line
    assert record["msg"] == "token is ***"
    assert record["header"] == "X-Gitlab-Token: ***"
    assert record["level"] == "INFO" and record["logger"] == "test"


def test_a_flood_of_one_failure_is_one_line_a_minute(
    restore_root_logging: object, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    monkeypatch.setattr("connector.logs.time.monotonic", lambda: now[0])
    setup_logging(LoggingConfig(level="INFO", format="json"), [])
    log = logging.getLogger("test")
    for _ in range(50):
        log.warning("GitLab unreachable: %s", "ConnectTimeout")
    log.warning("Slack unreachable: %s", "ConnectTimeout")  # another failure: its own line
    log.info("routine %s", "line")  # below WARNING: never held back
    log.info("routine %s", "line")
    now[0] = 61.0
    log.warning("GitLab unreachable: %s", "ConnectTimeout")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["msg"] for line in lines] == [
        "GitLab unreachable: ConnectTimeout", "Slack unreachable: ConnectTimeout",
        "routine line", "routine line",
        "GitLab unreachable: ConnectTimeout (49 more like it were not logged)"]
    assert lines[-1]["repeated"] == 49
