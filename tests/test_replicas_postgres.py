"""Two replicas on one PostgreSQL (issue 21 item 6), as HA Alertmanager and a resent GitLab hook
deliver: every Alertmanager body and every GitLab webhook goes to both `helpdesk-connector run`
processes, and the PostgreSQL server is restarted in the middle of the stream. Each alert's
message is posted once, the outage room opened once, the SLA breach said once; nothing the
replicas acknowledged is lost (a sender whose delivery failed during the restart resends it, as
Alertmanager does and a GitLab admin's «Resend» would)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from sqlalchemy import create_engine, func, select

from connector.store.schema import alerts as alert_rows
from connector.store.schema import inbox, outbox
from tests.alertmanager_bodies import am_alert, group_body
from tests.conftest import ALERTS_TOKEN, REPO, SLACK_ALERTS, WEBHOOK_SECRET, config_data, issue_hook
from tests.pgserver import DedicatedPostgres, PostgresUnavailable
from tests.processes import ConnectorProcess, wait_for
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
OWNER, DUTY, L1, HEAD = "U0OWNER", "U0DUTY", "U0L1", "U0HEAD"
TARGET_SECONDS = 4.0
BODIES, STEP = 8, 5  # the group grows by STEP alerts a body, as Alertmanager re-sends it


@pytest.fixture
def postgres() -> Iterator[DedicatedPostgres]:
    try:
        server = DedicatedPostgres()
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL server of its own: {exc}")
    yield server
    server.stop()


def write_config(tmp: Path, url: str, gl: StandInGitLab, slack: StandInSlack) -> Path:
    """Belarus on GitLab and Slack with alerts, outage rooms (a channel each) and a triage
    target of seconds on the wall clock; the catalog's people given stand-in Slack ids."""
    mappings = tmp / "mappings"
    shutil.copytree(REPO / "mappings", mappings)
    catalog = yaml.safe_load((mappings / "catalog.yml").read_text(encoding="utf-8"))
    people = catalog["catalog"]["people"]
    for key, uid in (("erp-owner", OWNER), ("duty", DUTY), ("l1", L1), ("head", HEAD)):
        people[key].update(slack=uid)
        slack.add_user(uid, uid.lower(), uid.title(), f"{uid.lower()}@example.org")
    (mappings / "catalog.yml").write_text(yaml.safe_dump(catalog, allow_unicode=True),
                                          encoding="utf-8")
    belarus = yaml.safe_load((mappings / "belarus-ehr.yml").read_text(encoding="utf-8"))
    belarus["sla"][0].pop("calendar")
    belarus["outage"]["room"] = "channel"
    (mappings / "belarus-ehr.yml").write_text(yaml.safe_dump(belarus, allow_unicode=True),
                                             encoding="utf-8")
    data = config_data(url, gl, slack=slack, alerts=True, embedded=True, batch_size=10)
    data["mappings_dir"] = str(mappings)
    data["chats"]["slack"]["channels"]["outages"] = "C0OUTAGES"
    slack.add_channel("C0OUTAGES", "outages", members=[L1])
    data["sla"] = {"tick_seconds": 0.5,
                   "targets": {"belarus-ehr.triage": TARGET_SECONDS / 3600}}
    path = tmp / "config.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def deliver(url: str, body: bytes, headers: dict[str, str]) -> None:
    """POST until a 200, as Alertmanager retries (a 503 while the store restarts, or no
    connection at all)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            answer = requests.post(url, data=body, headers=headers, timeout=30)
            if answer.status_code == 200:
                return
            assert answer.status_code == 503, answer.text  # the store is restarting
        except requests.RequestException:
            pass  # the connection itself failed: resent too
        time.sleep(0.5)
    raise AssertionError(f"{url}: no 200 in 3 minutes")


def to_both(procs: list[ConnectorProcess], path: str, bodies: list[bytes],
            headers: dict[str, str]) -> None:
    """Each body to every replica at once."""
    with ThreadPoolExecutor(len(procs)) as pool:
        list(pool.map(lambda pb: deliver(f"{pb[0].url}{path}", pb[1], headers),
                      [(p, b) for p, b in zip(procs, bodies, strict=True)]))


def alert_bodies(k: int) -> list[bytes]:
    """The group after its k-th update, as each of the two Alertmanagers sends it."""
    alerts = [am_alert(i) for i in range(k * STEP)]
    return [json.dumps({**group_body(alerts), "externalURL": f"http://am-{n}:9093"}).encode()
            for n in (1, 2)]


def gitlab_hook(iid: int, *labels: str) -> bytes:
    hook = issue_hook(*labels, iid=iid)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    hook["object_attributes"].update(created_at=stamp, updated_at=stamp)
    return json.dumps(hook).encode()


def test_two_replicas_on_one_postgresql_act_once_through_a_restart(
    tmp_path: Path, postgres: DedicatedPostgres, standin_gitlab: StandInGitLab,
    standin_slack: StandInSlack,
) -> None:
    gl, slack = standin_gitlab, standin_slack
    gl.add_user("erp-owner", 77)
    gl.add_issue(1, 23, labels=["API", "Priority: High", "Accident"])
    gl.add_issue(1, 24, labels=[])
    config = write_config(tmp_path, postgres.url, gl, slack)
    procs = [ConnectorProcess(config), ConnectorProcess(config)]
    alerts_headers = {"Authorization": f"Bearer {ALERTS_TOKEN}",
                      "Content-Type": "application/json"}

    def gitlab(iid: int, *labels: str) -> None:
        body = gitlab_hook(iid, *labels)
        to_both(procs, "/webhooks/gitlab", [body, body], {
            "Content-Type": "application/json", "X-Gitlab-Event": "Issue Hook",
            "X-Gitlab-Token": WEBHOOK_SECRET, "Idempotency-Key": f"replicas-{iid}"})

    try:
        for p in procs:
            p.wait_healthy(timeout=120)
        for k in range(1, BODIES // 2 + 1):
            to_both(procs, "/webhooks/alerts", alert_bodies(k), alerts_headers)
        gitlab(23, "Priority: High", "Accident")
        with ThreadPoolExecutor(BODIES) as pool:  # the server goes down mid-stream
            restarted = pool.submit(postgres.restart, 3.0)
            sends = [pool.submit(gitlab, 24)] + [
                pool.submit(to_both, procs, "/webhooks/alerts", alert_bodies(k), alerts_headers)
                for k in range(BODIES // 2 + 1, BODIES + 1)]
            for done in [restarted, *sends]:
                done.result()

        every = BODIES * STEP
        wait_for(lambda: slack.messages(SLACK_ALERTS), timeout=300, what="the group's message")
        wait_for(lambda: slack.calls("conversations.create"), timeout=180, what="the room")
        wait_for(lambda: breach_notes(gl), timeout=180, what="the breach note")
        settled(postgres.url)
        time.sleep(3)  # more SLA ticks and lanes of both replicas: nothing more may come
    finally:
        for p in procs:
            p.stop()

    assert len(slack.messages(SLACK_ALERTS)) == 1  # one message for the group, edited
    assert len(slack.calls("conversations.create")) == 1
    assert len(breach_notes(gl)) == 1
    engine = create_engine(postgres.url)
    try:
        with engine.connect() as conn:
            failed = conn.execute(select(func.count()).where(
                inbox.c.status == "failed")).scalar_one()
            stuck = conn.execute(select(func.count()).where(
                outbox.c.status.in_(("pending", "failed")))).scalar_one()
            stored = conn.execute(select(func.count()).select_from(alert_rows)).scalar_one()
    finally:
        engine.dispose()
    assert (failed, stuck, stored) == (0, 0, every)  # every alert of the group, once


def breach_notes(gl: StandInGitLab) -> list[str]:
    return [n["body"] for n in gl.issue(1, 24)["notes"] if "⏱" in n["body"]]


def settled(url: str) -> None:
    """Wait until neither replica has anything left to do."""
    engine = create_engine(url)

    def idle() -> bool:
        with engine.connect() as conn:
            pending: Any = conn.execute(select(func.count()).where(
                inbox.c.status == "pending")).scalar_one()
            pending += conn.execute(select(func.count()).where(
                outbox.c.status == "pending")).scalar_one()
        return not pending
    try:
        wait_for(idle, timeout=300, what="both replicas idle")
    finally:
        engine.dispose()
