"""SLA thresholds across real processes on one store: two workers ticking fire a breach once;
a worker killed (SIGKILL) before the due time and a new one started after it fire it once."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from connector.store import inbox
from connector.store.db import make_engine, upgrade
from tests.conftest import REPO, issue_hook
from tests.processes import ConnectorProcess, wait_for
from tests.standins.gitlab import StandInGitLab

pytestmark = pytest.mark.slow
TARGET_SECONDS = 4.0


@pytest.fixture
def config(tmp_path: Path, db_url: str, standin_gitlab: StandInGitLab,
           write_config: Callable[..., Path]) -> Path:
    """Belarus triage on the wall clock with a target of seconds, ticking twice a second."""
    mappings = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", mappings)
    belarus = yaml.safe_load((mappings / "belarus-ehr.yml").read_text(encoding="utf-8"))
    belarus["sla"][0].pop("calendar")
    (mappings / "belarus-ehr.yml").write_text(yaml.safe_dump(belarus, allow_unicode=True),
                                             encoding="utf-8")
    standin_gitlab.add_issue(1, 23, labels=["API"], assignee_ids=[51])
    path = write_config(db_url, standin_gitlab)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(mappings_dir=str(mappings), sla={
        "tick_seconds": 0.5, "targets": {"belarus-ehr.triage": TARGET_SECONDS / 3600}})
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def new_issue_without_priority(db_url: str) -> None:
    payload = issue_hook()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload["object_attributes"].update(created_at=stamp, updated_at=stamp)
    engine = make_engine(db_url)
    upgrade(engine)  # the workers may not have migrated yet: the same lock makes it safe
    with engine.begin() as conn:
        inbox.add_event(conn, source="gitlab", dedup_key="sla-hook", event_name="Issue Hook",
                        ordering_key="gitlab:1#23", payload=json.dumps(payload))
    engine.dispose()


def breach_notes(gl: StandInGitLab) -> list[str]:
    return [n["body"] for n in gl.issue(1, 23)["notes"] if "⏱" in n["body"]]


def test_two_workers_fire_the_breach_once(
        config: Path, db_url: str, standin_gitlab: StandInGitLab,
        processes: list[ConnectorProcess]) -> None:
    processes += [ConnectorProcess(config, "worker"), ConnectorProcess(config, "worker")]
    new_issue_without_priority(db_url)

    wait_for(lambda: breach_notes(standin_gitlab), timeout=60, what="the breach note")
    wait_for(lambda: "SLA: нарушен" in standin_gitlab.issue(1, 23)["labels"], timeout=30,
             what="the breach label")
    deadline = datetime.now(UTC).timestamp() + 3  # a few more ticks of both workers
    wait_for(lambda: datetime.now(UTC).timestamp() > deadline, what="more ticks")

    assert len(breach_notes(standin_gitlab)) == 1


def test_a_worker_killed_before_the_due_time_and_one_started_after_fire_it_once(
        config: Path, db_url: str, standin_gitlab: StandInGitLab,
        processes: list[ConnectorProcess]) -> None:
    first = ConnectorProcess(config, "worker")
    processes.append(first)
    new_issue_without_priority(db_url)
    wait_for(lambda: standin_gitlab.writes("POST", r"/issues/23/notes$") or first.output(),
             timeout=5, what="the worker to start")
    first.kill()
    started = datetime.now(UTC).timestamp()
    wait_for(lambda: datetime.now(UTC).timestamp() > started + TARGET_SECONDS + 1,
             timeout=30, what="the due time to pass")

    processes.append(ConnectorProcess(config, "worker"))
    wait_for(lambda: breach_notes(standin_gitlab), timeout=60, what="the breach note")
    deadline = datetime.now(UTC).timestamp() + 3
    wait_for(lambda: datetime.now(UTC).timestamp() > deadline, what="more ticks")

    assert len(breach_notes(standin_gitlab)) == 1
