"""Screenshots of the dashboard for docs/images/: the login refused, and the page with the
March 2026 history the tests use (tests/dashboard.py), in a real headless Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/images]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file, from anywhere

from connector.clock import FakeClock
from tests.browser import browser_missing, chromium, log_in, wait_for
from tests.dashboard import (
    NAME,
    PASSWORD,
    START,
    add_user,
    connector_of,
    dashboard_app,
    history,
)
from tests.serving import served

MARCH = "?from=2026-03-01&to=2026-03-20"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("docs/images"))
    o = p.parse_args()
    missing = browser_missing()
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 1
    o.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock(START)
        app = dashboard_app(f"sqlite:///{tmp}/hdc.db", clock)
        c = connector_of(app)
        history(c, clock)
        add_user(c)
        with served(app) as base, chromium(1000, 560) as driver:
            log_in(driver, base, NAME, "wrong password")
            wait_for(driver, "#problem")
            driver.save_screenshot(str(o.out / "dashboard-login-refused.png"))
            driver.set_window_size(1400, 1000)
            log_in(driver, base, NAME, PASSWORD, MARCH)
            wait_for(driver, "#reliability")
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(1400, int(height) + 40)
            wait_for(driver, "#requests")
            driver.save_screenshot(str(o.out / "dashboard.png"))
        c.engine.dispose()
    for name in ("dashboard-login-refused.png", "dashboard.png"):
        print(o.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
