"""The service catalog: who a room for an outage invites, whose join is approved, and every
wrong entry named by file, key and fix."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.assembly import check_config
from connector.config import Config
from connector.errors import ConfigError
from connector.mappings import load_mappings
from tests.conftest import REPO, config_data
from tests.standins.slack import StandInSlack

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
     "a person's id is U… or W…"),
    (lambda c: c["people"]["duty"].update(roles=["duty", ""]), "people.duty.roles",
     "a role must be a non-empty name"),
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


@pytest.mark.parametrize(("change", "key", "problem"), [
    (lambda c: c["services"]["erp-api"].update(client_mailing_lists=["mo"]),
     "services.erp-api.client_mailing_lists", "not an e-mail address"),
    (lambda c: c.update(clients={"mailing_lists": ["all-mo"]}), "clients.mailing_lists",
     "not an e-mail address"),
    (lambda c: c["services"]["erp-api"].update(criticality="urgent"),
     "services.erp-api.criticality", "'critical', 'high', 'normal' or 'low'"),
    (lambda c: c.update(clients={"criticality": "высокая"}), "clients.criticality",
     "'critical', 'high', 'normal' or 'low'"),
])
def test_a_wrong_client_target_or_criticality_is_named(tmp_path: Path, change: Any, key: str,
                                                       problem: str) -> None:
    """Belarus §4.3.1, Sevastopol §2.7 (who is told); EMIAS (a criticality per service)."""
    test_a_wrong_entry_is_named(tmp_path, change, key, problem)


# EMIAS «критичность сервисов» picks who is told: the catalog's `clients:` targets reach a
# service at least as critical as `clients.criticality`; its own targets always.
@pytest.mark.parametrize(("service", "threshold", "channels", "lists"), [
    ("critical", "high", ["own", "all-mo"], ["own@example.org", "all@example.org"]),
    ("high", "high", ["own", "all-mo"], ["own@example.org", "all@example.org"]),
    ("normal", "high", ["own"], ["own@example.org"]),
    ("low", "low", ["own", "all-mo"], ["own@example.org", "all@example.org"]),
])
def test_who_is_told_follows_the_services_criticality(
        tmp_path: Path, service: str, threshold: str, channels: list[str],
        lists: list[str]) -> None:
    def change(c: dict[str, Any]) -> None:
        c["services"]["erp-api"].update(criticality=service, client_channels=["own"],
                                        client_mailing_lists=["own@example.org"])
        c.update(clients={"channels": ["all-mo"], "mailing_lists": ["all@example.org"],
                          "criticality": threshold})

    catalog = load_mappings(catalog_with(tmp_path, change)).catalog
    assert catalog.client_targets("erp-api") == (channels, lists)
    assert catalog.client_targets("erp-pharmacy") == (
        (["all-mo"], ["all@example.org"]) if threshold == "low" else ([], []))


@pytest.mark.parametrize(("client", "key", "problem"), [
    ({"client_channels": ["clients"]}, "catalog.services.erp-api.client_channels[0]",
     "channel 'clients', but no chat"),
    ({"client_mailing_lists": ["mo@example.org"]},
     "catalog.services.erp-api.client_mailing_lists", "no mail: section"),
])
def test_check_config_names_a_client_target_it_cannot_reach(
        tmp_path: Path, sqlite_url: str, standin_slack: StandInSlack, client: dict[str, Any],
        key: str, problem: str) -> None:
    """Belarus §4.3.1, Sevastopol §2.7: clients must not silently go untold."""
    mappings = catalog_with(tmp_path, lambda c: c["services"]["erp-api"].update(client))
    data = config_data(sqlite_url, slack=standin_slack)
    data["mappings_dir"] = str(mappings)

    with pytest.raises(ConfigError) as exc:
        check_config(Config.model_validate(data))

    [line] = [p for p in exc.value.problems if "catalog.yml" in p]
    assert line.startswith(f"{mappings / 'catalog.yml'}: {key}: ") and problem in line
