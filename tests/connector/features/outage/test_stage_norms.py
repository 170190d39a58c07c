"""EMIAS: «Для инцидентов категории "Массовый сбой" и проблем разработан многоуровневый SLA —
нормативный срок на каждый статус объекта». Every stage of an outage and of a problem in both
shipped mappings but the last has a norm declared on the stage itself — timed by the outage
feature from its own stage moves, so Sevastopol's Mantis-and-Znuny stages (a status shared with
ordinary requests, «Устранение» with none) have one too; a value no seed gives is marked in the
mapping as the team's to set. The reminders and the report read it through one function."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from connector.errors import ConfigError
from connector.features.outage.models import OutageRules, Stage, norm_hours, norm_key
from connector.mappings import load_mappings
from tests.conftest import REPO

SHIPPED = load_mappings(REPO / "mappings")
STAGES = [(m.name, kind, stage) for m in SHIPPED.by_name.values() if m.outage
          for kind, rules in (("outage", m.outage), ("problem", m.outage.problem)) if rules
          for stage in rules.stages]


def test_both_shipped_regulations_have_outage_and_problem_stages() -> None:
    assert {(name, kind) for name, kind, _ in STAGES} == {
        ("belarus-ehr", "outage"), ("belarus-ehr", "problem"),
        ("sevastopol-miac", "outage"), ("sevastopol-miac", "problem")}


@pytest.mark.parametrize(("name", "kind", "stage"), [
    pytest.param(n, k, s, id=f"{n}-{k}-{s.name}") for n, k, s in STAGES])
def test_emias_every_status_of_an_outage_and_a_problem_has_a_norm(
        name: str, kind: str, stage: Stage) -> None:
    """The last stage (closed, resolved) has nothing to run to; every other has a norm, on a
    calendar the mappings define, marked as the team's to set (no seed gives a figure)."""
    if not stage.next:
        assert stage.norm is None
        return
    assert stage.norm is not None, f"{name}: {kind} stage {stage.name} has no norm"
    assert stage.norm.calendar in (None, *SHIPPED.calendars)
    text = (REPO / "mappings" / f"{name}.yml").read_text(encoding="utf-8")
    block = re.search(rf"- name: {stage.name}\n(?:\s+(?!- name:).*\n)*?\s+norm: .*", text)
    assert block is not None and "the team's to set" in block.group(0)


@pytest.mark.parametrize(("name", "label"), [
    ("belarus-ehr", "SLA: нарушен"),  # a GitLab label at twice the norm
    ("sevastopol-miac", None),  # serves Znuny too, which has no labels: none
])
def test_the_label_at_twice_the_norm_is_one_every_helpdesk_of_the_regulation_has(
        name: str, label: str | None) -> None:
    assert {s.norm.label for n, _, s in STAGES if n == name and s.norm} == {label}


@pytest.mark.parametrize(("targets", "hours"), [
    ({}, 0.5),  # the mapping's
    ({"belarus-ehr.outage_diagnosing": 0.75}, 0.75),  # the team's own
    ({"belarus-ehr.problem_diagnosing": 0.75, "sevastopol-miac.outage_diagnosing": 2}, 0.5),
])
def test_the_team_sets_its_own_norm_by_regulation_kind_and_stage(
        targets: dict[str, float], hours: float) -> None:
    stage = SHIPPED.get("belarus-ehr").outage.stage("diagnosing")  # type: ignore[union-attr]
    assert norm_key("belarus-ehr", "outage", "diagnosing") == "belarus-ehr.outage_diagnosing"
    assert norm_hours(targets, "belarus-ehr", "outage", stage) == hours


def test_a_norm_on_a_last_stage_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"stages\.closed\.norm: a last stage"):
        OutageRules.model_validate({
            "declare": {"labels": ["Accident"]}, "default_service": "erp-api",
            "stages": [{"name": "open", "title": "Открыт", "next": ["closed"]},
                       {"name": "closed", "title": "Закрыт", "norm": {"hours": 1}}]})


def test_a_norm_on_a_calendar_nobody_defined_names_the_file_key_and_fix(tmp_path: Path) -> None:
    shutil.copytree(REPO / "mappings", tmp_path / "m")
    path = tmp_path / "m" / "sevastopol-miac.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("norm: {hours: 9, calendar: sevastopol}",
                                 "norm: {hours: 9, calendar: simferopol}", 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_mappings(tmp_path / "m")
    [problem] = caught.value.problems
    assert "sevastopol-miac.yml" in problem and "outage.stages[3].norm.calendar" in problem
    assert "no calendar 'simferopol'" in problem and "use one of:" in problem
