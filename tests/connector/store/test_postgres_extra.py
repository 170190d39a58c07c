"""PostgreSQL's driver is the `[postgres]` extra: without it a PostgreSQL store is one line
naming the pip command, never a traceback; SQLite needs nothing more."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from connector.cli import main

URL = "postgresql+psycopg://connector:secret@db.internal/helpdesk_connector"


@pytest.fixture
def without_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    """As after `pip install helpdesk-connector` without the extra."""
    for name in [n for n in sys.modules if n == "psycopg" or n.startswith("psycopg.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg → ModuleNotFoundError


@pytest.mark.parametrize("url", [URL, "postgresql://connector@db.internal/helpdesk_connector"])
@pytest.mark.parametrize("command", [["db-upgrade"], ["failed"]])
def test_a_postgresql_store_without_the_driver_names_the_extra(
    without_psycopg: None, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str],
    url: str, command: list[str],
) -> None:
    config = write_config(url)
    capsys.readouterr()

    assert main([*command, "--config", str(config)]) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and "store.url" in line
    assert "pip install 'helpdesk-connector[postgres]'" in line
    assert "secret" not in line


def test_sqlite_needs_no_driver(
    without_psycopg: None, sqlite_url: str, write_config: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["db-upgrade", "--config", str(write_config(sqlite_url))]) == 0
