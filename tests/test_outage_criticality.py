"""A service's criticality (EMIAS: «стандартизирован подход к определению критичности
сервисов») in the catalog: the outage's ticket carries it as a label from declaring on, so a
stage norm can be one per criticality (an SLA policy on the stage's label and this one); who
is told is in tests/connector/features/outage/test_catalog.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from connector.assembly import build_connector
from connector.clock import FakeClock
from connector.config import Config
from connector.events import TicketEvent, TicketRef
from connector.features.sla.flows import on_ticket
from connector.store.schema import sla_clocks
from tests.conftest import REPO, config_data
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.test_outage import belarus_world

T0 = 1_772_700_000.0  # 2026-03-05 08:40 UTC
LABELS = {"critical": "Критичность: критическая", "high": "Критичность: высокая",
          "normal": "Критичность: обычная", "low": "Критичность: низкая"}


@pytest.mark.parametrize("criticality", list(LABELS))
def test_the_outage_ticket_carries_its_services_criticality(
        tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
        standin_slack: StandInSlack, criticality: str) -> None:
    worlds = belarus_world(tmp_path, sqlite_url, standin_gitlab, standin_slack,
                           services={"erp-api": {"criticality": criticality}})
    world = next(worlds)
    world.declare()

    labels = set(world.gl.issue(1, 23)["labels"])
    assert labels & set(LABELS.values()) == {LABELS[criticality]}
    world.c.engine.dispose()


# A per-criticality norm as a team writes it: diagnosing a critical service's outage in 15
# minutes, any other's in 30 (the shipped default).
CRITICAL_NORM = '''  - name: outage_diagnosing_critical
    title: Норма этапа «Диагностика» (критичный сервис)
    target_hours: 0.25
    start: {all_labels: ["Сбой: диагностика", "Критичность: критическая"]}
    stop: {no_labels: ["Сбой: диагностика"]}
    thresholds:
      - {at: 100, room: outages}
'''


@pytest.fixture
def norms(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab) -> Iterator[Config]:
    mappings = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", mappings)
    path = mappings / "belarus-ehr.yml"
    text = path.read_text(encoding="utf-8")
    generic = '    start: {labels: ["Сбой: диагностика"]}\n'
    assert generic in text
    text = text.replace(generic, '    start: {labels: ["Сбой: диагностика"], '
                                 'no_labels: ["Критичность: критическая"]}\n')
    text = text.replace("  # §4.3.4: the head of support prepares", CRITICAL_NORM +
                        "  # §4.3.4: the head of support prepares")
    path.write_text(text, encoding="utf-8")
    data = config_data(sqlite_url, standin_gitlab)
    data["mappings_dir"] = str(mappings)
    yield Config.model_validate(data)


@pytest.mark.parametrize(("criticality", "policy"), [
    ("critical", "outage_diagnosing_critical"),
    ("high", "outage_diagnosing"),
    ("normal", "outage_diagnosing"),
])
def test_a_stage_norm_is_the_one_of_the_services_criticality(
        norms: Config, criticality: str, policy: str) -> None:
    c = build_connector(norms, clock=FakeClock(T0))
    issue = TicketEvent(TicketRef("gitlab", "1", "23"), "ticket", "update", "helpdesk-bot",
                        state="opened", labels=("Priority: High", "Accident",
                                                "Сбой: диагностика", LABELS[criticality]),
                        assignees=("erp-owner",), updated_at="2026-03-05T08:40:00.000000Z")
    with c.engine.begin() as conn:
        on_ticket(c, conn, issue)
        running = {p for p, state in conn.execute(select(sla_clocks.c.policy,
                                                         sla_clocks.c.state))
                   if state == "running" and p.startswith("outage_diagnosing")}
    c.engine.dispose()
    assert running == {policy}
