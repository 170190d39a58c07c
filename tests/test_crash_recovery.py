"""Done-when: the worker process is killed (SIGKILL) between ingest and write-back; after a
restart every write-back happens exactly once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.conftest import WEBHOOK_SECRET, issue_hook
from tests.processes import ConnectorProcess, wait_for
from tests.standins.gitlab import StandInGitLab

pytestmark = pytest.mark.slow


def deliver(p: ConnectorProcess) -> None:
    answer = requests.post(f"{p.url}/webhooks/gitlab", json=issue_hook(
        "Priority: Low", "Priority: High"), headers={
        "X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": WEBHOOK_SECRET,
        "Idempotency-Key": "crash-1"}, timeout=5)
    assert answer.json()["status"] == "accepted"


@pytest.mark.parametrize("held", [
    pytest.param(("PUT", r"/issues/23$"), id="killed-during-label-write"),
    pytest.param(("POST", r"/issues/23/notes$"), id="killed-during-note-write"),
])
def test_write_back_happens_once_after_kill(
    held: tuple[str, str], db_url: str, standin_gitlab: StandInGitLab,
    write_config: Callable[..., Path], processes: list[ConnectorProcess],
) -> None:
    gl = standin_gitlab
    gl.add_issue(1, 23, labels=["API", "Priority: Low", "Priority: High"], assignee_ids=[51])
    config = write_config(db_url, gl, embedded=True, lease_seconds=2)
    release = gl.hold_next(*held)

    first = ConnectorProcess(config)
    processes.append(first)
    first.wait_healthy()
    deliver(first)
    # GitLab has applied the write, but the connector dies before it hears back.
    wait_for(lambda: gl.writes(*held), what="the held write")
    first.kill()
    release.set()

    second = ConnectorProcess(config)
    processes.append(second)
    second.wait_healthy()
    wait_for(lambda: gl.issue(1, 23)["notes"] and len(gl.writes("PUT")) >= 1,
             what="write-back after restart")
    wait_for(lambda: _outbox_idle(second), what="outbox settled")

    assert len(gl.writes("PUT", r"/issues/23$")) == 1
    assert len(gl.writes("POST", r"/issues/23/notes$")) == 1
    assert gl.issue(1, 23)["labels"] == ["API", "Priority: High"]
    assert len(gl.issue(1, 23)["notes"]) == 1


def _outbox_idle(p: ConnectorProcess) -> bool:
    text = requests.get(f"{p.url}/metrics", timeout=5).text
    return 'hdc_outbox_actions{status="pending"} 0.0' in text and \
        'hdc_inbox_events{status="pending"} 0.0' in text
