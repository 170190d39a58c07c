"""The `people:` section and its lookups: one person under several identities, with roles that
allow buttons; strict keys, and problems that name file, key and fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.assembly import check_config
from connector.config import Config, PersonConfig, load_config
from connector.errors import ConfigError
from connector.people import People
from tests.conftest import REPO

PEOPLE: list[dict[str, Any]] = [
    {"name": "Анна Дежурная", "roles": ["duty", "l2"], "slack": "U0DUTY", "telegram": 5550002,
     "gitlab": "anna"},
    {"name": "Иван Петров", "roles": ["l2"], "slack": "W0IVAN", "telegram": 5550001,
     "gitlab": "IPetrov", "mantis": "ipetrov", "otrs": "ivan.petrov"},
    {"name": "Ольга Главная", "roles": ["head_of_support"], "telegram": 5550003},
]


@pytest.fixture
def people() -> People:
    return People.from_config(Config.model_validate({"people": PEOPLE}))


def write(tmp_path: Path, people: list[dict[str, Any]]) -> Path:
    path = tmp_path / "config.yml"
    data = {"mappings_dir": str(REPO / "mappings"), "people": people}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("system", "identity", "who"), [
    ("slack", "U0DUTY", "Анна Дежурная"),
    ("slack", "W0IVAN", "Иван Петров"),
    ("telegram", "5550001", "Иван Петров"),
    ("gitlab", "ipetrov", "Иван Петров"),  # tracker usernames: case does not matter
    ("gitlab", "ANNA", "Анна Дежурная"),
    ("mantis", "ipetrov", "Иван Петров"),
    ("otrs", "ivan.petrov", "Иван Петров"),
    ("slack", "u0duty", None),  # chat ids are exact
    ("telegram", "5550009", None),
    ("mantis", "anna", None),  # known elsewhere, not in Mantis
    ("slack", "", None),
])
def test_a_person_is_found_by_any_identity(
    people: People, system: str, identity: str, who: str | None,
) -> None:
    found = people.find(system, identity)

    assert (found.name if found else None) == who


@pytest.mark.parametrize(("role", "names"), [
    ("l2", ["Анна Дежурная", "Иван Петров"]),
    ("duty", ["Анна Дежурная"]),
    ("head_of_support", ["Ольга Главная"]),
    ("L2", []),  # roles are names, compared exactly
    ("nobody", []),
])
def test_people_are_listed_by_role_in_config_order(
    people: People, role: str, names: list[str],
) -> None:
    assert [p.name for p in people.with_role(role)] == names


@pytest.mark.parametrize(("role", "system", "ids"), [
    ("l2", "slack", ["U0DUTY", "W0IVAN"]),
    ("l2", "telegram", ["5550002", "5550001"]),
    ("head_of_support", "slack", []),  # no Slack id: left out
    ("l2", "mantis", ["ipetrov"]),
])
def test_ids_of_a_role_in_one_system(
    people: People, role: str, system: str, ids: list[str],
) -> None:
    assert people.ids(role, system) == ids


@pytest.mark.parametrize(("chat", "user_id", "roles", "allowed"), [
    ("slack", "U0DUTY", {"duty"}, True),
    ("telegram", "5550002", ["head_of_support", "duty"], True),
    ("telegram", "5550001", {"duty"}, False),
    ("telegram", "5550003", {"head_of_support"}, True),
    ("slack", "U0STRANGER", {"duty"}, False),  # not a known person
    ("slack", "U0DUTY", set(), False),  # no role allows nobody
])
def test_allowed_by_role(
    people: People, chat: str, user_id: str, roles: set[str], allowed: bool,
) -> None:
    assert people.allowed(chat, user_id, roles) is allowed


@pytest.mark.parametrize("call", [
    lambda p: p.find("jira", "x"), lambda p: p.ids("l2", "email"),
    lambda p: p.allowed("discord", "1", {"l2"}),
], ids=["find", "ids", "allowed"])
def test_an_unknown_system_is_a_programming_error(people: People, call: Any) -> None:
    with pytest.raises(ValueError, match="unknown system"):
        call(people)


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
