"""SIGTERM stops the worker cleanly: no traceback, and the rows the process had claimed go back
to the store at once, so the next process takes them over without waiting for the lease."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from connector.events import Action, TicketRef
from connector.store import inbox, outbox
from connector.store.db import make_engine
from connector.store.schema import inbox as inbox_table
from connector.store.schema import outbox as outbox_table
from tests.conftest import issue_hook
from tests.processes import ConnectorProcess, wait_for
from tests.standins.gitlab import StandInGitLab

pytestmark = pytest.mark.slow

HOUR = 3600.0
LOW, HIGH = "Priority: Low", "Priority: High"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    e = make_engine(sqlite_url)
    yield e
    e.dispose()


def started(config: Path, command: str, processes: list[ConnectorProcess]) -> tuple[
        ConnectorProcess, str]:
    """A running connector process and its worker id (from its log)."""
    p = ConnectorProcess(config, command)
    processes.append(p)
    if command == "run":
        p.wait_healthy(timeout=120)
    found: list[str] = []

    def worker_started() -> bool:
        found[:] = re.findall(r"worker (\S+) started", p.output())
        assert p.proc.poll() is None, p.output()
        return bool(found)

    wait_for(worker_started, timeout=120, what=f"{command} to start its worker")
    return p, found[0]


def hold(engine: Engine, worker: str) -> None:
    """An event and an action claimed by `worker` an hour long, as if in hand at SIGTERM."""
    with engine.begin() as conn:
        inbox.add_event(conn, source="gitlab", dedup_key="held-event", event_name="Issue Hook",
                        ordering_key="gitlab:1#23", payload=json.dumps(issue_hook(LOW, HIGH)))
        outbox.enqueue(conn, Action("add_note", "gitlab", TicketRef("gitlab", "1", "23"),
                                    {"body": "held at stop"}, "test"), "held-action")
        for table in (inbox_table, outbox_table):
            conn.execute(table.update().values(claimed_by=worker, lease_until=time.time() + HOUR,
                                               attempts=1))


def claims(engine: Engine) -> list[tuple[str, str | None, float | None]]:
    with engine.connect() as conn:
        return [(r.status, r.claimed_by, r.lease_until) for table in (inbox_table, outbox_table)
                for r in conn.execute(select(table.c.status, table.c.claimed_by,
                                             table.c.lease_until))]


@pytest.mark.parametrize("command", ["run", "worker"])
def test_sigterm_gives_claims_back_to_the_next_process(
    command: str, sqlite_url: str, engine: Engine, standin_gitlab: StandInGitLab,
    write_config: Callable[..., Path], processes: list[ConnectorProcess],
) -> None:
    gl = standin_gitlab
    # Older than the first poll looks back: only the held event corrects its labels.
    gl.add_issue(1, 23, labels=["API", LOW, HIGH], assignee_ids=[51],
                 updated_at="2020-01-01T00:00:00Z")
    config = write_config(sqlite_url, gl, embedded=True, lease_seconds=HOUR)
    first, worker = started(config, command, processes)
    hold(engine, worker)

    os.killpg(first.proc.pid, signal.SIGTERM)  # as systemd stops it
    code = first.proc.wait(timeout=120)  # generous: a busy machine may take its time

    log = first.log_path.read_text(errors="replace")
    assert code == 0, log
    assert "Traceback" not in log
    assert f"released 2 claim(s) of {worker}" in log
    assert claims(engine) == [("pending", None, None), ("pending", None, None)]
    started(config, "worker", processes)  # an hour's lease: only the release lets it work now
    wait_for(lambda: gl.issue(1, 23)["labels"] == ["API", HIGH]
             and any("held at stop" in n["body"] for n in gl.issue(1, 23)["notes"]),
             timeout=120, what="the next process to do the released work")
