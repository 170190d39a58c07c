"""System programs some tests drive (systemd-analyze, promtool): skipped where missing, unless
CI is set, where .ci/run installs them and their absence is a failure."""

from __future__ import annotations

import os
import shutil

import pytest


def installed(program: str, package: str) -> str:
    """The program's path; a skip (a failure under CI) naming the package when it is missing."""
    found = shutil.which(program)
    if found is None:
        if os.environ.get("CI"):
            raise AssertionError(f"{program} is missing: .ci/run installs {package}")
        pytest.skip(f"{program} is not installed (apt-get install {package})")
    return found
