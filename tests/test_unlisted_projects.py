"""A webhook from a project the config does not list: ignored, but said once per project with the
key to add it under; after the admin adds it, `inbox retry` replays the ignored events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from connector.assembly import build_connector
from connector.cli import main
from connector.config import DEFAULT_CONFIG_ENV, load_config
from connector.core import Connector
from connector.inbox_processing import drain_inbox
from connector.store import inbox, outbox
from tests.conftest import issue_hook
from tests.drive import post_hook
from webhooks.app import create_app

LOW, HIGH = "Priority: Low", "Priority: High"


def unlisted_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "not listed" in r.getMessage()]


def test_an_unlisted_project_is_named_once_with_the_key_to_add_it_under(
    sqlite_url: str, make_connector: Callable[..., Connector], caplog: pytest.LogCaptureFixture
) -> None:
    c = make_connector(sqlite_url)
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    for iid in (1, 2, 3):
        post_hook(client, issue_hook(LOW, HIGH, iid=iid, project_id=42))
    post_hook(client, issue_hook(LOW, HIGH, iid=4, project_id=43))

    with caplog.at_level("WARNING"):
        drain_inbox(c)

    assert unlisted_lines(caplog) == [
        "gitlab project 42 is not listed in the config: its events are ignored; to act on "
        "them add `{id: 42, mapping: <name>}` under trackers.gitlab.projects (mappings: "
        "belarus-ehr, sevastopol-miac), then `helpdesk-connector inbox retry` "
        "the ignored events",
        "gitlab project 43 is not listed in the config: its events are ignored; to act on "
        "them add `{id: 43, mapping: <name>}` under trackers.gitlab.projects (mappings: "
        "belarus-ehr, sevastopol-miac), then `helpdesk-connector inbox retry` "
        "the ignored events"]
    with c.engine.connect() as conn:
        assert inbox.count_by_status(conn) == {"ignored": 4}

    caplog.clear()
    post_hook(client, issue_hook(LOW, HIGH, iid=5, project_id=42))
    with caplog.at_level("WARNING"):
        drain_inbox(c)
    assert unlisted_lines(caplog) == []  # once per project per process


def decided(c: Connector, project_id: int) -> None:
    """One issue hook of the project received and decided."""
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    post_hook(client, issue_hook(LOW, HIGH, iid=7, project_id=project_id))
    drain_inbox(c)


@pytest.fixture
def config(sqlite_url: str, write_config: Callable[..., Path],
           monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(DEFAULT_CONFIG_ENV, raising=False)
    return write_config(sqlite_url)


def test_an_ignored_event_is_replayed_after_its_project_was_added(
    sqlite_url: str, make_connector: Callable[..., Connector], config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    decided(make_connector(sqlite_url), project_id=42)
    path = config
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["trackers"]["gitlab"]["projects"].append({"id": 42, "mapping": "belarus-ehr"})
    path.write_text(yaml.safe_dump(data), encoding="utf-8")

    assert main(["inbox", "retry", "1", "--config", str(path)]) == 0
    assert capsys.readouterr().out == "inbox:1: back in line\n"
    added = build_connector(load_config(path))
    try:
        drain_inbox(added)
        with added.engine.connect() as conn:
            assert inbox.count_by_status(conn) == {"done": 1}
            assert outbox.count_by_status(conn) == {"pending": 2}  # the labels and the note
    finally:
        added.engine.dispose()


def test_a_done_event_is_still_not_retried(
    sqlite_url: str, make_connector: Callable[..., Connector], config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    decided(make_connector(sqlite_url), project_id=1)

    assert main(["inbox", "retry", "1", "--config", str(config)]) == 1
    assert capsys.readouterr().err == (
        "error: inbox:1: it is done; only failed, cancelled or ignored events can be "
        "retried, left alone\n")
