"""The shipped systemd units (docs/deploy/*.service) are valid, hardened and start the
documented commands: `systemd-analyze verify` finds nothing to say, `systemd-analyze security
--offline=yes` rates each 3.0 or less, and each ExecStart= is a command line the CLI accepts.
Skipped only where systemd-analyze is missing and CI is unset (.ci/run installs systemd)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from connector.cli import _parser
from tests.conftest import REPO
from tests.tools import installed

UNITS = sorted((REPO / "docs" / "deploy").glob("*.service"))
EXPOSURE_AT_MOST = 3.0
INSTALLED_AT = Path("/opt/helpdesk-connector/bin/helpdesk-connector")  # docs/install.md


def systemd_analyze() -> str:
    return installed("systemd-analyze", "systemd")


def systemd_version(binary: str) -> int:
    first = subprocess.run([binary, "--version"], capture_output=True, text=True,
                           check=True).stdout.split()
    return int(first[1])


def exec_start(unit: Path) -> list[str]:
    line = next(line for line in unit.read_text().splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file system root as docs/install.md leaves the host: systemd's own units, the units
    in /etc/systemd/system, the connector's executable in its venv."""
    systemd_analyze()
    root = tmp_path_factory.mktemp("root")
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(unit, root / "etc/systemd/system" / unit.name)
    executable = root / INSTALLED_AT.relative_to("/")
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    return root


def test_units_are_shipped() -> None:
    assert [u.name for u in UNITS] == ["helpdesk-connector-web.service",
                                       "helpdesk-connector-worker.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_systemd_finds_nothing_wrong_in_the_unit(unit: Path, root: Path) -> None:
    done = subprocess.run([systemd_analyze(), "verify", f"--root={root}", unit.name],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr.strip()) == (0, "")


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_the_unit_is_hardened(unit: Path) -> None:
    binary = systemd_analyze()
    if systemd_version(binary) < 252:
        pytest.skip("systemd-analyze security --offline needs systemd 252 or later")
    done = subprocess.run([binary, "security", "--offline=yes", "--no-pager", str(unit)],
                          capture_output=True, text=True, timeout=120)
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= EXPOSURE_AT_MOST, done.stdout


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_the_unit_starts_a_command_the_cli_accepts(unit: Path) -> None:
    program, *arguments = exec_start(unit)
    assert Path(program) == INSTALLED_AT
    assert _parser().parse_args(arguments).command.__name__ in ("cmd_run", "cmd_worker")


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_the_store_directory_is_the_only_one_written(unit: Path) -> None:
    settings = dict(line.split("=", 1) for line in unit.read_text().splitlines()
                    if "=" in line and not line.startswith("#"))
    assert settings["ProtectSystem"] == "strict"
    assert settings["ReadWritePaths"] == "/var/lib/helpdesk-connector"
    assert settings["StateDirectory"] == "helpdesk-connector"
    assert settings["UMask"] == "0077"
