"""The shipped MantisBT plugin: every PHP file passes `php -l`, and its own tests (payload
shape, signature, timeouts, config pages) pass. CI installs Debian's php-cli for this."""

from __future__ import annotations

import subprocess

from tests.conftest import REPO
from tests.mantis_hooks import require_php

RUN = REPO / "plugins" / "mantisbt" / "tests" / "run.sh"


def test_php_plugin_lints_and_passes_its_tests() -> None:
    require_php()
    done = subprocess.run(["bash", str(RUN)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "ALL OK" in done.stdout
