"""A poison event or action never blocks others: what retrying cannot fix is parked as failed
at once, visible with its reason, and the queue behind it — the same ticket's — moves on.
The operator sees it with `helpdesk-connector failed` and puts it back with `retry`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.cli import main
from connector.core import Connector
from connector.inbox_processing import drain_inbox
from connector.store import inbox, outbox
from tests.conftest import config_data, issue_hook
from tests.drive import post_hook, run_until_idle
from tests.standins.gitlab import StandInGitLab
from webhooks.app import create_app

CONFLICT = ("Priority: Low", "Priority: High")


def crash_on(c: Connector, monkeypatch: pytest.MonkeyPatch, title: str) -> None:
    """The worker's normaliser crashes on one issue's title (a bug, not a bad payload)."""
    real = c.plugins["gitlab"].normalize

    def normalize(name: str, payload: Any) -> Any:
        event = real(name, payload)
        if event is not None and event.title == title:
            raise RuntimeError("bug in the normaliser")
        return event

    monkeypatch.setitem(c.plugins, "gitlab", replace(c.plugins["gitlab"], normalize=normalize))


@pytest.fixture
def c(sqlite_url: str, standin_gitlab: StandInGitLab,
      make_connector: Callable[..., Connector]) -> Connector:
    standin_gitlab.add_issue(1, 23, labels=list(CONFLICT), assignee_ids=[51])
    return make_connector(sqlite_url, standin_gitlab, lease_seconds=60)


def test_a_crashing_event_is_parked_and_the_tickets_next_event_goes_on(
    c: Connector, standin_gitlab: StandInGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    post_hook(client, issue_hook(*CONFLICT, title="Яд"))
    post_hook(client, issue_hook(*CONFLICT, title="Рецепт не печатается"))
    crash_on(c, monkeypatch, "Яд")
    started = time.monotonic()
    drain_inbox(c)
    assert time.monotonic() - started < 10  # not held for the 60 s lease
    with c.engine.connect() as conn:
        [parked] = inbox.failed(conn)
        counts = inbox.count_by_status(conn)
    assert "crashed: RuntimeError: bug in the normaliser" in parked.outcome
    assert counts == {"failed": 1, "done": 1}
    run_until_idle(c)
    assert standin_gitlab.issue(1, 23)["labels"] == ["Priority: High"]


def test_a_crashing_action_is_parked_and_the_tickets_next_action_goes_on(
    c: Connector, standin_gitlab: StandInGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = c.adapters["gitlab"]
    real = tracker.perform

    def perform(item: Any) -> Any:
        if item.action.kind == "update_labels":
            raise KeyError("labels")  # an adapter bug
        return real(item)

    monkeypatch.setattr(tracker, "perform", perform)
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    post_hook(client, issue_hook(*CONFLICT))
    run_until_idle(c)

    with c.engine.connect() as conn:
        [failed] = outbox.failed(conn)
    assert failed.kind == "update_labels" and "crashed: KeyError" in failed.last_error
    assert len(standin_gitlab.issue(1, 23)["notes"]) == 1  # the note behind it was posted


def test_the_operator_sees_failed_work_and_puts_it_back(
    c: Connector, standin_gitlab: StandInGitLab, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tracker = c.adapters["gitlab"]
    real = tracker.perform
    monkeypatch.setattr(tracker, "perform", lambda item: (_ for _ in ()).throw(
        KeyError("bug")) if item.action.kind == "update_labels" else real(item))
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    post_hook(client, issue_hook(*CONFLICT))
    run_until_idle(c)
    config = tmp_path / "config.yml"
    config.write_text(yaml.safe_dump(config_data(c.config.store.url)), encoding="utf-8")

    assert main(["failed", "--config", str(config)]) == 0
    listed = capsys.readouterr().out
    [line] = [row for row in listed.splitlines() if row.startswith("outbox:")]
    item = line.split("\t")[0]
    assert "update_labels" in line and "crashed: KeyError" in line

    monkeypatch.setattr(tracker, "perform", real)  # the bug is fixed
    assert main(["retry", "--config", str(config), item]) == 0
    assert main(["retry", "--config", str(config), item]) == 1  # not failed any more
    assert main(["retry", "--config", str(config), "outbox"]) == 2
    run_until_idle(c)
    assert standin_gitlab.issue(1, 23)["labels"] == ["Priority: High"]
    assert len(standin_gitlab.issue(1, 23)["notes"]) == 1
