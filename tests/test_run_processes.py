"""`helpdesk-connector run` is two processes under a small supervisor: the receivers (gunicorn)
and the worker, so the worker's work never takes the interpreter from the acks. A stored
webhook wakes the worker across the processes (the poll is an hour here: only the wake-up can
bring the effect); a worker that dies is started again; SIGTERM to `run` stops both, exit 0."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.conftest import WEBHOOK_SECRET, issue_hook
from tests.processes import ConnectorProcess, wait_for
from tests.standins.gitlab import StandInGitLab

pytestmark = pytest.mark.slow

HOUR = 3600
LOW, HIGH = "Priority: Low", "Priority: High"


def children(pid: int) -> dict[str, int]:
    """`run`'s child processes by role ("web", "worker") → pid, read from /proc."""
    found: dict[str, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if parent != pid:
            continue
        if b"webhooks.serve" in args:
            found["web"] = int(entry)
        elif b"worker" in args:
            found["worker"] = int(entry)
    return found


def deliver(p: ConnectorProcess, iid: int) -> None:
    answer = requests.post(f"{p.url}/webhooks/gitlab", json=issue_hook(LOW, HIGH, iid=iid),
                           headers={"X-Gitlab-Event": "Issue Hook",
                                    "X-Gitlab-Token": WEBHOOK_SECRET,
                                    "Idempotency-Key": f"run-{iid}"}, timeout=10)
    assert answer.json()["status"] == "accepted", answer.text


def corrected(gl: StandInGitLab, iid: int) -> Callable[[], bool]:
    """The worker has settled issue `iid`'s label conflict in the stand-in GitLab."""
    return lambda: gl.issue(1, iid)["labels"] == ["API", HIGH]


def gone(pid: int) -> Callable[[], bool]:
    """No process `pid` any more (reaped: `run` waits for its children)."""
    return lambda: not os.path.exists(f"/proc/{pid}")


@pytest.fixture
def running(sqlite_url: str, standin_gitlab: StandInGitLab, write_config: Callable[..., Path],
            processes: list[ConnectorProcess]) -> ConnectorProcess:
    """`run` with its worker (polling hourly), up and answering."""
    for iid in (23, 24):
        standin_gitlab.add_issue(1, iid, labels=["API", LOW, HIGH], assignee_ids=[51],
                                 updated_at="2020-01-01T00:00:00Z")
    config = write_config(sqlite_url, standin_gitlab, embedded=True,
                          poll_interval_seconds=HOUR)
    p = ConnectorProcess(config)
    processes.append(p)
    p.wait_healthy(timeout=120)
    wait_for(lambda: "wake-ups: listening at" in p.output(), timeout=120,
             what="the worker to listen for wake-ups")
    return p


def test_run_serves_and_works_in_two_processes_woken_by_each_webhook(
        running: ConnectorProcess, standin_gitlab: StandInGitLab) -> None:
    kids = children(running.proc.pid)
    assert set(kids) == {"web", "worker"}, running.output()
    web_nice = os.getpriority(os.PRIO_PROCESS, kids["web"])
    assert os.getpriority(os.PRIO_PROCESS, kids["worker"]) == min(19, web_nice + 10)  # acks first

    deliver(running, 23)
    wait_for(corrected(standin_gitlab, 23), timeout=60, what="the worker, woken, to act")

    metrics = requests.get(f"{running.url}/metrics", timeout=10).text
    assert 'hdc_events_processed_total{outcome="done",source="gitlab"} 1.0' in metrics, \
        "the receivers' /metrics shows the worker's counters"


def test_a_worker_that_dies_is_started_again_and_takes_the_next_webhook(
        running: ConnectorProcess, standin_gitlab: StandInGitLab) -> None:
    first = children(running.proc.pid)["worker"]
    os.kill(first, signal.SIGKILL)

    wait_for(lambda: children(running.proc.pid).get("worker") not in (None, first),
             timeout=60, what="a new worker process")
    wait_for(lambda: running.output().count("wake-ups: listening at") == 2, timeout=120,
             what="the new worker to listen for wake-ups")
    assert f"the worker (pid {first}) exited with -9" in running.output()
    deliver(running, 24)
    wait_for(corrected(standin_gitlab, 24), timeout=60, what="the new worker to act")


def test_sigterm_to_run_stops_both_processes_and_exits_0(running: ConnectorProcess) -> None:
    kids = children(running.proc.pid)

    os.kill(running.proc.pid, signal.SIGTERM)  # systemd's KillMode=mixed: the main process only
    code = running.proc.wait(timeout=120)

    assert code == 0, running.output()
    for pid in kids.values():
        wait_for(gone(pid), timeout=30, what=f"child {pid} to be gone")
    assert "Traceback" not in running.output()


def test_run_exits_non_zero_when_it_cannot_start(
        write_config: Callable[..., Path], processes: list[ConnectorProcess]) -> None:
    # check-config passes (it opens no store); neither process can reach this one.
    config = write_config("postgresql+psycopg://nobody@127.0.0.1:9/none", None, embedded=True)
    p = ConnectorProcess(config)
    processes.append(p)

    code = p.proc.wait(timeout=120)

    assert code != 0, p.output()
    assert children(p.proc.pid) == {}
