"""One version, from the package: `--version` says it, and it is the installed distribution's
(setup.cfg reads connector.__version__); /healthz and hdc_build_info: tests/webhooks/test_ops.py."""

from __future__ import annotations

import re
from importlib import metadata

import pytest

import connector
from connector.cli import main


def test_the_package_has_one_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", connector.__version__)
    assert metadata.version("helpdesk-connector") == connector.__version__


def test_version_option_prints_the_program_and_its_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])

    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"helpdesk-connector {connector.__version__}\n"
