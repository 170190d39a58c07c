"""Isolation between targets: with GitLab taking requests and never answering, work for other
services goes on — an alert reaches Slack and Telegram, a note on an escalated ticket reaches
its thread — within seconds, while GitLab's own work waits behind its circuit."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from connector.core import Connector
from connector.runner import Runner
from connector.store.db import reading
from connector.store.schema import outbox
from tests.conftest import ALERTS_TOKEN, SLACK_ALERTS, TG_ALERTS, issue_hook
from tests.drive import post_hook
from tests.processes import wait_for
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from webhooks.app import create_app

pytestmark = pytest.mark.slow
CONFLICT = ("Priority: Low", "Priority: High")


@pytest.fixture
def hung(sqlite_url: str, standin_gitlab: StandInGitLab, standin_slack: StandInSlack,
         standin_telegram: StandInTelegram,
         make_connector: Callable[..., Connector]) -> Iterator[tuple[Connector, Runner]]:
    for iid in range(1, 21):
        standin_gitlab.add_issue(1, iid, labels=list(CONFLICT), assignee_ids=[51])
    c = make_connector(sqlite_url, standin_gitlab, slack=standin_slack,
                       telegram=standin_telegram, alerts=True)
    release = standin_gitlab.hold_all("*", r".*")  # GitLab: connections taken, no answers
    runner = Runner(c, jobs=False)
    runner.start()
    try:
        yield c, runner
    finally:
        release.set()
        runner.stop()


def test_a_hung_gitlab_delays_only_gitlab_work(
    hung: tuple[Connector, Runner], standin_slack: StandInSlack,
    standin_telegram: StandInTelegram, standin_gitlab: StandInGitLab,
) -> None:
    c, runner = hung
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    for iid in range(1, 21):  # GitLab's lane fills up with work it cannot do
        post_hook(client, issue_hook(*CONFLICT, iid=iid))
    runner.wake("gitlab")
    wait_for(lambda: len(standin_gitlab.requests) >= 2, timeout=30, what="GitLab calls hang")

    started = time.monotonic()
    answer = client.post("/webhooks/alerts", headers={"Authorization": f"Bearer {ALERTS_TOKEN}"},
                         json={"alerts": [{"id": "db1-disk", "status": "firing",
                                           "title": "Диск БД заполнен на 95%"}]})
    assert answer.status_code == 200
    runner.wake("alerts")
    wait_for(lambda: standin_slack.messages(SLACK_ALERTS) and standin_telegram.messages(
        TG_ALERTS), timeout=30, what="the alert in both chats")
    elapsed = time.monotonic() - started

    assert elapsed < 5, f"the alert took {elapsed:.1f} s behind a hung GitLab"
    with reading(c.engine) as conn:  # GitLab's own work waits for it; none is given up
        waiting = conn.execute(select(outbox.c.status, func.count()).where(
            outbox.c.target == "gitlab").group_by(outbox.c.status)).all()
    assert dict(waiting).get("pending", 0) > 0 and "failed" not in dict(waiting)
