"""Issue 22 item 6: people are named once, in the catalog — an SLA threshold's `role:` names
the catalog's people holding that role (in the catalog's order); nobody holding it: the
config's `roles:` username; the deprecated `config.people` still counts for one release."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.assembly import build_connector
from connector.clock import FakeClock
from connector.config import Config
from connector.core import Connector
from tests.conftest import REPO, SLACK_L2, config_data
from tests.connector.features.sla.test_chat_links import STAMP, TRIAGE, breach, opened
from tests.connector.features.sla.test_flows import OPENED
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack


def with_roles(target: Path, roles: dict[str, list[str]], role: str) -> Path:
    """The shipped mappings; Belarus' triage breach told in L2 naming `role`; only the
    catalog's people given hold roles (person key → roles)."""
    shutil.copytree(REPO / "mappings", target)
    belarus = target / "belarus-ehr.yml"
    text = belarus.read_text(encoding="utf-8")
    assert TRIAGE in text
    belarus.write_text(text.replace(TRIAGE, f'      - {{at: 100, label: "SLA: нарушен", '
                                            f'chat: l2, role: {role}}}\n', 1), encoding="utf-8")
    catalog_file = target / "catalog.yml"
    catalog = yaml.safe_load(catalog_file.read_text(encoding="utf-8"))
    for key, person in catalog["catalog"]["people"].items():
        person["roles"] = roles.get(key, [])
    catalog_file.write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    return target


@pytest.fixture
def build(tmp_path: Path, db_url: str, standin_gitlab: StandInGitLab,
          standin_slack: StandInSlack) -> Iterator[Any]:
    built: list[Connector] = []

    def make(roles: dict[str, list[str]], role: str,
             config_people: list[dict[str, Any]] | None = None) -> Connector:
        standin_gitlab.add_issue(1, 23, labels=["API"], assignee_ids=[51], created_at=STAMP)
        data: dict[str, Any] = config_data(db_url, standin_gitlab, slack=standin_slack)
        data["mappings_dir"] = str(with_roles(tmp_path / "mappings", roles, role))
        if config_people is not None:
            data["people"] = config_people
        c = build_connector(Config.model_validate(data), clock=FakeClock(OPENED.timestamp() + 60))
        built.append(c)
        return c

    yield make
    for c in built:
        c.engine.dispose()


@pytest.mark.parametrize(("roles", "role", "named"), [
    ({"duty": ["duty"]}, "duty", "Дежурный инженер"),
    ({"duty": ["duty", "l2"], "l1": ["l2"]}, "l2", "Дежурный инженер, Специалист 1 ЛТП"),
    ({"l1": ["l2"], "duty": ["l2"]}, "l2", "Дежурный инженер, Специалист 1 ЛТП"),  # catalog order
    ({"head": ["head_of_support"]}, "head_of_support", "Руководитель поддержки"),
    ({}, "head_of_support", "head"),  # nobody holds it: the config's roles: username
    ({"duty": ["L2"]}, "l2", ""),  # roles are names, compared exactly
], ids=["one", "two", "catalog-order", "head", "config-roles", "exact"])
def test_the_sla_message_names_the_catalogs_people_holding_the_role(
        build: Any, standin_slack: StandInSlack, roles: dict[str, list[str]], role: str,
        named: str) -> None:
    c = build(roles, role)
    opened(c, "hook-1")
    breach(c)

    [message] = standin_slack.messages(SLACK_L2)
    first = message["text"].splitlines()[0].rstrip()
    assert first.endswith(f"срок — 09.03.2026 11:15 UTC+3. {named}".rstrip())


def test_the_deprecated_config_people_still_name_a_role_for_one_release(
        build: Any, standin_slack: StandInSlack) -> None:
    c = build({}, "l2", [{"name": "Анна Смирнова", "roles": ["l2"], "slack": "U0ANNA0001"}])
    opened(c, "hook-1")
    breach(c)

    [message] = standin_slack.messages(SLACK_L2)
    assert message["text"].splitlines()[0].endswith(". Анна Смирнова")
