"""Done-when: two connector processes on one PostgreSQL, given 500 events (each delivered to
both), perform each action exactly once — and both processes do part of the work.

Both processes also reconcile at start-up and find the same 500 issues by polling while the
webhooks arrive: those copies must not add a single extra write either."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select

from connector.store.schema import inbox, outbox
from tests.conftest import WEBHOOK_SECRET, issue_hook
from tests.processes import ConnectorProcess, wait_for
from tests.standins.gitlab import StandInGitLab

pytestmark = pytest.mark.slow
EVENTS = 500


@pytest.fixture
def two_connectors(
    pg_url: str, standin_gitlab: StandInGitLab, write_config: Callable[..., Path]
) -> Iterator[list[ConnectorProcess]]:
    for iid in range(1, EVENTS + 1):
        standin_gitlab.add_issue(1, iid, labels=["Priority: Low", "Priority: High"],
                                 assignee_ids=[51])
    config = write_config(pg_url, standin_gitlab, embedded=True, batch_size=10)
    procs = [ConnectorProcess(config), ConnectorProcess(config)]
    try:
        for p in procs:
            p.wait_healthy()
        yield procs
    finally:
        for p in procs:
            p.stop()


def test_each_action_happens_once_across_processes(
    pg_url: str, standin_gitlab: StandInGitLab, two_connectors: list[ConnectorProcess]
) -> None:
    gl = standin_gitlab
    session = requests.Session()

    def deliver(iid: int) -> list[str]:
        body = issue_hook("Priority: Low", "Priority: High", iid=iid)
        body["object_attributes"]["updated_at"] = gl.issue(1, iid)["updated_at"]  # as GitLab
        headers = {"X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": WEBHOOK_SECRET,
                   "Idempotency-Key": f"scale-{iid}"}
        # GitLab may deliver twice (manual resend): once to each process.
        return [session.post(f"{p.url}/webhooks/gitlab", json=body, headers=headers,
                             timeout=10).json()["status"] for p in two_connectors]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(deliver, range(1, EVENTS + 1)))
    assert all(sorted(a) == ["accepted", "duplicate"] for a in answers)

    engine = create_engine(pg_url)
    try:
        def settled() -> bool:
            with engine.connect() as conn:
                done = conn.execute(select(func.count()).where(
                    outbox.c.status == "done")).scalar_one()
                waiting = conn.execute(select(func.count()).where(
                    inbox.c.status == "pending")).scalar_one()
            return done == 2 * EVENTS and waiting == 0
        wait_for(settled, timeout=240, what="all write-backs")
        with engine.connect() as conn:
            processed = conn.execute(select(func.count()).where(
                inbox.c.status == "done", inbox.c.event_name == "Issue Hook")).scalar_one()
            workers = conn.execute(select(outbox.c.claimed_by).distinct()).scalars().all()
    finally:
        engine.dispose()

    assert processed == EVENTS
    puts = gl.writes("PUT")
    notes = gl.writes("POST", r"/notes$")
    assert len(puts) == EVENTS and len(notes) == EVENTS
    assert len({r.path for r in puts}) == EVENTS  # one per issue, none twice
    assert len({r.path for r in notes}) == EVENTS
    assert len(set(workers)) == 2  # both processes claimed work
