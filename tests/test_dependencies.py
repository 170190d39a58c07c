"""What CI tests is what is pinned: every distribution constraints.txt names is installed at
its pin (scripts/test installs with -c constraints.txt), every requirement of setup.cfg is
pinned within its range, and each range stops at a major (a new one may break, as gunicorn's
did)."""

from __future__ import annotations

import configparser
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO


def _pins() -> dict[str, str]:
    lines = (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(name): version for name, version in pairs}


def _requirements(extra: str | None = None) -> list[Requirement]:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    value = cfg["options"]["install_requires"] if extra is None else \
        cfg["options.extras_require"][extra]
    return [Requirement(line) for line in value.splitlines()
            if line.strip() and not line.strip().startswith("#")]


RUNTIME = [*_requirements(), *_requirements("postgres")]


@pytest.mark.parametrize(("name", "version"), sorted(_pins().items()))
def test_ci_runs_the_pinned_version(name: str, version: str) -> None:
    assert metadata.version(name) == version, "run scripts/test (it installs constraints.txt)"


@pytest.mark.parametrize("requirement", RUNTIME, ids=str)
def test_each_requirement_is_pinned_within_its_range_below_a_major(
    requirement: Requirement,
) -> None:
    pinned = _pins().get(canonicalize_name(requirement.name))

    assert pinned is not None, f"pin {requirement.name} in constraints.txt"
    assert requirement.specifier.contains(pinned), f"{pinned} outside {requirement.specifier}"
    assert any(spec.operator == "<" for spec in requirement.specifier), "give an upper bound"


def test_postgresql_is_an_extra() -> None:
    assert "psycopg" not in {r.name for r in _requirements()}
    assert [r.name for r in _requirements("postgres")] == ["psycopg"]
