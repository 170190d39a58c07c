"""A service's criticality (EMIAS: «стандартизирован подход к определению критичности
сервисов») in the catalog: the outage's ticket carries it as a label from declaring on, so a
stage's norm can be one per criticality (`norm.by_criticality`, or the team's own in
sla.targets), read alike by the reminders and the report; who is told is in
tests/connector/features/outage/test_catalog.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.assembly import build_connector
from connector.clock import FakeClock
from connector.config import Config
from connector.features.outage.models import norm_hours
from connector.features.reports.report import _norms
from connector.features.reports.source import Scope
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
# minutes, any other's in 30 (the shipped norm).
@pytest.fixture
def norms(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab) -> Iterator[Config]:
    mappings = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", mappings)
    path = mappings / "belarus-ehr.yml"
    text = path.read_text(encoding="utf-8")
    shipped = '      norm: {hours: 0.5, label: "SLA: нарушен"}'
    assert shipped in text
    path.write_text(text.replace(shipped, '      norm: {hours: 0.5, label: "SLA: нарушен", '
                                          'by_criticality: {critical: 0.25}}', 1),
                    encoding="utf-8")
    data = config_data(sqlite_url, standin_gitlab)
    data["mappings_dir"] = str(mappings)
    yield Config.model_validate(data)


@pytest.mark.parametrize(("criticality", "targets", "hours"), [
    ("critical", {}, 0.25),
    ("high", {}, 0.5),
    ("normal", {}, 0.5),
    ("low", {}, 0.5),
    ("critical", {"belarus-ehr.outage_diagnosing": 1}, 1),  # the team's own, for every one
    ("critical", {"belarus-ehr.outage_diagnosing.critical": 0.1,
                  "belarus-ehr.outage_diagnosing": 1}, 0.1),
])
def test_a_stage_norm_is_the_one_of_the_services_criticality(
        norms: Config, criticality: str, targets: dict[str, float], hours: float) -> None:
    c = build_connector(norms, clock=FakeClock(T0))
    outage = c.mappings.get("belarus-ehr").outage
    assert outage is not None
    assert norm_hours(targets, "belarus-ehr", "outage", outage.stage("diagnosing"),
                      criticality) == hours  # type: ignore[arg-type]
    c.engine.dispose()


def test_the_report_measures_a_critical_services_stay_against_its_own_norm(
        norms: Config) -> None:
    c = build_connector(norms, clock=FakeClock(T0))
    found = _norms(c, Scope())
    c.engine.dispose()
    assert found["belarus-ehr", "diagnosing"][0] == 30
    assert found["belarus-ehr", "diagnosing", "erp-api"][0] == 15  # erp-api is critical
    assert ("belarus-ehr", "diagnosing", "erp-pharmacy") not in found  # the usual norm
