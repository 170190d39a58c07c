"""The service catalog: who a room for an outage invites, whose join is approved, and every
wrong entry named by file, key and fix."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.errors import ConfigError
from connector.mappings import load_mappings
from tests.conftest import REPO

SHIPPED = load_mappings(REPO / "mappings").catalog


def test_a_room_invites_the_responsible_duty_l1_and_the_head_of_support() -> None:
    names = [p.name for p in SHIPPED.responders("erp-api")]
    assert names == ["Ответственный за АИС «Электронный рецепт»", "Дежурный инженер",
                     "Специалист 1 ЛТП", "Руководитель поддержки"]
    assert SHIPPED.services["erp-api"].related == ["erp-pharmacy", "erp-mis"]


@pytest.mark.parametrize(("identity", "who"), [
    ({"slack": "U0DUTY0001"}, "Дежурный инженер"),
    ({"telegram": 100000002}, "Специалист 1 ЛТП"),
    ({"slack": "U0STRANGER"}, None),
    ({"telegram": 999}, None),
])
def test_a_join_is_for_the_services_responders_only(identity: dict[str, Any],
                                                     who: str | None) -> None:
    person = SHIPPED.member("erp-api", **identity)
    assert (person.name if person else None) == who


def catalog_with(tmp_path: Path, change: Any) -> Path:
    mappings = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", mappings)
    data = yaml.safe_load((mappings / "catalog.yml").read_text(encoding="utf-8"))
    change(data["catalog"])
    (mappings / "catalog.yml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                          encoding="utf-8")
    return mappings


@pytest.mark.parametrize(("change", "key", "problem"), [
    (lambda c: c["services"]["erp-api"]["responsible"].append("nobody"),
     "services.erp-api.responsible[1]", "no person 'nobody'"),
    (lambda c: c["services"]["erp-api"]["related"].append("erp-api"),
     "services.erp-api.related[2]", "a service is not related to itself"),
    (lambda c: c["services"]["erp-pharmacy"]["related"].append("billing"),
     "services.erp-pharmacy.related[1]", "no service 'billing'"),
    (lambda c: c.update(head_of_support="boss"), "head_of_support", "no person 'boss'"),
    (lambda c: c["services"]["erp-mis"]["contract"].update(work_group="wg"),
     "services.erp-mis.contract.work_group", "no person 'wg'"),
    (lambda c: c["people"]["duty"].update(slack="duty-engineer"), "people.duty.slack",
     "Slack member id"),
    (lambda c: c["people"]["head"].update(email="head"), "people.head.email",
     "not an e-mail address"),
    (lambda c: c["services"].update({"Bad Id": c["services"]["erp-mis"]}), "services.Bad Id",
     "String should match pattern"),
    (lambda c: c["services"]["erp-api"].update(owner="x"), "services.erp-api.owner",
     "unknown key"),
])
def test_a_wrong_entry_is_named(tmp_path: Path, change: Any, key: str, problem: str) -> None:
    mappings = catalog_with(tmp_path, change)

    with pytest.raises(ConfigError) as exc:
        load_mappings(mappings)

    [line] = [p for p in exc.value.problems if "catalog.yml" in p]
    assert line.startswith(f"{mappings / 'catalog.yml'}: catalog.{key}") and problem in line


@pytest.mark.parametrize(("old", "new", "key"), [
    ("default_service: erp-api", "default_service: billing", "outage.default_service"),
    ("services: [erp-pharmacy, erp-mis]", "services: [erp-pharmacy, billing]",
     "outage.services[1]"),
])
def test_a_regulation_naming_a_service_the_catalog_lacks_is_named(
        tmp_path: Path, old: str, new: str, key: str) -> None:
    mappings = catalog_with(tmp_path, lambda c: None)
    path = mappings / "belarus-ehr.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    with pytest.raises(ConfigError) as exc:
        load_mappings(mappings)

    assert exc.value.problems == [f"{path}: {key}: no service 'billing' in catalog.yml — use "
                                  "one of: egisz-mis, erp-api, erp-mis, erp-pharmacy"]
