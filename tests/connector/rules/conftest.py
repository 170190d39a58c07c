"""The shipped regulations and a Russian-speaking rule context, shared by the rule tests."""

from __future__ import annotations

import pytest

from connector.mappings import Mapping, Mappings
from connector.rules.context import RuleContext
from tests.conftest import ROLES


@pytest.fixture(scope="session")
def belarus(mappings: Mappings) -> Mapping:
    return mappings.get("belarus-ehr")


@pytest.fixture(scope="session")
def sevastopol(mappings: Mappings) -> Mapping:
    return mappings.get("sevastopol-miac")


@pytest.fixture(scope="session")
def ctx(mappings: Mappings) -> RuleContext:
    return RuleContext(mappings, "ru", ROLES)
