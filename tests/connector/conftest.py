"""The shipped regulations, shared by the tests of the core."""

from __future__ import annotations

import pytest

from connector.mappings import Mappings, load_mappings
from tests.conftest import REPO


@pytest.fixture(scope="session")
def mappings() -> Mappings:
    return load_mappings(REPO / "mappings")
