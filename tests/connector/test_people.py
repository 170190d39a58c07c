"""One person, one entry (issue 22 item 6): people are named in the catalog, with their roles;
the config's old `people:` is still read for one release — checked as before, merged into the
catalog's people (the catalog winning), with one warning naming the move."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.assembly import check_config
from connector.cli import main
from connector.config import PersonConfig, load_config
from connector.errors import ConfigError
from tests.conftest import REPO

PEOPLE: list[dict[str, Any]] = [
    {"name": "Анна Дежурная", "roles": ["duty", "l2"], "slack": "U0DUTY", "telegram": 5550002,
     "gitlab": "anna"},
    {"name": "Иван Петров", "roles": ["l2"], "slack": "W0IVAN", "telegram": 5550001,
     "gitlab": "IPetrov", "mantis": "ipetrov", "otrs": "ivan.petrov"},
    {"name": "Ольга Главная", "roles": ["head_of_support"], "telegram": 5550003},
]


def write(tmp_path: Path, people: list[dict[str, Any]]) -> Path:
    path = tmp_path / "config.yml"
    data = {"mappings_dir": str(REPO / "mappings"), "people": people}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_people_section_is_parsed_from_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, PEOPLE))

    assert config.people[1] == PersonConfig(
        name="Иван Петров", roles=["l2"], slack="W0IVAN", telegram=5550001, gitlab="IPetrov",
        mantis="ipetrov", otrs="ivan.petrov")
    check_config(config)  # no problems


@pytest.mark.parametrize(("person", "key", "says"), [
    ({"name": "A", "slak": "U0A"}, "people[0].slak", "unknown key — remove it or use one of: "
     "gitlab, mantis, name, otrs, roles, slack, telegram"),
    ({"roles": ["l2"], "slack": "U0A"}, "people[0].name", "required key is missing"),
    ({"name": ""}, "people[0].name", "at least 1 character"),
    ({"name": "A", "slack": "@anna"}, "people[0].slack", "a person's id is U… or W…"),
    ({"name": "A", "slack": "anna"}, "people[0].slack", "Copy member ID"),
    ({"name": "A", "slack": "C0123456789"}, "people[0].slack", "is a channel's id"),
    ({"name": "A", "telegram": "@anna"}, "people[0].telegram", "is a username"),
    ({"name": "A", "telegram": -1001234567890}, "people[0].telegram", "positive number"),
    ({"name": "A", "roles": "l2"}, "people[0].roles", "valid list"),
    ({"name": "A", "roles": ["l2", " "]}, "people[0].roles", "non-empty name"),
])
def test_a_wrong_person_entry_names_file_and_key(
    tmp_path: Path, person: dict[str, Any], key: str, says: str,
) -> None:
    path = write(tmp_path, [person])

    with pytest.raises(ConfigError) as caught:
        load_config(path)

    [problem] = caught.value.problems
    assert problem.startswith(f"{path}: {key}: ") and says in problem


@pytest.mark.parametrize(("second", "key", "says"), [
    ({"name": "B", "slack": "U0DUTY"}, "people[3].slack",
     "'U0DUTY' is already people[0] (Анна Дежурная) — one entry per person: merge the two"),
    ({"name": "B", "gitlab": "Anna"}, "people[3].gitlab", "'anna' is already people[0]"),
    ({"name": "B", "telegram": 5550003}, "people[3].telegram", "is already people[2]"),
    ({"name": "B", "roles": ["l2"]}, "people[3]",
     "'B' has no chat id or username — add one of: slack, telegram, gitlab, mantis, otrs"),
])
def test_check_config_refuses_people_no_lookup_could_tell_apart(
    tmp_path: Path, second: dict[str, Any], key: str, says: str,
) -> None:
    path = write(tmp_path, [*PEOPLE, second])

    with pytest.raises(ConfigError) as caught:
        check_config(load_config(path))

    [problem] = caught.value.problems
    assert problem.startswith(f"{path}: {key}: ") and says in problem


MOVED = "people: moved to the catalog ("


def catalog_with(tmp_path: Path, **people: dict[str, Any]) -> Path:
    """A copy of the shipped mappings whose catalog adds (or replaces) these people."""
    target = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", target)
    path = target / "catalog.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["catalog"]["people"].update(people)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


def config_file(tmp_path: Path, people: list[dict[str, Any]], mappings: Path) -> Path:
    path = write(tmp_path, people)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["mappings_dir"] = str(mappings)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("roles", "says"), [
    ("l2", "valid list"),
    (["l2", " "], "non-empty name"),
    ([""], "non-empty name"),
])
def test_a_catalog_persons_roles_are_checked_like_the_configs(
        tmp_path: Path, roles: Any, says: str) -> None:
    mappings = catalog_with(tmp_path, anna={"name": "Анна", "roles": roles})

    with pytest.raises(ConfigError) as caught:
        check_config(load_config(config_file(tmp_path, [], mappings)))

    [problem] = caught.value.problems
    assert problem.startswith(f"{mappings / 'catalog.yml'}: catalog.people.anna.roles")
    assert says in problem


@pytest.mark.parametrize("entries", [PEOPLE[:1], PEOPLE], ids=["one", "three"])
def test_the_deprecated_people_warn_once_and_join_the_catalog(
        tmp_path: Path, entries: list[dict[str, Any]]) -> None:
    path = write(tmp_path, entries)

    mappings = check_config(load_config(path))

    assert mappings.warnings() == [
        f"{path}: {MOVED}{REPO / 'mappings' / 'catalog.yml'} people: …) — move these entries "
        "there"]
    held = {p.name: p.roles for p in mappings.catalog.people.values()}
    assert {e["name"]: e["roles"] for e in entries}.items() <= held.items()
    assert mappings.catalog.people["anna"].slack == "U0DUTY"  # keyed by a tracker username


def test_without_config_people_nothing_is_said(tmp_path: Path) -> None:
    assert check_config(load_config(write(tmp_path, []))).warnings() == []


def test_check_config_prints_the_move_once_and_exits_0(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, PEOPLE)

    assert main(["check-config", "--config", str(path)]) == 0

    err = capsys.readouterr().err
    assert err.count(MOVED) == 1 and "warning: " in err


@pytest.mark.parametrize(("catalog", "entry", "kept", "differing"), [
    # the same person by a shared identity: the catalog's name wins, its empty roles filled
    ({"name": "Смирнова А.", "slack": "U0ANNA0001"},
     {"name": "Анна Смирнова", "roles": ["l2"], "slack": "U0ANNA0001"},
     {"name": "Смирнова А.", "roles": ["l2"], "slack": "U0ANNA0001"}, "name"),
    # by name; tracker usernames compared without case; roles in any order
    ({"name": "Анна", "roles": ["duty", "l2"], "gitlab": "ASmirnova"},
     {"name": "Анна", "roles": ["l2", "duty"], "gitlab": "asmirnova", "telegram": 5550002},
     {"name": "Анна", "roles": ["duty", "l2"], "gitlab": "ASmirnova", "telegram": 5550002},
     None),
    # both tell a role list and a Telegram id, differently: the catalog's kept
    ({"name": "Анна", "roles": ["duty"], "slack": "U0ANNA0001", "telegram": 5550001},
     {"name": "Анна", "roles": ["l2"], "slack": "U0ANNA0001", "telegram": 5550009},
     {"name": "Анна", "roles": ["duty"], "slack": "U0ANNA0001", "telegram": 5550001},
     "roles, telegram"),
], ids=["by-identity", "alike", "conflict"])
def test_a_person_in_both_is_the_catalogs_and_a_difference_is_named(
        tmp_path: Path, catalog: dict[str, Any], entry: dict[str, Any],
        kept: dict[str, Any], differing: str | None) -> None:
    mappings = catalog_with(tmp_path, anna=catalog)
    path = config_file(tmp_path, [entry], mappings)

    found = check_config(load_config(path))

    person = found.catalog.people["anna"]
    assert {k: getattr(person, k) for k in kept} == kept
    assert [p.name for p in found.catalog.people.values()].count(person.name) == 1
    [moved, *conflicts] = found.warnings()
    assert MOVED in moved
    assert conflicts == ([] if differing is None else [
        f"{mappings / 'catalog.yml'}: people.anna: {person.name} is also {path} people[0] "
        f"with another {differing}; the catalog's is used — keep the one entry in the "
        "catalog"])
