"""Done-when of the spine: 1,000 issues get conflicting labels, each change sent as a webhook,
and the connector is killed (SIGKILL) three times while they arrive — with no redelivery, as
GitLab does not resend what failed. After each restart polling must find the changes made while
it was down, paging through them while the webhooks that now arrive make it edit issues (which
moves them in that very list): every issue is corrected exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import WEBHOOK_SECRET, issue_hook
from tests.processes import ConnectorProcess, wait_for
from tests.standins.gitlab import StandInGitLab

pytestmark = pytest.mark.slow
ISSUES, KILLS = 1000, 3
CONFLICT = ["Priority: Low", "Priority: High"]


def test_thousand_webhooks_three_kills_no_redelivery(
    sqlite_url: str, standin_gitlab: StandInGitLab, write_config: Callable[..., Path],
    processes: list[ConnectorProcess]
) -> None:
    gl = standin_gitlab
    for iid in range(1, ISSUES + 1):
        gl.add_issue(1, iid, labels=["Priority: High"], assignee_ids=[51])
    config = write_config(sqlite_url, gl, embedded=True, lease_seconds=3)

    def start() -> ConnectorProcess:
        p = ConnectorProcess(config)
        processes.append(p)
        p.wait_healthy(60)
        return p

    current = [start()]
    lock = threading.Lock()
    acked, lost = [], []

    def deliver(iid: int) -> None:
        """Someone adds Priority: Low to an issue; GitLab sends one webhook for it."""
        hook = issue_hook(*CONFLICT, iid=iid)
        hook["object_attributes"]["updated_at"] = gl.touch(1, iid, labels=CONFLICT)["updated_at"]
        with lock:
            url = current[0].url
        try:
            answer = requests.post(f"{url}/webhooks/gitlab", json=hook,
                                   headers={"X-Gitlab-Event": "Issue Hook",
                                            "X-Gitlab-Token": WEBHOOK_SECRET,
                                            "Idempotency-Key": f"drill-{iid}"}, timeout=10)
            answer.raise_for_status()
            acked.append(iid)
        except requests.RequestException:
            lost.append(iid)  # GitLab would not send it again

    segment = ISSUES // (KILLS + 1)
    with ThreadPoolExecutor(8) as pool:
        for kill in range(KILLS + 1):
            first = kill * segment + 1
            killer = None
            if kill < KILLS:  # killed mid-segment: the rest of it meets a dead connector
                killer = threading.Thread(target=lambda at=first + segment // 3: (
                    wait_for(lambda: len(acked) + len(lost) >= at, timeout=120,
                             what="deliveries before the kill"), current[0].kill()))
                killer.start()
            list(pool.map(deliver, range(first, first + segment)))
            if killer is not None:
                killer.join()
                restarted = start()
                with lock:
                    current[0] = restarted
    assert lost, "the drill must lose deliveries, or it tests nothing"

    def corrected() -> bool:
        return all(gl.issue(1, iid)["labels"] == ["Priority: High"]
                   for iid in range(1, ISSUES + 1))

    wait_for(corrected, timeout=300, what="every issue corrected")
    wait_for(lambda: len(gl.writes("POST", r"/notes$")) >= ISSUES, timeout=120,
             what="every note written")
    wait_for(lambda: settled(current[0]), timeout=120, what="inbox and outbox settled")
    puts, notes = gl.writes("PUT"), gl.writes("POST", r"/notes$")
    assert len({r.path for r in puts}) == ISSUES and len(puts) == ISSUES  # once each
    assert len({r.path for r in notes}) == ISSUES and len(notes) == ISSUES
    assert all(len(gl.issue(1, iid)["notes"]) == 1 for iid in range(1, ISSUES + 1))


def settled(p: ConnectorProcess) -> bool:
    text = requests.get(f"{p.url}/metrics", timeout=5).text
    return 'hdc_outbox_actions{status="pending"} 0.0' in text and \
        'hdc_inbox_events{status="pending"} 0.0' in text
