"""The shipped MantisBT plugin: every PHP file passes `php -l`, and its own tests (payload
shape, signature, timeouts, config pages) pass. CI installs Debian's php-cli for this."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO

RUN = REPO / "plugins" / "mantisbt" / "tests" / "run.sh"


def test_php_plugin_lints_and_passes_its_tests() -> None:
    if shutil.which("php") is None:
        if os.environ.get("CI"):
            pytest.fail("php is not installed; .ci/run installs php-cli")
        pytest.skip("php is not installed (apt-get install php-cli php-curl)")
    done = subprocess.run(["bash", str(RUN)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "ALL OK" in done.stdout
